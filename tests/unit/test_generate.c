/*
 * test_generate.c - CUnit suite for src/generate.h: range and SplitMix64 uniform datasets,
 * regenerated exactly from the global index, and the canonical spec text.
 *
 * SplitMix64 references: the standard sequential generator (state starts at the seed; each step
 * adds 0x9E3779B97F4A7C15 and mixes), written here from the published algorithm, and published
 * output values.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "generate.h"
#include "options.h"
#include "unit.h"

/* ---- reference SplitMix64 (sequential, as published by Steele, Lea and Flood / Vigna) ---------
 */

typedef struct ref_sm64 {
    uint64_t state;
} ref_sm64;

static uint64_t ref_next(ref_sm64 *g) {
    uint64_t z = (g->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* ---- SplitMix64 --------------------------------------------------------------------------- */

static void test_splitmix_known(void) {
    /* Seed 0: the first three outputs of the standard generator. */
    CU_ASSERT_EQUAL(sq_splitmix64_at(0, 0), UINT64_C(0xE220A8397B1DCDAF));
    CU_ASSERT_EQUAL(sq_splitmix64_at(0, 1), UINT64_C(0x6E789E6AA1B965F4));
    CU_ASSERT_EQUAL(sq_splitmix64_at(0, 2), UINT64_C(0x06C45D188009454F));
    /* Seed 1234567: the widely published first five outputs. */
    CU_ASSERT_EQUAL(sq_splitmix64_at(1234567, 0), UINT64_C(6457827717110365317));
    CU_ASSERT_EQUAL(sq_splitmix64_at(1234567, 1), UINT64_C(3203168211198807973));
    CU_ASSERT_EQUAL(sq_splitmix64_at(1234567, 2), UINT64_C(9817491932198370423));
    CU_ASSERT_EQUAL(sq_splitmix64_at(1234567, 3), UINT64_C(4593380528125082431));
    CU_ASSERT_EQUAL(sq_splitmix64_at(1234567, 4), UINT64_C(16408922859458223821));
    /* The reference generator agrees with the published values (checks the reference). */
    ref_sm64 g = {0};
    CU_ASSERT_EQUAL(ref_next(&g), UINT64_C(0xE220A8397B1DCDAF));
    g.state = 1234567;
    CU_ASSERT_EQUAL(ref_next(&g), UINT64_C(6457827717110365317));
}

static void test_splitmix_sequence(void) {
    /* sq_splitmix64_at(seed, i) is the (i + 1)-th output of the sequential generator. */
    const uint64_t seeds[] = {
        0, 1, 7, 42, UINT64_C(0x9E3779B97F4A7C15), UINT64_MAX, UINT64_C(0xDEADBEEFCAFEF00D)};
    int bad = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; ++s) {
        ref_sm64 g = {seeds[s]};
        for (uint64_t i = 0; i < 5000; ++i)
            bad += sq_splitmix64_at(seeds[s], i) != ref_next(&g);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Far indices: the counter form at i equals the sequential state after i + 1 steps, i.e.
     * seed + (i + 1) * golden (mod 2^64), checked against 2 steps from a state set there. */
    const uint64_t far[] = {UINT64_C(1) << 40, (UINT64_C(1) << 62) - 1, UINT64_MAX - 1};
    for (size_t k = 0; k < sizeof far / sizeof far[0]; ++k) {
        ref_sm64 g = {7 + far[k] * UINT64_C(0x9E3779B97F4A7C15)};
        CU_ASSERT_EQUAL(sq_splitmix64_at(7, far[k]), ref_next(&g));
        CU_ASSERT_EQUAL(sq_splitmix64_at(7, far[k] + 1), ref_next(&g));
    }
}

/* ---- range -------------------------------------------------------------------------------- */

static void test_range(void) {
    sq_gen_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.kind = SQ_GEN_RANGE;
    spec.n = 1000;
    CU_ASSERT_EQUAL(sq_gen_dtype(&spec), SQ_DTYPE_INT64);

    int bad = 0;
    const int64_t firsts[] = {0, 1, 255, 999, 123456789, (INT64_C(1) << 62) - 1000};
    const int64_t counts[] = {1, 2, 255, 256, 257, 1000};
    for (int nt = 1; nt <= 4; ++nt) {
        omp_set_num_threads(nt);
        for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; ++f)
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
                const int64_t count = counts[c];
                int64_t *x = xmalloc((size_t)(count + 2) * sizeof *x);
                x[0] = x[count + 1] = -7; /* guards */
                sq_generate(&spec, firsts[f], count, x + 1);
                for (int64_t i = 0; i < count; ++i)
                    bad += x[1 + i] != firsts[f] + i + 1; /* x[i] = i + 1 */
                bad += x[0] != -7 || x[count + 1] != -7;
                free(x);
            }
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* The last elements of the largest dataset: x[2^62 - 1] = 2^62. */
    int64_t tail[3];
    sq_generate(&spec, (INT64_C(1) << 62) - 3, 3, tail);
    CU_ASSERT_EQUAL(tail[0], (INT64_C(1) << 62) - 2);
    CU_ASSERT_EQUAL(tail[2], INT64_C(1) << 62);

    /* count 0 writes nothing. */
    int64_t guard = -7;
    sq_generate(&spec, 5, 0, &guard);
    CU_ASSERT_EQUAL(guard, -7);
}

/* ---- uniform ------------------------------------------------------------------------------ */

static sq_gen_spec uniform(int64_t n, uint64_t seed, double low, double high) {
    sq_gen_spec s;
    memset(&s, 0, sizeof s);
    s.kind = SQ_GEN_UNIFORM;
    s.n = n;
    s.seed = seed;
    s.low = low;
    s.high = high;
    return s;
}

/* x[i] = low + (high - low) * u(i), u(i) = (z >> 11) * 2^-53, z the (i+1)-th SplitMix64 output. */
static double ref_uniform(const sq_gen_spec *s, uint64_t zi) {
    volatile double u = (double)(zi >> 11) * 0x1p-53;
    volatile double width = s->high - s->low;
    volatile double scaled = width * u;
    return s->low + scaled;
}

static void test_uniform_values(void) {
    const sq_gen_spec specs[] = {
        uniform(1000, 0, 0.0, 1.0), uniform(1000, 7, -1.0, 1.0), uniform(1000, 12345, -3.5, 1e6),
        uniform(1000, UINT64_MAX, 2.0, 3.0), uniform(1000, 99, -1e300, 1e300)};
    int bad = 0, outside = 0;
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; ++k) {
        const sq_gen_spec *s = &specs[k];
        CU_ASSERT_EQUAL(sq_gen_dtype(s), SQ_DTYPE_FLOAT64);
        double x[1000];
        omp_set_num_threads(3);
        sq_generate(s, 0, 1000, x);
        ref_sm64 g = {s->seed};
        for (int i = 0; i < 1000; ++i) {
            const double want = ref_uniform(s, ref_next(&g));
            bad += !same_bits(x[i], want);
            outside += !(x[i] >= s->low && x[i] < s->high);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(outside, 0);

    /* Seed 0 on [0, 1): x[0] = (0xE220A8397B1DCDAF >> 11) * 2^-53. */
    const sq_gen_spec s0 = uniform(3, 0, 0.0, 1.0);
    double x[3];
    sq_generate(&s0, 0, 3, x);
    CU_ASSERT(same_bits(x[0], (double)(UINT64_C(0xE220A8397B1DCDAF) >> 11) * 0x1p-53));
    CU_ASSERT(same_bits(x[1], (double)(UINT64_C(0x6E789E6AA1B965F4) >> 11) * 0x1p-53));
    CU_ASSERT(same_bits(x[2], (double)(UINT64_C(0x06C45D188009454F) >> 11) * 0x1p-53));
    CU_ASSERT_DOUBLE_EQUAL(x[0], 0.883310, 1e-6);

    /* The mean of many draws on [0, 1) is near 1/2, the variance near 1/12. */
    const int64_t n = 200000;
    double *big = xmalloc((size_t)n * sizeof *big);
    const sq_gen_spec sb = uniform(n, 2024, 0.0, 1.0);
    sq_generate(&sb, 0, n, big);
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i)
        mean += big[i];
    mean /= (double)n;
    for (int64_t i = 0; i < n; ++i)
        var += (big[i] - mean) * (big[i] - mean);
    var /= (double)n;
    CU_ASSERT_DOUBLE_EQUAL(mean, 0.5, 0.005);
    CU_ASSERT_DOUBLE_EQUAL(var, 1.0 / 12, 0.002);
    free(big);
}

/* Element values depend only on the global index: [0, 1000) at once equals any split, any thread
 * count. */
static void test_uniform_splits(void) {
    const sq_gen_spec s = uniform(1000, 31337, -2.0, 5.0);
    double whole[1000], parts[1000];
    omp_set_num_threads(1);
    sq_generate(&s, 0, 1000, whole);
    const int64_t cuts[][6] = {
        {0, 1000, -1},      {0, 1, 1000, -1},           {0, 256, 257, 1000, -1},
        {0, 999, 1000, -1}, {0, 3, 500, 501, 1000, -1}, {0, 100, 200, 300, 1000, -1},
    };
    int bad = 0;
    for (int nt = 1; nt <= 4; ++nt) {
        omp_set_num_threads(nt);
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; ++c) {
            memset(parts, 0, sizeof parts);
            for (int k = 0; cuts[c][k + 1] >= 0; ++k)
                sq_generate(&s, cuts[c][k], cuts[c][k + 1] - cuts[c][k], parts + cuts[c][k]);
            bad += memcmp(whole, parts, sizeof whole) != 0;
        }
        /* Every single-element piece. */
        for (int i = 0; i < 1000; ++i)
            sq_generate(&s, i, 1, parts + i);
        bad += memcmp(whole, parts, sizeof whole) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* A window far out: [2^62 - 10, 2^62) against the reference counter form. */
    double far[10];
    sq_generate(&s, (INT64_C(1) << 62) - 10, 10, far);
    for (int i = 0; i < 10; ++i) {
        const uint64_t idx = (UINT64_C(1) << 62) - 10 + (uint64_t)i;
        ref_sm64 g = {s.seed + idx * UINT64_C(0x9E3779B97F4A7C15)};
        CU_ASSERT(same_bits(far[i], ref_uniform(&s, ref_next(&g))));
    }
    /* Different seeds give different data. */
    const sq_gen_spec t = uniform(1000, 31338, -2.0, 5.0);
    sq_generate(&t, 0, 1000, parts);
    CU_ASSERT(memcmp(whole, parts, sizeof whole) != 0);
}

/* generate.h: high is an exclusive upper bound, for every accepted spec (low < high, finite
 * width). A narrow interval makes low + (high - low) * u round up to high for u >= 1/2. */
static void test_uniform_exclusive_high(void) {
    const double one_up = nextafter(1.0, 2.0);
    const sq_gen_spec specs[] = {uniform(1000, 5, 1.0, one_up), uniform(1000, 6, 1e15, 1e15 + 0.5),
                                 uniform(1000, 7, -1.0, nextafter(-1.0, 0.0))};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; ++k) {
        double x[1000];
        sq_generate(&specs[k], 0, 1000, x);
        int outside = 0;
        for (int i = 0; i < 1000; ++i)
            outside += !(x[i] >= specs[k].low && x[i] < specs[k].high);
        CU_ASSERT_EQUAL(outside, 0);
        if (outside)
            fprintf(stderr, "\n  uniform [%.17g, %.17g): %d of 1000 values are not below high\n",
                    specs[k].low, specs[k].high, outside);
    }
}

/* ---- canonical text ------------------------------------------------------------------------ */

static int spec_roundtrip(const sq_gen_spec *s) {
    char text[512];
    sq_gen_spec_format(s, text, sizeof text);
    sq_gen_spec back;
    memset(&back, 0x7F, sizeof back);
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_parse_gen_spec(text, &back, &err);
    int ok = rc == 0 && back.kind == s->kind && back.n == s->n;
    if (ok && s->kind == SQ_GEN_UNIFORM)
        ok = back.seed == s->seed && same_bits(back.low, s->low) && same_bits(back.high, s->high);
    if (!ok)
        fprintf(stderr, "\n  '%s' did not parse back (rc %d: %s)\n", text, rc, err.msg);
    return ok;
}

static void test_spec_format(void) {
    char text[512];
    sq_gen_spec s = uniform(1000, 7, -1.0, 1.0);
    sq_gen_spec_format(&s, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "uniform:1000:seed=7:low=-1:high=1");
    sq_gen_spec r;
    memset(&r, 0, sizeof r);
    r.kind = SQ_GEN_RANGE;
    r.n = 1000;
    sq_gen_spec_format(&r, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "range:1000");

    const sq_gen_spec specs[] = {
        uniform(1000, 7, -1.0, 1.0),
        uniform(0, 0, 0.0, 1.0),
        uniform(INT64_C(1) << 62, UINT64_MAX, 0.1, 0.30000000000000004),
        uniform(12345, UINT64_C(9223372036854775808), -1e300, 1e300),
        uniform(5, 1, 1.0 / 3.0, 2.0 / 3.0),
        uniform(5, 1, -0.0, 1e-300),
        uniform(5, 1, DBL_MIN, 1.0),
        uniform(5, 1, -DBL_MAX / 2, DBL_MAX / 2),
        uniform(5, 1, 1.0, nextafter(1.0, 2.0)),
        uniform(5, 1, 123456789.123456789, 987654321.98765432),
    };
    int bad = 0;
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; ++k)
        bad += !spec_roundtrip(&specs[k]);
    CU_ASSERT_EQUAL(bad, 0);
    const int64_t ns[] = {0, 1, 1000, INT64_C(1) << 62};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; ++k) {
        r.n = ns[k];
        CU_ASSERT(spec_roundtrip(&r));
    }
}

/* A subnormal bound is a valid double with low < high and a finite width; its canonical text must
 * parse back. */
static void test_spec_format_subnormal(void) {
    const sq_gen_spec s = uniform(10, 3, 0x1p-1074, 1.0);
    CU_ASSERT(spec_roundtrip(&s));
    const sq_gen_spec t = uniform(10, 3, -1.0, -0x1p-1060);
    CU_ASSERT(spec_roundtrip(&t));
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"SplitMix64 known values", test_splitmix_known},
        {"SplitMix64 counter form = sequential", test_splitmix_sequence},
        {"range values", test_range},
        {"uniform values and bounds", test_uniform_values},
        {"uniform: same data for every split", test_uniform_splits},
        {"uniform: high is exclusive on narrow intervals", test_uniform_exclusive_high},
        {"spec format round trip", test_spec_format},
        {"spec format round trip, subnormal bounds", test_spec_format_subnormal},
    };
    return sq_unit_run("generate", tests, sizeof tests / sizeof tests[0]);
}
