/*
 * test_moments.c - CUnit suite for the moments (src/moments.h).
 *
 * Expected values are bit patterns computed by tests/unit/gen_moments_cases.py in exact rational
 * arithmetic (Python fractions, one rounding), never by this code: adversarial data (1e9 + noise,
 * values spanning 600 binades, integers at the int64 limits, N = 0, 1, 2, NaN and Inf). The
 * records are built by sqcube's own kernels, as a run builds them. Properties complete it: the
 * moments do not depend on how the data were split, and the corrections are what make the float
 * moments the data's.
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "moments.h"
#include "moments_cases.h"
#include "unit.h"

static const char *const field_name[5] = {"mean", "variance", "sample_variance", "std", "skewness"};

static void fields(const sq_moments *m, double out[5]) {
    out[0] = m->mean;
    out[1] = m->variance;
    out[2] = m->sample_variance;
    out[3] = m->std;
    out[4] = m->skewness;
}

static uint64_t bits_of(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Same value: identical bits, or both NaN (the payload does not matter). */
static int same(double got, uint64_t want) {
    const double w = from_bits(want);
    return bits_of(got) == want || (isnan(got) && isnan(w));
}

/* The record (and corrections) of elements [begin, end) of a case, as the kernels make them. */
static void record_of(const moments_case *c, int begin, int end, sq_stats *st, sq_power_err *err) {
    const int n = end - begin;
    double *sq = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    double *cu = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    CU_ASSERT_FATAL(sq != NULL && cu != NULL);
    if (c->is_int) {
        sq_stats_init(st, SQ_DTYPE_INT64);
        sq_kernel_int64_to_float64((const int64_t *)c->x + begin, n, sq, cu, st);
    } else {
        double *x = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
        CU_ASSERT_FATAL(x != NULL);
        memcpy(x, (const uint64_t *)c->x + begin, sizeof(double) * (size_t)n);
        sq_stats_init(st, SQ_DTYPE_FLOAT64);
        sq_kernel_float64(x, n, sq, cu, st);
        sq_power_err_init(err);
        sq_power_err_add(err, x, n);
        free(x);
    }
    free(cu);
    free(sq);
}

static int check_case(const moments_case *c, const sq_moments *m, const uint64_t want[5], int mask,
                      const char *how) {
    double got[5];
    fields(m, got);
    int ok = 1;
    for (int k = 0; k < 5; ++k)
        if ((mask >> k & 1) && !same(got[k], want[k])) {
            printf("\n  %s (%s): %s = %.17g (0x%016llx), exact %.17g (0x%016llx)", c->name, how,
                   field_name[k], got[k], (unsigned long long)bits_of(got[k]), from_bits(want[k]),
                   (unsigned long long)want[k]);
            ok = 0;
        }
    return ok;
}

/* Every case, with corrections: the data's exact moments, correctly rounded. */
static void test_exact_cases(void) {
    const int ncases = (int)(sizeof moments_cases / sizeof moments_cases[0]);
    for (int i = 0; i < ncases; ++i) {
        const moments_case *c = &moments_cases[i];
        sq_stats st;
        sq_power_err err;
        record_of(c, 0, c->n, &st, &err);
        sq_moments m;
        sq_moments_compute(&st, c->is_int ? NULL : &err, &m);
        CU_ASSERT(check_case(c, &m, c->exact, c->exact_mask, "corrected"));
        if (m.exact != c->exact_flag)
            printf("\n  %s: exact flag %d, expected %d", c->name, m.exact, c->exact_flag);
        CU_ASSERT_EQUAL(m.exact, c->exact_flag);
    }
}

/* Every float case without corrections: the moments of the stored squares and cubes. */
static void test_stored_cases(void) {
    const int ncases = (int)(sizeof moments_cases / sizeof moments_cases[0]);
    for (int i = 0; i < ncases; ++i) {
        const moments_case *c = &moments_cases[i];
        if (c->is_int)
            continue;
        sq_stats st;
        sq_power_err err;
        record_of(c, 0, c->n, &st, &err);
        sq_moments m;
        sq_moments_compute(&st, NULL, &m);
        CU_ASSERT(check_case(c, &m, c->stored, 31, "stored"));
    }
}

/* Any split into three parts, merged in any order, gives the same bits. */
static void test_decomposition(void) {
    const int ncases = (int)(sizeof moments_cases / sizeof moments_cases[0]);
    for (int i = 0; i < ncases; ++i) {
        const moments_case *c = &moments_cases[i];
        const int cuts[][2] = {{0, 0}, {1, 2}, {c->n / 3, 2 * c->n / 3}, {c->n / 2, c->n}};
        for (size_t j = 0; j < sizeof cuts / sizeof cuts[0]; ++j) {
            int a = cuts[j][0] < c->n ? cuts[j][0] : c->n,
                b = cuts[j][1] < c->n ? cuts[j][1] : c->n;
            if (b < a)
                b = a;
            sq_stats part[3];
            sq_power_err perr[3];
            record_of(c, 0, a, &part[0], &perr[0]);
            record_of(c, a, b, &part[1], &perr[1]);
            record_of(c, b, c->n, &part[2], &perr[2]);
            /* merge in the order 2, 0, 1 */
            sq_stats_merge(&part[2], &part[0]);
            sq_stats_merge(&part[2], &part[1]);
            if (!c->is_int) {
                sq_power_err_merge(&perr[2], &perr[0]);
                sq_power_err_merge(&perr[2], &perr[1]);
            }
            sq_moments m;
            sq_moments_compute(&part[2], c->is_int ? NULL : &perr[2], &m);
            CU_ASSERT(check_case(c, &m, c->exact, c->exact_mask, "split"));
        }
    }
}

/* The offset case shows why the exact formula and the corrections matter: the textbook power-sum
 * formula in float64 (what a user would do with sqcube's rounded sums) is wrong by orders of
 * magnitude, the stored-squares moments lose the variance, the corrected ones are exact. */
static void test_offset_needs_corrections(void) {
    const moments_case *c = NULL;
    const int ncases = (int)(sizeof moments_cases / sizeof moments_cases[0]);
    for (int i = 0; i < ncases; ++i)
        if (strcmp(moments_cases[i].name, "offset_1e9") == 0)
            c = &moments_cases[i];
    CU_ASSERT_FATAL(c != NULL);
    sq_stats st;
    sq_power_err err;
    record_of(c, 0, c->n, &st, &err);
    const double n = c->n, s1 = sq_stats_sum(&st, SQ_SUM_X), s2 = sq_stats_sum(&st, SQ_SUM_SQ);
    const double naive = (s2 - s1 * s1 / n) / n;
    const double want = from_bits(c->exact[1]);
    CU_ASSERT(fabs(naive - want) > 0.5 * want); /* naive float64: not one digit right */
    sq_moments m;
    sq_moments_compute(&st, &err, &m);
    CU_ASSERT(same(m.variance, c->exact[1]));
    CU_ASSERT(m.exact == 1);
}

/* Records with a count but no sums beyond the representable: the rules for N and for
 * non-finite values, on hand-made records (independent of the kernels). */
static void test_rules(void) {
    sq_stats st;
    sq_moments m;
    sq_stats_init(&st, SQ_DTYPE_FLOAT64);
    sq_moments_compute(&st, NULL, &m); /* N = 0 */
    CU_ASSERT(isnan(m.mean) && isnan(m.variance) && isnan(m.sample_variance) && isnan(m.std) &&
              isnan(m.skewness));
    /* integer N = 1, x = -7: mean -7, variance 0, sample variance NaN, skewness NaN */
    sq_stats_init(&st, SQ_DTYPE_INT64);
    st.count = 1;
    sq_i256_add_i128(&st.isum[SQ_SUM_X], -7);
    sq_i256_add_i128(&st.isum[SQ_SUM_SQ], 49);
    sq_i256_add_i128(&st.isum[SQ_SUM_CUBE], -343);
    sq_moments_compute(&st, NULL, &m);
    CU_ASSERT(m.mean == -7.0 && m.variance == 0.0 && !signbit(m.variance) && m.std == 0.0 &&
              isnan(m.sample_variance) && isnan(m.skewness) && m.exact == 1);
    /* integer 0, 1, 2, 3, 10 by hand: mean 16/5, m2 = 234/25 ... computed in __int128 here:
     * N S2 - S1^2 = 5 * 114 - 256 = 314, variance 314/25, sample 314/20 */
    sq_stats_init(&st, SQ_DTYPE_INT64);
    st.count = 5;
    sq_i256_add_i128(&st.isum[SQ_SUM_X], 16);
    sq_i256_add_i128(&st.isum[SQ_SUM_SQ], 114);
    sq_i256_add_i128(&st.isum[SQ_SUM_CUBE], 1036);
    sq_moments_compute(&st, NULL, &m);
    CU_ASSERT_EQUAL(m.mean, 16.0 / 5.0);
    CU_ASSERT_EQUAL(m.variance, 314.0 / 25.0);
    CU_ASSERT_EQUAL(m.sample_variance, 314.0 / 20.0);
    CU_ASSERT_EQUAL(m.std, sqrt(314.0 / 25.0)); /* 314/25 = 12.56 rounds; sqrt of it is within */
    /* m3 * 125 = 25 * 1036 - 15 * 16 * 114 + 2 * 4096 = 25900 - 27360 + 8192 = 6732;
     * g1 = 6732/125 / (314/25)^1.5 */
    CU_ASSERT(fabs(m.skewness - (6732.0 / 125.0) / pow(314.0 / 25.0, 1.5)) < 1e-15);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"exact moments of adversarial data, with corrections", test_exact_cases},
        {"moments of the stored squares and cubes", test_stored_cases},
        {"the same bits for any split and merge order", test_decomposition},
        {"1e9 + noise: naive formula fails, corrected moments exact",
         test_offset_needs_corrections},
        {"rules for N = 0, 1 and small integer data by hand", test_rules},
    };
    return sq_unit_run("moments", tests, sizeof tests / sizeof tests[0]);
}
