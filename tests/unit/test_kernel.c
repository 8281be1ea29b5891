/*
 * test_kernel.c - CUnit suite for src/kernel.h: the square/cube kernels and their partial
 * reductions, on 1, 2, 3 and 4 OpenMP threads.
 *
 * References are independent of kernel.c: element values from the IEEE operations the header
 * names, from __int128, from base-2^32 schoolbook products rounded bit by bit, and from constants
 * computed with arbitrary-precision integers (Python); float sums against an exact fixed-point
 * accumulator of the stored terms.
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

#include "kernel.h"
#include "stats.h"
#include "unit.h"

static const int64_t sizes[] = {0, 1, 255, 256, 257, 1000, 100003};
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))
#define MAXTHREADS 4

/* ---- helpers ----------------------------------------------------------------------------------
 */

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Values equal as the kernel must store them: bitwise, except that any NaN matches any NaN. */
static int same_value(double got, double want) {
    if (isnan(want))
        return isnan(got);
    return same_bits(got, want);
}

static int dec_equals(const sq_i256 *a, const char *want) {
    char buf[SQ_I256_DECIMAL_MAX];
    sq_i256_to_decimal(a, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "\n  sum: got %s, expected %s\n", buf, want);
        return 0;
    }
    return 1;
}

static int i256_equal_i128(const sq_i256 *a, __int128 v) {
    char want[64];
    sq_unit_i128_dec(v, want);
    return dec_equals(a, want);
}

/* ---- exact big-integer arithmetic in base 2^32, for int64 references ------------------------ */

#define ND 10 /* digits of 32 bits: 320 bits, more than any sum here needs */

/* |x|^k as base-2^32 digits (k = 1, 2, 3), by schoolbook multiplication. */
static void pow_digits(int64_t x, int k, uint32_t out[ND]) {
    const uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    const uint32_t ud[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
    uint32_t cur[ND] = {(uint32_t)u, (uint32_t)(u >> 32)};
    for (int p = 1; p < k; ++p) {
        uint32_t next[ND] = {0};
        for (int i = 0; i < ND - 2; ++i) {
            uint64_t carry = 0;
            for (int j = 0; j < 2; ++j) {
                const uint64_t t = (uint64_t)cur[i] * ud[j] + next[i + j] + carry;
                next[i + j] = (uint32_t)t;
                carry = t >> 32;
            }
            next[i + 2] += (uint32_t)carry;
        }
        memcpy(cur, next, sizeof cur);
    }
    memcpy(out, cur, sizeof cur);
}

/* Nearest double (ties to even) to +-digits, looking at one bit at a time. */
static double round_digits(const uint32_t d[ND], int negative) {
    int top = -1;
    for (int b = 32 * ND - 1; b >= 0; --b)
        if ((d[b / 32] >> (b % 32)) & 1u) {
            top = b;
            break;
        }
    if (top < 0)
        return 0.0;
    const int low = top >= 52 ? top - 52 : 0;
    uint64_t mant = 0;
    for (int b = top; b >= low; --b)
        mant = 2 * mant + ((d[b / 32] >> (b % 32)) & 1u);
    if (top > 52) {
        const int rb = top - 53;
        const int round = (d[rb / 32] >> (rb % 32)) & 1u;
        int sticky = 0;
        for (int b = rb - 1; b >= 0; --b)
            sticky |= (d[b / 32] >> (b % 32)) & 1u;
        if (round && (sticky || (mant & 1u)))
            ++mant;
    }
    const double v = ldexp((double)mant, low);
    return negative ? -v : v;
}

/* The correctly rounded x^k by the digit reference. */
static double ref_pow(int64_t x, int k) {
    uint32_t d[ND];
    pow_digits(x, k, d);
    return round_digits(d, x < 0 && (k % 2) == 1);
}

/* A signed accumulator of base-2^32 digits (each digit an int64 that takes 2^31 additions). */
typedef struct bigacc {
    int64_t d[ND];
} bigacc;

static void acc_add_pow(bigacc *a, int64_t x, int k) {
    uint32_t d[ND];
    pow_digits(x, k, d);
    const int neg = x < 0 && (k % 2) == 1;
    for (int i = 0; i < ND; ++i)
        a->d[i] += neg ? -(int64_t)d[i] : (int64_t)d[i];
}

/* Compares the accumulator, reduced mod 2^256, with a sq_i256. */
static int acc_equals(const bigacc *a, const sq_i256 *v) {
    int64_t d[ND];
    memcpy(d, a->d, sizeof d);
    for (int i = 0; i + 1 < ND; ++i) {
        const int64_t c = (d[i] - (d[i] & 0xffffffff)) / (INT64_C(1) << 32); /* floor */
        d[i] &= 0xffffffff;
        d[i + 1] += c;
    }
    for (int j = 0; j < 4; ++j) {
        const uint64_t w = (uint64_t)d[2 * j] | ((uint64_t)(uint32_t)d[2 * j + 1] << 32);
        if (w != v->w[j])
            return 0;
    }
    return 1;
}

/* ---- exact sums of doubles: a fixed-point accumulator over every double's range -------------- */

#define SA_DIGITS 72 /* 32-bit digits from 2^-1074 up to past 2^1100 */

typedef struct superacc {
    int64_t d[SA_DIGITS];
    long double magnitude; /* sum of |terms|, for tolerances */
} superacc;

static void sa_add(superacc *s, double v, int sign) {
    if (v == 0.0)
        return;
    int e;
    const double m = frexp(fabs(v), &e); /* |v| = m * 2^e, 0.5 <= m < 1 */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int p = e - 53 + 1074; /* the weight of mant's last bit, as a power of two above 2^-1074 */
    while (p < 0) {        /* subnormals: the dropped bits are zero */
        mant >>= 1;
        ++p;
    }
    const int add = (v < 0) ? sign < 0 : sign > 0; /* the sign of sign * v */
    const unsigned __int128 wide = (unsigned __int128)mant << (p % 32);
    for (int k = 0; k < 3; ++k) {
        const int64_t digit = (int64_t)(uint32_t)(wide >> (32 * k));
        s->d[p / 32 + k] += add ? digit : -digit;
    }
    s->magnitude += fabsl((long double)v);
}

/* The accumulated value, approximately (long double), after carrying. */
static long double sa_value(const superacc *s) {
    int64_t d[SA_DIGITS];
    memcpy(d, s->d, sizeof d);
    for (int i = 0; i + 1 < SA_DIGITS; ++i) {
        const int64_t c = (d[i] - (d[i] & 0xffffffff)) / (INT64_C(1) << 32);
        d[i] &= 0xffffffff;
        d[i + 1] += c;
    }
    long double v = 0.0L;
    for (int i = SA_DIGITS - 1; i >= 0; --i)
        v += ldexpl((long double)d[i], 32 * i - 1074);
    return v;
}

/* Checks an exact-then-rounded sum of terms[0..n) against the IEEE special cases, or against the
 * exact sum: the recorded value must be its correct rounding (residual at most half an ulp). */
static int check_fsum(const double *terms, int64_t n, const sq_xacc *acc, const char *what) {
    int nan = 0, pinf = 0, ninf = 0;
    superacc sa;
    memset(&sa, 0, sizeof sa);
    for (int64_t i = 0; i < n; ++i) {
        if (isnan(terms[i]))
            nan = 1;
        else if (isinf(terms[i]) && terms[i] > 0)
            pinf = 1;
        else if (isinf(terms[i]))
            ninf = 1;
        else
            sa_add(&sa, terms[i], 1);
    }
    const double v = sq_xacc_value(acc);
    if (nan || (pinf && ninf)) {
        if (!isnan(v)) {
            fprintf(stderr, "\n  %s: expected NaN, got %a\n", what, v);
            return 0;
        }
        return 1;
    }
    if (pinf || ninf) {
        if (!(isinf(v) && (v > 0) == (pinf != 0))) {
            fprintf(stderr, "\n  %s: expected %cInf, got %a\n", what, pinf ? '+' : '-', v);
            return 0;
        }
        return 1;
    }
    const long double exact = sa_value(&sa);
    if (isinf(v)) { /* finite terms whose exact sum overflows */
        if (!(fabsl(exact) > (long double)DBL_MAX && (v > 0) == (exact > 0))) {
            fprintf(stderr, "\n  %s: got %a for the finite exact sum %.21Lg\n", what, v, exact);
            return 0;
        }
        return 1;
    }
    sa_add(&sa, v, -1);
    const long double resid = sa_value(&sa);
    const double ulp = nextafter(fabs(v), INFINITY) - fabs(v);
    if (fabsl(resid) > 0.5L * ulp) {
        fprintf(stderr,
                "\n  %s (n=%lld): exact %.21Lg, got %a: off by %.3Lg, more than half an ulp (%a)\n",
                what, (long long)n, exact, v, resid, ulp);
        return 0;
    }
    return 1;
}

/* ---- float64 kernel -------------------------------------------------------------------------- */

/* Reference statistics of float input, computed here element by element. */
typedef struct fref {
    int64_t count, nan, nonfinite, numbers;
    double min, max;
} fref;

static fref float_ref(const double *x, int64_t n) {
    fref r = {0, 0, 0, 0, NAN, NAN};
    for (int64_t i = 0; i < n; ++i) {
        ++r.count;
        if (isnan(x[i])) {
            ++r.nan;
            ++r.nonfinite;
            continue;
        }
        if (isinf(x[i]))
            ++r.nonfinite;
        if (r.numbers == 0 || x[i] < r.min)
            r.min = x[i];
        if (r.numbers == 0 || x[i] > r.max)
            r.max = x[i];
        ++r.numbers;
    }
    return r;
}

/* Runs the float64 kernel on x with 1..4 threads and checks everything; returns failures.
 * check_sums: 0 = not the sums, otherwise each sum must be the correctly rounded exact sum. */
static int run_float(const double *x, int64_t n, int check_sums, const char *what) {
    int bad = 0;
    double *sq = xmalloc((size_t)n * sizeof *sq), *cu = xmalloc((size_t)n * sizeof *cu);
    double *sq1 = xmalloc((size_t)n * sizeof *sq1), *cu1 = xmalloc((size_t)n * sizeof *cu1);
    double *wsq = xmalloc((size_t)n * sizeof *wsq), *wcu = xmalloc((size_t)n * sizeof *wcu);
    for (int64_t i = 0; i < n; ++i) {
        volatile double v = x[i];
        volatile double q = v * v;
        wsq[i] = q;
        wcu[i] = q * v;
    }
    const fref r = float_ref(x, n);
    sq_stats st1;
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_FLOAT64);
        for (int64_t i = 0; i < n; ++i)
            sq[i] = cu[i] = -12345.0;
        sq_kernel_float64(x, n, sq, cu, &st);
        int vbad = 0;
        for (int64_t i = 0; i < n; ++i) {
            if (!same_value(sq[i], wsq[i]) || !same_value(cu[i], wcu[i])) {
                if (vbad++ < 3)
                    fprintf(stderr, "\n  %s: x=%a: sq %a (want %a) cu %a (want %a)\n", what, x[i],
                            sq[i], wsq[i], cu[i], wcu[i]);
            }
        }
        bad += vbad != 0;
        bad += st.type != SQ_DTYPE_FLOAT64;
        bad += st.count != r.count;
        bad += st.nan != r.nan;
        bad += st.nonfinite != r.nonfinite;
        bad += st.has_minmax != (r.numbers > 0);
        if (r.numbers > 0) {
            if (!(sq_stats_min(&st) == r.min) || !(sq_stats_max(&st) == r.max)) {
                ++bad;
                fprintf(stderr, "\n  %s (%d threads): min %a max %a, expected %a %a\n", what, nt,
                        sq_stats_min(&st), sq_stats_max(&st), r.min, r.max);
            }
        } else {
            bad += !isnan(sq_stats_min(&st)) || !isnan(sq_stats_max(&st));
        }
        if (check_sums) {
            bad += !check_fsum(x, n, &st.fsum[SQ_SUM_X], "sum of x");
            bad += !check_fsum(wsq, n, &st.fsum[SQ_SUM_SQ], "sum of x^2");
            bad += !check_fsum(wcu, n, &st.fsum[SQ_SUM_CUBE], "sum of x^3");
        }
        if (nt == 1) {
            st1 = st;
            memcpy(sq1, sq, (size_t)n * sizeof *sq);
            memcpy(cu1, cu, (size_t)n * sizeof *cu);
        } else {
            /* Identical values and sums (bit for bit) whatever the thread count. */
            bad += n > 0 && (memcmp(sq, sq1, (size_t)n * sizeof *sq) != 0 ||
                             memcmp(cu, cu1, (size_t)n * sizeof *cu) != 0);
            bad += st.count != st1.count || st.nan != st1.nan || st.nonfinite != st1.nonfinite ||
                   st.has_minmax != st1.has_minmax;
            if (check_sums)
                for (int k = 0; k < SQ_NSUMS; ++k)
                    if (!same_value(sq_xacc_value(&st.fsum[k]), sq_xacc_value(&st1.fsum[k]))) {
                        ++bad;
                        fprintf(stderr, "\n  %s: sum %d with %d threads differs from 1 thread\n",
                                what, k, nt);
                    }
        }
    }
    free(sq);
    free(cu);
    free(sq1);
    free(cu1);
    free(wsq);
    free(wcu);
    return bad;
}

/* Finite doubles with full 53-bit mantissas over a range of exponents, both signs. */
static double rnd_double(int emin, int emax) {
    const double m = (double)((rnd() >> 11) | (UINT64_C(1) << 52)) * 0x1p-52; /* [1, 2) */
    const int e = emin + (int)(rnd() % (uint64_t)(emax - emin + 1));
    const double v = ldexp(m, e);
    return (rnd() & 1) ? -v : v;
}

static void test_float_values(void) {
    rng_state = 0x0123456789ABCDEFu;
    int bad = 0;
    for (int s = 0; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        double *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = rnd_double(-20, 20);
        bad += run_float(x, n, 0, "random floats");
        free(x);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Small integers: every partial sum is exact in float64 (below 2^53), so the sums must be exact. */
static void test_float_sums_integers(void) {
    int bad = 0;
    for (int s = 0; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        double *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = (double)((int64_t)(i % 201) - 100); /* cubes up to 1e6, sums exact in double */
        bad += run_float(x, n, 2, "small integers");
        free(x);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* A closed form: x = 1..1000 gives sums 500500, 333833500, 250500250000. */
    double x[1000], sq[1000], cu[1000];
    for (int i = 0; i < 1000; ++i)
        x[i] = i + 1;
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_FLOAT64);
        sq_kernel_float64(x, 1000, sq, cu, &st);
        CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_X), 500500.0);
        CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_SQ), 333833500.0);
        CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_CUBE), 250500250000.0);
        CU_ASSERT_EQUAL(sq_stats_min(&st), 1.0);
        CU_ASSERT_EQUAL(sq_stats_max(&st), 1000.0);
    }
}

/* stats.h: float sums are plain float64 sums of blocks of 256 terms, compensated across blocks;
 * the error is at most about 256 ulp of the sum of magnitudes. Terms with full mantissas over a
 * range of exponents, checked against the exact sum. */
static void test_float_sums_bounded(void) {
    rng_state = 0xFEDCBA9876543210u;
    int bad = 0;
    for (int s = 0; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        double *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = rnd_double(-10, 10);
        bad += run_float(x, n, 1, "full-mantissa floats");
        /* All positive: no cancellation, the error bound is tightest relative to the sum. */
        for (int64_t i = 0; i < n; ++i)
            x[i] = fabs(x[i]);
        bad += run_float(x, n, 1, "positive full-mantissa floats");
        free(x);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Across blocks the sum is compensated: integer terms below 2^44 make every partial sum of at most
 * 256 terms exact in float64 (< 2^52), whatever the order; the whole sum - up to 2^61, beyond
 * what one double holds exactly - must be the exact integer sum rounded once. */
static void test_float_sums_across_blocks(void) {
    rng_state = 0x0F0F0F0F12345678u;
    const int64_t n = 100003;
    double *x = xmalloc((size_t)n * sizeof *x), *sq = xmalloc((size_t)n * sizeof *sq),
           *cu = xmalloc((size_t)n * sizeof *cu);
    for (int pass = 0; pass < 2; ++pass) {
        __int128 exact = 0;
        for (int64_t i = 0; i < n; ++i) {
            int64_t k = (int64_t)(rnd() >> 21); /* [0, 2^43) */
            if (pass == 0)
                k += INT64_C(1) << 43; /* all positive, in [2^43, 2^44): the sum passes 2^59 */
            else if (rnd() & 1)
                k = -k;
            x[i] = (double)k;
            exact += k;
        }
        for (int nt = 1; nt <= MAXTHREADS; ++nt) {
            omp_set_num_threads(nt);
            sq_stats st;
            sq_stats_init(&st, SQ_DTYPE_FLOAT64);
            sq_kernel_float64(x, n, sq, cu, &st);
            /* The exact integer sum rounded once (the __int128 conversion rounds correctly). */
            const double got = sq_xacc_value(&st.fsum[SQ_SUM_X]);
            CU_ASSERT(got == (double)exact);
            if (got != (double)exact)
                fprintf(stderr, "\n  integer floats, %d threads: got %a, want %a\n", nt, got,
                        (double)exact);
        }
    }
    free(x);
    free(sq);
    free(cu);
}

static void test_float_specials(void) {
    const double tiny = 0x1p-1074, sub = 0x1p-1030;
    int bad = 0;
    /* A mix of every special value. */
    {
        const double x[] = {NAN,      -0.0, 0.0,       tiny,    -sub,  DBL_MAX, -DBL_MAX,
                            INFINITY, 3.5,  -INFINITY, DBL_MIN, 1e154, -1e103,  NAN};
        bad += run_float(x, (int64_t)(sizeof x / sizeof x[0]), 1, "specials");
        sq_stats st;
        double sq[14], cu[14];
        omp_set_num_threads(1);
        sq_stats_init(&st, SQ_DTYPE_FLOAT64);
        sq_kernel_float64(x, 14, sq, cu, &st);
        CU_ASSERT_EQUAL(st.count, 14);
        CU_ASSERT_EQUAL(st.nan, 2);
        CU_ASSERT_EQUAL(st.nonfinite, 4);
        CU_ASSERT_EQUAL(st.has_minmax, 1);
        CU_ASSERT(isinf(sq_stats_min(&st)) && sq_stats_min(&st) < 0);
        CU_ASSERT(isinf(sq_stats_max(&st)) && sq_stats_max(&st) > 0);
        CU_ASSERT(isnan(sq_stats_sum(&st, SQ_SUM_X)));
        /* Signed zero, subnormals, overflow, in the stored values. */
        CU_ASSERT(same_bits(sq[1], 0.0) && same_bits(cu[1], -0.0));
        CU_ASSERT(same_bits(sq[3], 0.0) && same_bits(cu[3], 0.0));
        CU_ASSERT(same_bits(sq[5], INFINITY) && same_bits(cu[5], INFINITY));
        CU_ASSERT(same_bits(cu[6], -INFINITY));
        CU_ASSERT(same_bits(sq[7], INFINITY) && same_bits(cu[9], -INFINITY));
        CU_ASSERT(same_bits(cu[12], -INFINITY));
        CU_ASSERT(isnan(sq[0]) && isnan(cu[13]));
    }
    /* Without NaN and infinities: min/max are the finite extremes. */
    {
        const double x[] = {-0.0, tiny, -sub, DBL_MAX, -DBL_MAX, 3.5, DBL_MIN};
        bad += run_float(x, 7, 1, "finite extremes");
    }
    /* All NaN: counted, has_minmax 0, min/max NaN, sums NaN. */
    for (int s = 1; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        double *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = NAN;
        bad += run_float(x, n, 1, "all NaN");
        sq_stats st;
        double *sq = xmalloc((size_t)n * sizeof *sq), *cu = xmalloc((size_t)n * sizeof *cu);
        for (int nt = 1; nt <= MAXTHREADS; ++nt) {
            omp_set_num_threads(nt);
            sq_stats_init(&st, SQ_DTYPE_FLOAT64);
            sq_kernel_float64(x, n, sq, cu, &st);
            CU_ASSERT_EQUAL(st.has_minmax, 0);
            CU_ASSERT_EQUAL(st.nan, n);
            CU_ASSERT_EQUAL(st.nonfinite, n);
            CU_ASSERT(isnan(sq_stats_min(&st)) && isnan(sq_stats_max(&st)));
        }
        /* All +Inf: min = max = +Inf. All -Inf: min = max = -Inf. */
        for (int sign = -1; sign <= 1; sign += 2) {
            for (int64_t i = 0; i < n; ++i)
                x[i] = sign * INFINITY;
            bad += run_float(x, n, 1, sign > 0 ? "all +Inf" : "all -Inf");
            for (int nt = 1; nt <= MAXTHREADS; ++nt) {
                omp_set_num_threads(nt);
                sq_stats_init(&st, SQ_DTYPE_FLOAT64);
                sq_kernel_float64(x, n, sq, cu, &st);
                CU_ASSERT_EQUAL(st.has_minmax, 1);
                CU_ASSERT_EQUAL(st.nonfinite, n);
                CU_ASSERT_EQUAL(st.nan, 0);
                CU_ASSERT(sq_stats_min(&st) == sign * INFINITY);
                CU_ASSERT(sq_stats_max(&st) == sign * INFINITY);
            }
        }
        /* All +Inf but one NaN, and one -Inf among NaNs. */
        for (int64_t i = 0; i < n; ++i)
            x[i] = INFINITY;
        x[n / 2] = NAN;
        bad += run_float(x, n, 1, "+Inf and a NaN");
        for (int64_t i = 0; i < n; ++i)
            x[i] = NAN;
        x[n - 1] = -INFINITY;
        bad += run_float(x, n, 1, "NaNs and a -Inf");
        /* Finite data with one NaN at a block or slice boundary, or one +Inf at the end. */
        for (int64_t i = 0; i < n; ++i)
            x[i] = (double)(i % 7) - 3.0;
        x[n - 1] = NAN;
        bad += run_float(x, n, 1, "NaN at the end");
        x[n - 1] = INFINITY;
        x[0] = NAN;
        bad += run_float(x, n, 1, "NaN first, +Inf last");
        /* A slice of NaN at the front: the first quarter (one thread's share with 4). */
        for (int64_t i = 0; i < n; ++i)
            x[i] = i < (n + 3) / 4 ? NAN : -(double)i;
        bad += run_float(x, n, 1, "NaN quarter");
        /* -0.0 and +0.0 only: min and max compare equal to 0. */
        for (int64_t i = 0; i < n; ++i)
            x[i] = (i & 1) ? -0.0 : 0.0;
        bad += run_float(x, n, 1, "signed zeros");
        free(sq);
        free(cu);
        free(x);
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* n = 0: nothing counted, nothing written. */
    double x0 = 1.0, sq0 = 7.0, cu0 = 7.0;
    sq_stats st;
    sq_stats_init(&st, SQ_DTYPE_FLOAT64);
    sq_kernel_float64(&x0, 0, &sq0, &cu0, &st);
    CU_ASSERT_EQUAL(st.count, 0);
    CU_ASSERT_EQUAL(st.has_minmax, 0);
    CU_ASSERT_EQUAL(sq0, 7.0);
    CU_ASSERT_EQUAL(cu0, 7.0);
}

/* The kernel merges into *st: two calls on two halves give the record of the whole. */
static void test_float_accumulates(void) {
    double x[1000], sq[1000], cu[1000];
    for (int i = 0; i < 1000; ++i)
        x[i] = (double)(i - 500);
    x[10] = NAN;
    omp_set_num_threads(3);
    sq_stats st;
    sq_stats_init(&st, SQ_DTYPE_FLOAT64);
    sq_kernel_float64(x, 400, sq, cu, &st);
    sq_kernel_float64(x + 400, 600, sq + 400, cu + 400, &st);
    CU_ASSERT_EQUAL(st.count, 1000);
    CU_ASSERT_EQUAL(st.nan, 1);
    CU_ASSERT_EQUAL(sq_stats_min(&st), -500.0);
    CU_ASSERT_EQUAL(sq_stats_max(&st), 499.0);
    CU_ASSERT(isnan(sq_stats_sum(&st, SQ_SUM_X)));
    x[10] = -490.0;
    sq_stats_init(&st, SQ_DTYPE_FLOAT64);
    sq_kernel_float64(x, 400, sq, cu, &st);
    sq_kernel_float64(x + 400, 600, sq + 400, cu + 400, &st);
    /* sum of -500..499 = -500; x[10] was -490, still -490. */
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_X), -500.0);
    /* sum of squares of -500..499 = 2 * (1^2 + ... + 499^2) + 500^2 = 83333500. */
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_SQ), 83333500.0);
    /* sum of cubes = -500^3 = -125000000. */
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_CUBE), -125000000.0);
}

/* ---- int64 -> int64 kernel ---------------------------------------------------------------- */

static int run_int64(const int64_t *x, int64_t n, const char *what) {
    int bad = 0;
    int64_t *sq = xmalloc((size_t)n * sizeof *sq), *cu = xmalloc((size_t)n * sizeof *cu);
    __int128 s1 = 0, s2 = 0, s3 = 0;
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (int64_t i = 0; i < n; ++i) {
        s1 += x[i];
        s2 += (__int128)x[i] * x[i];
        s3 += (__int128)x[i] * x[i] * x[i];
        mn = x[i] < mn ? x[i] : mn;
        mx = x[i] > mx ? x[i] : mx;
    }
    sq_stats st1;
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_INT64);
        const int64_t rc = sq_kernel_int64(x, n, sq, cu, &st);
        if (rc != -1) {
            fprintf(stderr, "\n  %s: returned %lld for in-range data\n", what, (long long)rc);
            ++bad;
            continue;
        }
        int vbad = 0;
        for (int64_t i = 0; i < n; ++i) {
            const __int128 q = (__int128)x[i] * x[i], c = q * x[i];
            vbad += (__int128)sq[i] != q || (__int128)cu[i] != c;
        }
        bad += vbad != 0;
        bad += st.count != n || st.nan != 0 || st.nonfinite != 0;
        bad += st.has_minmax != (n > 0);
        if (n > 0)
            bad += st.imin != mn || st.imax != mx || sq_stats_min(&st) != (double)mn ||
                   sq_stats_max(&st) != (double)mx;
        bad += !i256_equal_i128(&st.isum[SQ_SUM_X], s1);
        bad += !i256_equal_i128(&st.isum[SQ_SUM_SQ], s2);
        bad += !i256_equal_i128(&st.isum[SQ_SUM_CUBE], s3);
        if (nt == 1)
            st1 = st;
        else
            bad += memcmp(st.isum, st1.isum, sizeof st.isum) != 0 || st.imin != st1.imin ||
                   st.imax != st1.imax || st.count != st1.count;
    }
    free(sq);
    free(cu);
    return bad;
}

static void test_int64_values(void) {
    rng_state = 0x5555AAAA3333CCCCu;
    int bad = 0;
    for (int s = 0; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        int64_t *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = (int64_t)(rnd() % 4194304) - 2097152; /* every value whose cube fits */
        if (n > 2) {
            x[0] = SQ_CUBE_INT64_MIN;
            x[n - 1] = SQ_CUBE_INT64_MAX;
            x[n / 2] = 0;
        }
        bad += run_int64(x, n, "random int64");
        /* All at the extremes: the cube sums reach 2^63 * n, past int64. */
        for (int64_t i = 0; i < n; ++i)
            x[i] = (i % 3 == 0) ? SQ_CUBE_INT64_MAX : SQ_CUBE_INT64_MIN;
        bad += run_int64(x, n, "int64 extremes");
        for (int64_t i = 0; i < n; ++i)
            x[i] = SQ_CUBE_INT64_MIN;
        bad += run_int64(x, n, "all -2097152");
        for (int64_t i = 0; i < n; ++i)
            x[i] = SQ_CUBE_INT64_MAX;
        bad += run_int64(x, n, "all 2097151");
        free(x);
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* The whole range -2097152 .. 2097151 once: closed forms (computed with Python integers). */
    const int64_t n = INT64_C(4194304);
    int64_t *x = xmalloc((size_t)n * sizeof *x), *sq = xmalloc((size_t)n * sizeof *sq),
            *cu = xmalloc((size_t)n * sizeof *cu);
    for (int64_t i = 0; i < n; ++i)
        x[i] = SQ_CUBE_INT64_MIN + i;
    for (int nt = 1; nt <= MAXTHREADS; nt += 3) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_INT64);
        CU_ASSERT_EQUAL(sq_kernel_int64(x, n, sq, cu, &st), -1);
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_X], "-2097152"));
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_SQ], "6148914691237216256"));
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_CUBE], "-9223372036854775808"));
        CU_ASSERT_EQUAL(cu[0], INT64_MIN);
        CU_ASSERT_EQUAL(cu[n - 1], INT64_C(9223358842721533951)); /* 2097151^3 */
        CU_ASSERT_EQUAL(sq[0], INT64_C(4398046511104));
        CU_ASSERT_EQUAL(st.imin, SQ_CUBE_INT64_MIN);
        CU_ASSERT_EQUAL(st.imax, SQ_CUBE_INT64_MAX);
        CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_CUBE), -0x1p63);
    }
    free(x);
    free(sq);
    free(cu);
}

/* Fills x with in-range values, puts bad values at the given offsets, and checks that every
 * thread count reports the smallest of them. */
static int overflow_case(int64_t n, const int64_t *pos, int npos, int64_t badval) {
    int64_t *x = xmalloc((size_t)n * sizeof *x), *sq = xmalloc((size_t)n * sizeof *sq),
            *cu = xmalloc((size_t)n * sizeof *cu);
    for (int64_t i = 0; i < n; ++i)
        x[i] = (i % 2) ? SQ_CUBE_INT64_MIN : SQ_CUBE_INT64_MAX;
    int64_t first = -1;
    for (int k = 0; k < npos; ++k) {
        x[pos[k]] = badval;
        if (first == -1 || pos[k] < first)
            first = pos[k];
    }
    int bad = 0;
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_INT64);
        const int64_t rc = sq_kernel_int64(x, n, sq, cu, &st);
        if (rc != first) {
            ++bad;
            fprintf(stderr, "\n  n=%lld bad value %lld, %d threads: returned %lld, expected %lld\n",
                    (long long)n, (long long)badval, nt, (long long)rc, (long long)first);
        }
    }
    free(x);
    free(sq);
    free(cu);
    return bad;
}

static void test_int64_overflow(void) {
    const int64_t badvals[] = {INT64_C(2097152), INT64_C(-2097153),   INT64_MIN,
                               INT64_MAX,        INT64_C(3000000000), INT64_C(-3000000000)};
    int bad = 0;
    for (size_t b = 0; b < sizeof badvals / sizeof badvals[0]; ++b) {
        const int64_t v = badvals[b];
        for (int s = 1; s < NSIZES; ++s) {
            const int64_t n = sizes[s];
            const int64_t p0[] = {0};
            const int64_t plast[] = {n - 1};
            const int64_t pmid[] = {n / 2};
            const int64_t ptwo[] = {n - 1, n / 2}; /* two bad: the first is n/2 */
            const int64_t pthree[] = {n - 1, n / 3, 2 * n / 3};
            bad += overflow_case(n, p0, 1, v);
            bad += overflow_case(n, plast, 1, v);
            bad += overflow_case(n, pmid, 1, v);
            bad += overflow_case(n, ptwo, n > 1 ? 2 : 1, v);
            bad += overflow_case(n, pthree, n > 2 ? 3 : 1, v);
        }
        /* Block boundaries, later blocks, later threads' slices, several bad in one block. */
        const int64_t n = 100003;
        const int64_t cases[][4] = {
            {255, -1, -1, -1},      {256, -1, -1, -1},         {257, -1, -1, -1},
            {511, 512, -1, -1},     {300, 100000, -1, -1},     {260, 258, 259, -1},
            {30000, 80000, -1, -1}, {80000, 60000, 99999, -1}, {25001, 25000, 75002, -1},
            {50002, 50001, -1, -1}, {33335, 66669, 33334, -1}, {100002, 75001, 75000, 75003},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
            int k = 0;
            while (k < 4 && cases[c][k] >= 0)
                ++k;
            bad += overflow_case(n, cases[c], k, v);
        }
        /* Bad values at the first element of each thread's slice for every thread count. */
        for (int nt = 2; nt <= MAXTHREADS; ++nt)
            for (int t = 1; t < nt; ++t) {
                const int64_t pos[] = {n * t / nt, n * t / nt + 1, n * t / nt - 1 + (t == 1)};
                bad += overflow_case(n, pos, 1, v);
                bad += overflow_case(n, pos + 1, 1, v);
                bad += overflow_case(n, pos, 3, v);
            }
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* The edges themselves are fine: -2097152 and 2097151 on their own. */
    int64_t x[2] = {SQ_CUBE_INT64_MIN, SQ_CUBE_INT64_MAX}, sq[2], cu[2];
    sq_stats st;
    sq_stats_init(&st, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(sq_kernel_int64(x, 2, sq, cu, &st), -1);
    CU_ASSERT_EQUAL(cu[0], INT64_MIN);
    CU_ASSERT_EQUAL(cu[1], INT64_C(9223358842721533951));
    x[1] = INT64_C(2097152);
    sq_stats_init(&st, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(sq_kernel_int64(x, 2, sq, cu, &st), 1);
    x[0] = INT64_C(-2097153);
    sq_stats_init(&st, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(sq_kernel_int64(x, 2, sq, cu, &st), 0);
}

/* The kernel merges into *st: two calls give the record of the whole. */
static void test_int64_accumulates(void) {
    int64_t x[1000], sq[1000], cu[1000];
    for (int i = 0; i < 1000; ++i)
        x[i] = (int64_t)i * 2000 - 1000000;
    omp_set_num_threads(2);
    sq_stats st;
    sq_stats_init(&st, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(sq_kernel_int64(x, 333, sq, cu, &st), -1);
    CU_ASSERT_EQUAL(sq_kernel_int64(x + 333, 667, sq + 333, cu + 333, &st), -1);
    __int128 s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < 1000; ++i) {
        s1 += x[i];
        s2 += (__int128)x[i] * x[i];
        s3 += (__int128)x[i] * x[i] * x[i];
    }
    CU_ASSERT_EQUAL(st.count, 1000);
    CU_ASSERT_EQUAL(st.imin, -1000000);
    CU_ASSERT_EQUAL(st.imax, 998000);
    CU_ASSERT(i256_equal_i128(&st.isum[SQ_SUM_X], s1));
    CU_ASSERT(i256_equal_i128(&st.isum[SQ_SUM_SQ], s2));
    CU_ASSERT(i256_equal_i128(&st.isum[SQ_SUM_CUBE], s3));
}

/* ---- int64 -> float64 kernel ---------------------------------------------------------------- */

/* Independent checks of one element's stored values; returns failures. */
static int check_i2f_value(int64_t x, double sq, double cu) {
    int bad = 0;
    const double r2 = ref_pow(x, 2), r3 = ref_pow(x, 3);
    bad += !same_bits(sq, r2) || !same_bits(cu, r3);
    bad += !same_bits(sq_round_square(x), r2) || !same_bits(sq_round_cube(x), r3);
    const int64_t ax = x < 0 ? -(x + 1) : x; /* |x| - (x < 0), no overflow */
    if (ax < (INT64_C(1) << 26)) {
        /* x and x*x are exact doubles: one product, no rounding. */
        const double d = (double)x;
        bad += !same_bits(sq, d * d);
        if (ax < (INT64_C(1) << 17))
            bad += !same_bits(cu, d * d * d); /* |x^3| < 2^51: exact */
    }
    if (ax < (INT64_C(1) << 31)) {
        /* x^2 < 2^62 is exact in long double (64-bit mantissa): one rounding to double. */
        const long double q = (long double)x * (long double)x;
        bad += !same_bits(sq, (double)q);
    }
    if (ax < (INT64_C(1) << 21)) {
        const long double c = (long double)x * (long double)x * (long double)x; /* < 2^63 */
        bad += !same_bits(cu, (double)c);
    }
    if (bad)
        fprintf(stderr, "\n  int64->float64 x=%lld: sq %a (ref %a) cu %a (ref %a)\n", (long long)x,
                sq, r2, cu, r3);
    return bad;
}

static int run_i2f(const int64_t *x, int64_t n, const char *what) {
    int bad = 0;
    double *sq = xmalloc((size_t)n * sizeof *sq), *cu = xmalloc((size_t)n * sizeof *cu);
    double *sq1 = xmalloc((size_t)n * sizeof *sq1), *cu1 = xmalloc((size_t)n * sizeof *cu1);
    bigacc a1, a2, a3;
    memset(&a1, 0, sizeof a1);
    memset(&a2, 0, sizeof a2);
    memset(&a3, 0, sizeof a3);
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (int64_t i = 0; i < n; ++i) {
        acc_add_pow(&a1, x[i], 1);
        acc_add_pow(&a2, x[i], 2);
        acc_add_pow(&a3, x[i], 3);
        mn = x[i] < mn ? x[i] : mn;
        mx = x[i] > mx ? x[i] : mx;
    }
    sq_stats st1;
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_INT64);
        sq_kernel_int64_to_float64(x, n, sq, cu, &st);
        if (nt == 1) {
            int vbad = 0;
            for (int64_t i = 0; i < n; ++i)
                vbad += check_i2f_value(x[i], sq[i], cu[i]) != 0 && vbad < 5;
            bad += vbad != 0;
            st1 = st;
            memcpy(sq1, sq, (size_t)n * sizeof *sq);
            memcpy(cu1, cu, (size_t)n * sizeof *cu);
        } else {
            bad += n > 0 && (memcmp(sq, sq1, (size_t)n * sizeof *sq) != 0 ||
                             memcmp(cu, cu1, (size_t)n * sizeof *cu) != 0);
            bad += memcmp(st.isum, st1.isum, sizeof st.isum) != 0;
        }
        bad += st.type != SQ_DTYPE_INT64 || st.count != n || st.nan != 0 || st.nonfinite != 0;
        bad += st.has_minmax != (n > 0);
        if (n > 0)
            bad += st.imin != mn || st.imax != mx;
        const int e1 = acc_equals(&a1, &st.isum[SQ_SUM_X]),
                  e2 = acc_equals(&a2, &st.isum[SQ_SUM_SQ]),
                  e3 = acc_equals(&a3, &st.isum[SQ_SUM_CUBE]);
        if (!e1 || !e2 || !e3) {
            ++bad;
            fprintf(stderr,
                    "\n  %s (n=%lld, %d threads): exact sums differ (x %d, x^2 %d, x^3 %d)\n", what,
                    (long long)n, nt, e1, e2, e3);
        }
    }
    free(sq);
    free(cu);
    free(sq1);
    free(cu1);
    return bad;
}

static void test_i2f_known(void) {
    /* Correctly rounded squares and cubes computed with Python integers (int -> float rounds to
     * nearest, ties to even). */
    static const struct {
        int64_t x;
        double sq, cu;
    } known[] = {
        {INT64_C(3000000000), 0x1.f399b1438a100p+62, 0x1.5cf781936bf62p+94},
        {INT64_C(4611686018427387904), 0x1p+124, 0x1p+186},
        {INT64_MIN, 0x1p+126, -0x1p+189},
        {INT64_MAX, 0x1p+126, 0x1p+189},
        {INT64_C(-123456789012345), 0x1.89fc4ebe8c50dp+93, -0x1.599bff71dbdf2p+140},
        {INT64_C(1099511627777), 0x1.0000000002000p+80, 0x1.0000000003000p+120},
        {INT64_C(-1099511627776), 0x1p+80, -0x1p+120},
        {INT64_C(2097151), 0x1.ffffe00000800p+41, 0x1.ffffd00001800p+62},
        {INT64_C(-2097152), 0x1p+42, -0x1p+63},
        {INT64_C(9007199254740993), 0x1.0000000000001p+106, 0x1.0000000000002p+159},
        {INT64_C(4398046511105), 0x1.0000000000800p+84, 0x1.0000000000c00p+126},
        {INT64_C(-4398046511105), 0x1.0000000000800p+84, -0x1.0000000000c00p+126},
        {INT64_C(67108865), 0x1.0000008000001p+52, 0x1.000000c000003p+78},
        {INT64_C(94906267), 0x1.0000007c84becp+53, 0x1.6a09e7701886bp+79},
        {INT64_C(-3037000499), 0x1.fffffffa7a877p+62, -0x1.6a09e66218867p+94},
        {0, 0.0, 0.0},
        {-1, 1.0, -1.0},
    };
    const int n = (int)(sizeof known / sizeof known[0]);
    int64_t x[sizeof known / sizeof known[0]];
    double sq[sizeof known / sizeof known[0]], cu[sizeof known / sizeof known[0]];
    for (int i = 0; i < n; ++i)
        x[i] = known[i].x;
    sq_stats st;
    sq_stats_init(&st, SQ_DTYPE_INT64);
    omp_set_num_threads(2);
    sq_kernel_int64_to_float64(x, n, sq, cu, &st);
    for (int i = 0; i < n; ++i) {
        CU_ASSERT(same_bits(sq[i], known[i].sq));
        CU_ASSERT(same_bits(cu[i], known[i].cu));
        CU_ASSERT(same_bits(sq_round_square(known[i].x), known[i].sq));
        CU_ASSERT(same_bits(sq_round_cube(known[i].x), known[i].cu));
        CU_ASSERT(same_bits(ref_pow(known[i].x, 2), known[i].sq)); /* the reference itself */
        CU_ASSERT(same_bits(ref_pow(known[i].x, 3), known[i].cu));
        if (!same_bits(cu[i], known[i].cu) || !same_bits(sq[i], known[i].sq))
            fprintf(stderr, "\n  x=%lld: sq %a cu %a\n", (long long)x[i], sq[i], cu[i]);
    }

    /* Exact sums of a repeating pattern of big values (Python integers): n = 1000, x[i] =
     * pattern[i % 7]. */
    static const int64_t pattern[7] = {INT64_C(3000000000),
                                       INT64_C(4611686018427387904),
                                       INT64_MIN,
                                       INT64_MAX,
                                       INT64_C(-123456789012345),
                                       INT64_C(1099511627777),
                                       INT64_C(-1099511627776)};
    int64_t big[1000];
    double bsq[1000], bcu[1000];
    for (int i = 0; i < 1000; ++i)
        big[i] = pattern[i % 7];
    for (int nt = 1; nt <= MAXTHREADS; ++nt) {
        omp_set_num_threads(nt);
        sq_stats_init(&st, SQ_DTYPE_INT64);
        sq_kernel_int64_to_float64(big, 1000, bsq, bcu, &st);
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_X], "659453447842799332713"));
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_SQ], "27371462891382877959056030750767929492861"));
        CU_ASSERT(dec_equals(&st.isum[SQ_SUM_CUBE],
                             "14025399190004345715480390803443897735917107267628245069337"));
        CU_ASSERT_EQUAL(st.imin, INT64_MIN);
        CU_ASSERT_EQUAL(st.imax, INT64_MAX);
        CU_ASSERT_EQUAL(sq_stats_min(&st), -0x1p63);
        CU_ASSERT_EQUAL(sq_stats_max(&st), 0x1p63);
    }

    /* n copies of INT64_MIN: sum of cubes = -n * 2^189; of 2^62: n * 2^186. */
    int64_t m[257];
    double msq[257], mcu[257];
    for (int i = 0; i < 257; ++i)
        m[i] = INT64_MIN;
    sq_stats_init(&st, SQ_DTYPE_INT64);
    omp_set_num_threads(3);
    sq_kernel_int64_to_float64(m, 257, msq, mcu, &st);
    CU_ASSERT(dec_equals(&st.isum[SQ_SUM_X], "-2370406613471677382656")); /* -257*2^63 */
    CU_ASSERT(dec_equals(&st.isum[SQ_SUM_SQ],
                         "21863142074670296277521818527491107586048")); /* 257*2^126 */
    CU_ASSERT(dec_equals(
        &st.isum[SQ_SUM_CUBE],
        "-201651893249297119538224735220546283617288168653407108726784")); /* -257*2^189 */
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_CUBE), -257 * 0x1p189);
    for (int i = 0; i < 257; ++i)
        m[i] = INT64_C(1) << 62;
    sq_stats_init(&st, SQ_DTYPE_INT64);
    sq_kernel_int64_to_float64(m, 257, msq, mcu, &st);
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_CUBE), 257 * 0x1p186);
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_SQ), 257 * 0x1p124);
    CU_ASSERT_EQUAL(sq_stats_sum(&st, SQ_SUM_X), 257 * 0x1p62);
    for (int i = 0; i < 257; ++i)
        m[i] = INT64_C(3000000000);
    sq_stats_init(&st, SQ_DTYPE_INT64);
    sq_kernel_int64_to_float64(m, 257, msq, mcu, &st);
    CU_ASSERT(
        dec_equals(&st.isum[SQ_SUM_CUBE], "6939000000000000000000000000000")); /* 257 * 2.7e28 */
    CU_ASSERT(dec_equals(&st.isum[SQ_SUM_SQ], "2313000000000000000000"));
    CU_ASSERT(dec_equals(&st.isum[SQ_SUM_X], "771000000000"));
}

static int64_t rnd_i64_len(void) {
    /* Every bit length from 0 to 64, both signs. */
    const int len = (int)(rnd() % 65);
    uint64_t v = len == 0 ? 0 : rnd() >> (64 - len);
    int64_t r = (int64_t)v;
    if (len < 64 && (rnd() & 1))
        r = -r;
    return r;
}

static void test_i2f_values(void) {
    rng_state = 0xA5A5A5A55A5A5A5Au;
    int bad = 0;
    static const int64_t edges[] = {0,
                                    1,
                                    -1,
                                    (INT64_C(1) << 17) - 1,
                                    INT64_C(1) << 17,
                                    (INT64_C(1) << 26) - 1,
                                    INT64_C(1) << 26,
                                    (INT64_C(1) << 26) + 1,
                                    (INT64_C(1) << 31) + 1,
                                    INT64_C(1) << 40,
                                    (INT64_C(1) << 40) + 1,
                                    -(INT64_C(1) << 40) - 1,
                                    INT64_C(1) << 42,
                                    (INT64_C(1) << 42) + 1,
                                    -(INT64_C(1) << 42),
                                    -(INT64_C(1) << 42) - 1,
                                    (INT64_C(1) << 53) + 1,
                                    -(INT64_C(1) << 53) - 1,
                                    INT64_C(3000000000),
                                    INT64_C(-3000000000),
                                    INT64_C(1) << 62,
                                    (INT64_C(1) << 62) + 1,
                                    INT64_MAX,
                                    INT64_MAX - 1,
                                    INT64_MIN,
                                    INT64_MIN + 1,
                                    SQ_CUBE_INT64_MIN,
                                    SQ_CUBE_INT64_MAX,
                                    INT64_C(2097152),
                                    INT64_C(-2097153)};
    const int nedges = (int)(sizeof edges / sizeof edges[0]);
    for (int s = 0; s < NSIZES; ++s) {
        const int64_t n = sizes[s];
        int64_t *x = xmalloc((size_t)n * sizeof *x);
        for (int64_t i = 0; i < n; ++i)
            x[i] = (i % 5 == 0) ? edges[rnd() % (uint64_t)nedges] : rnd_i64_len();
        bad += run_i2f(x, n, "random int64 -> float64");
        /* Everything huge: cubes near 2^189 everywhere. */
        for (int64_t i = 0; i < n; ++i)
            x[i] =
                (i & 1) ? INT64_MIN + (int64_t)(rnd() % 1000) : INT64_MAX - (int64_t)(rnd() % 1000);
        bad += run_i2f(x, n, "huge int64 -> float64");
        free(x);
    }
    int64_t e[sizeof edges / sizeof edges[0]];
    memcpy(e, edges, sizeof edges);
    bad += run_i2f(e, nedges, "edge values");
    CU_ASSERT_EQUAL(bad, 0);
}

/* The kernel merges into *st, and the int64 kernels agree on the same data. */
static void test_i2f_consistent(void) {
    int64_t x[1000], isq[1000], icu[1000];
    double fsq[1000], fcu[1000];
    rng_state = 0x1111222233334444u;
    for (int i = 0; i < 1000; ++i)
        x[i] = (int64_t)(rnd() % 4194304) - 2097152;
    omp_set_num_threads(4);
    sq_stats si, sf;
    sq_stats_init(&si, SQ_DTYPE_INT64);
    sq_stats_init(&sf, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(sq_kernel_int64(x, 1000, isq, icu, &si), -1);
    sq_kernel_int64_to_float64(x, 600, fsq, fcu, &sf);
    sq_kernel_int64_to_float64(x + 600, 400, fsq + 600, fcu + 600, &sf);
    CU_ASSERT_EQUAL(sf.count, 1000);
    CU_ASSERT(memcmp(si.isum, sf.isum, sizeof si.isum) == 0);
    CU_ASSERT_EQUAL(si.imin, sf.imin);
    CU_ASSERT_EQUAL(si.imax, sf.imax);
    int bad = 0;
    for (int i = 0; i < 1000; ++i)
        bad += fsq[i] != (double)isq[i] || fcu[i] != (double)icu[i];
    CU_ASSERT_EQUAL(bad, 0);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"float64 values and min/max/counts", test_float_values},
        {"float64 sums of small integers", test_float_sums_integers},
        {"float64 sums correctly rounded, random magnitudes", test_float_sums_bounded},
        {"float64 sums exact across blocks", test_float_sums_across_blocks},
        {"float64 NaN, Inf, -0.0, subnormal, DBL_MAX", test_float_specials},
        {"float64 merges into *st", test_float_accumulates},
        {"int64 values and exact sums", test_int64_values},
        {"int64 overflow offsets", test_int64_overflow},
        {"int64 merges into *st", test_int64_accumulates},
        {"int64->float64 known values and sums", test_i2f_known},
        {"int64->float64 rounding and exact sums", test_i2f_values},
        {"int64->float64 agrees with int64 kernel", test_i2f_consistent},
    };
    return sq_unit_run("kernel", tests, sizeof tests / sizeof tests[0]);
}
