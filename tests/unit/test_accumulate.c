/*
 * test_accumulate.c - CUnit suite for the exact float64 accumulator (src/accumulate.h).
 *
 * Expected values come from arithmetic done another way: cases whose exact sum is known by
 * construction (cancelling pairs, powers of two), k copies of one double summed as an exact
 * integer multiple of its ulp in __int128, and the rule that the block path and the term-by-term
 * path, both exact, must agree bit for bit in any order and any split.
 */
#include <CUnit/Basic.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accumulate.h"
#include "unit.h"

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A random double with random sign, 53 random bits and an exponent in [lo, hi]. */
static double rnd_double(int lo, int hi) {
    const double m = (double)((rnd() >> 11) | (UINT64_C(1) << 52));
    const double v = ldexp(m, lo - 52 + (int)(rnd() % (uint64_t)(hi - lo + 1)));
    return (rnd() & 1) ? -v : v;
}

static double sum_terms(const double *v, int n) {
    sq_xacc a;
    sq_xacc_init(&a);
    for (int i = 0; i < n; ++i)
        sq_xacc_add(&a, v[i]);
    return sq_xacc_value(&a);
}

static double sum_block(const double *v, int n) {
    sq_xacc a;
    sq_xacc_init(&a);
    for (int b = 0; b < n; b += SQ_XACC_BLOCK_MAX)
        sq_xacc_add_block(&a, v + b, n - b < SQ_XACC_BLOCK_MAX ? n - b : SQ_XACC_BLOCK_MAX);
    return sq_xacc_value(&a);
}

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void test_cancellation(void) {
    const double a[] = {1e308, 1.0, -1e308};
    CU_ASSERT_EQUAL(sum_terms(a, 3), 1.0);
    CU_ASSERT_EQUAL(sum_block(a, 3), 1.0);
    const double b[] = {0x1p53, 1.0, -0x1p53};
    CU_ASSERT_EQUAL(sum_terms(b, 3), 1.0);
    const double c[] = {1e300, 1e-300, -1e300};
    CU_ASSERT_EQUAL(sum_terms(c, 3), 1e-300);
    CU_ASSERT_EQUAL(sum_block(c, 3), 1e-300);
    const double d[] = {DBL_MAX, DBL_MAX, -DBL_MAX}; /* naive float64 would overflow */
    CU_ASSERT_EQUAL(sum_terms(d, 3), DBL_MAX);
    CU_ASSERT_EQUAL(sum_block(d, 3), DBL_MAX);
    const double e[] = {1.0, 0x1p-1074, -1.0};
    CU_ASSERT_EQUAL(sum_terms(e, 3), 0x1p-1074);
    CU_ASSERT_EQUAL(sum_block(e, 3), 0x1p-1074);
    const double z[] = {3.5, -3.5};
    CU_ASSERT_EQUAL(sum_terms(z, 2), 0.0);
    CU_ASSERT_EQUAL(sum_terms(z, 0), 0.0);
}

static void test_rounding(void) {
    /* Ties to even: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4; just above a tie rounds up. */
    const double a[] = {0x1p53, 1.0};
    CU_ASSERT_EQUAL(sum_terms(a, 2), 0x1p53);
    const double b[] = {0x1p53, 3.0};
    CU_ASSERT_EQUAL(sum_terms(b, 2), 0x1p53 + 4.0);
    const double c[] = {0x1p53, 1.0, 0x1p-1074};
    CU_ASSERT_EQUAL(sum_terms(c, 3), 0x1p53 + 2.0);
    const double d[] = {-0x1p53, -1.0, -0x1p-1074};
    CU_ASSERT_EQUAL(sum_terms(d, 3), -0x1p53 - 2.0);
    /* Overflow after rounding: the exact sum 2 * DBL_MAX rounds to +Inf. */
    const double e[] = {DBL_MAX, DBL_MAX};
    CU_ASSERT(isinf(sum_terms(e, 2)) && sum_terms(e, 2) > 0);
    /* Subnormals add exactly: 1000 * 2^-1074. */
    double f[1000];
    for (int i = 0; i < 1000; ++i)
        f[i] = 0x1p-1074;
    CU_ASSERT_EQUAL(sum_terms(f, 1000), 1000 * 0x1p-1074);
    CU_ASSERT_EQUAL(sum_block(f, 1000), 1000 * 0x1p-1074);
}

/* k copies of v = m * 2^e sum to k * m * 2^e exactly; rounding that integer once (the conversion
 * of an __int128 is correctly rounded) gives the expected double. */
static void test_copies(void) {
    const double values[] = {0.1, 1.0 / 3.0, -2.718281828459045, 1e-310, 123456789.123};
    const int ks[] = {1, 3, 10, 255, 256, 257, 1000, 100003};
    int bad = 0;
    static double v[100003];
    for (size_t vi = 0; vi < sizeof values / sizeof values[0]; ++vi) {
        int e;
        const double f = frexp(values[vi], &e);  /* values = f * 2^e, |f| in [0.5, 1) */
        const int64_t m = (int64_t)ldexp(f, 53); /* exact: 53-bit integer */
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ++ki) {
            const int k = ks[ki];
            const double want = ldexp((double)((__int128)m * k), e - 53);
            for (int i = 0; i < k; ++i)
                v[i] = values[vi];
            const double t = sum_terms(v, k), b = sum_block(v, k);
            if (!same_bits(t, want) || !same_bits(b, want)) {
                if (bad++ < 5)
                    fprintf(stderr, "\n  %d x %a: want %a, terms %a, blocks %a\n", k, values[vi],
                            want, t, b);
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Random terms over a wide range, their negations, and a known remainder: the sum is the
 * remainder, whatever the order, the path (terms or blocks) and the split into merged parts. */
static void test_permutations_and_splits(void) {
    enum { N = 1500 };
    static double v[2 * N + 1];
    int bad = 0;
    for (int trial = 0; trial < 40; ++trial) {
        const int lo = trial % 2 ? -1000 : -60, hi = trial % 2 ? 1000 : 60;
        for (int i = 0; i < N; ++i) {
            v[2 * i] = rnd_double(lo, hi);
            v[2 * i + 1] = -v[2 * i];
        }
        const double rest = rnd_double(-20, 20);
        v[2 * N] = rest;
        const int n = 2 * N + 1;
        for (int i = n - 1; i > 0; --i) { /* shuffle */
            const int j = (int)(rnd() % (uint64_t)(i + 1));
            const double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        bad += !same_bits(sum_terms(v, n), rest);
        bad += !same_bits(sum_block(v, n), rest);
        /* Split into parts of random sizes, each summed by blocks, merged in two orders. */
        sq_xacc parts[8], fwd, rev;
        sq_xacc_init(&fwd);
        sq_xacc_init(&rev);
        int start = 0;
        for (int p = 0; p < 8; ++p) {
            const int end = p == 7 ? n : start + (int)(rnd() % (uint64_t)(n - start + 1));
            sq_xacc_init(&parts[p]);
            for (int b = start; b < end; b += SQ_XACC_BLOCK_MAX)
                sq_xacc_add_block(&parts[p], v + b,
                                  end - b < SQ_XACC_BLOCK_MAX ? end - b : SQ_XACC_BLOCK_MAX);
            start = end;
        }
        for (int p = 0; p < 8; ++p) {
            sq_xacc_merge(&fwd, &parts[p]);
            sq_xacc_merge(&rev, &parts[7 - p]);
        }
        bad += !same_bits(sq_xacc_value(&fwd), rest);
        bad += !same_bits(sq_xacc_value(&rev), rest);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Blocks that take every path: huge and tiny mixed (leftover bits), near overflow, subnormal
 * only; the block path must equal the term-by-term path bit for bit. */
static void test_block_paths(void) {
    static double v[SQ_XACC_BLOCK_MAX];
    int bad = 0;
    const int ranges[][2] = {{-5, 5},        {-200, 200}, {-1074, 1023}, {900, 1023},
                             {-1074, -1000}, {-30, -20},  {1000, 1023},  {-1060, -1022}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; ++r)
        for (int trial = 0; trial < 50; ++trial) {
            const int n = 1 + (int)(rnd() % SQ_XACC_BLOCK_MAX);
            for (int i = 0; i < n; ++i)
                v[i] = ranges[r][0] >= -1022 || i % 2 ? rnd_double(ranges[r][0], ranges[r][1])
                                                      : ldexp((double)(rnd() >> 12), -1074);
            if (trial % 5 == 0)
                v[rnd() % (uint64_t)n] = 0.0;
            const double t = sum_terms(v, n), b = sum_block(v, n);
            if (!same_bits(t, b) && bad++ < 5)
                fprintf(stderr, "\n  range [%d, %d] n %d: terms %a blocks %a\n", ranges[r][0],
                        ranges[r][1], n, t, b);
        }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_nonfinite(void) {
    const double a[] = {1.0, INFINITY, 2.0};
    CU_ASSERT(isinf(sum_terms(a, 3)) && sum_terms(a, 3) > 0);
    CU_ASSERT(isinf(sum_block(a, 3)) && sum_block(a, 3) > 0);
    const double b[] = {-INFINITY, 5.0};
    CU_ASSERT(isinf(sum_block(b, 2)) && sum_block(b, 2) < 0);
    const double c[] = {INFINITY, -INFINITY};
    CU_ASSERT(isnan(sum_terms(c, 2)));
    CU_ASSERT(isnan(sum_block(c, 2)));
    const double d[] = {1.0, NAN, 1.0};
    CU_ASSERT(isnan(sum_terms(d, 3)));
    CU_ASSERT(isnan(sum_block(d, 3)));
    /* Through merges: a finite part, an Inf part, then a -Inf part. */
    sq_xacc s, t, u;
    sq_xacc_init(&s);
    sq_xacc_init(&t);
    sq_xacc_init(&u);
    sq_xacc_add(&s, 3.0);
    sq_xacc_add(&t, INFINITY);
    sq_xacc_merge(&s, &t);
    CU_ASSERT(isinf(sq_xacc_value(&s)) && sq_xacc_value(&s) > 0);
    sq_xacc_add(&u, -INFINITY);
    sq_xacc_merge(&s, &u);
    CU_ASSERT(isnan(sq_xacc_value(&s)));
}

/* Many additions: past the normalisation interval, and big totals. */
static void test_many(void) {
    sq_xacc a;
    sq_xacc_init(&a);
    const int64_t n = (INT64_C(1) << 29) + 12345; /* crosses one normalisation */
    for (int64_t i = 0; i < n; ++i)
        sq_xacc_add(&a, 1.0);
    CU_ASSERT_EQUAL(sq_xacc_value(&a), (double)n);
    for (int64_t i = 0; i < 1000; ++i)
        sq_xacc_add(&a, -DBL_MAX);
    for (int64_t i = 0; i < 1000; ++i)
        sq_xacc_add(&a, DBL_MAX);
    CU_ASSERT_EQUAL(sq_xacc_value(&a), (double)n);
}

/* The same accumulator digits (normalised by merging into a zero accumulator) and counts. */
static int same_acc(const sq_xacc *a, const sq_xacc *b) {
    sq_xacc na, nb;
    sq_xacc_init(&na);
    sq_xacc_init(&nb);
    sq_xacc_merge(&na, a);
    sq_xacc_merge(&nb, b);
    return memcmp(na.digit, nb.digit, sizeof na.digit) == 0 && na.nan == nb.nan &&
           na.pinf == nb.pinf && na.ninf == nb.ninf;
}

/* One trial of sq_xacc_add_blocks3_ranged against adding the terms one by one, with the exact
 * bounds (largest and smallest magnitude) or looser ones. */
static int ranged_agrees(double *v[3], int n, int loose) {
    sq_xacc fast[3], slow[3];
    double bound[3], lower[3];
    for (int k = 0; k < 3; ++k) {
        sq_xacc_init(&fast[k]);
        sq_xacc_init(&slow[k]);
        double hi = 0.0, lo = INFINITY;
        for (int i = 0; i < n; ++i) {
            const double a = fabs(v[k][i]);
            hi = (a > hi || a != a) ? a : hi;
            lo = a < lo ? a : lo;
            sq_xacc_add(&slow[k], v[k][i]);
        }
        bound[k] = hi != hi ? INFINITY : hi;
        lower[k] = n > 0 ? lo : 0.0;
        if (loose) { /* any valid bounds: larger above, smaller (or 0) below */
            bound[k] = bound[k] * 4.0;
            lower[k] = (rnd() & 1) ? 0.0 : lower[k] / 4.0;
        }
    }
    sq_xacc *acc[3] = {&fast[0], &fast[1], &fast[2]};
    sq_xacc_add_blocks3_ranged(acc, v[0], v[1], v[2], n, bound, lower);
    int ok = 1;
    for (int k = 0; k < 3; ++k)
        ok &= same_acc(&fast[k], &slow[k]) &&
              same_bits(sq_xacc_value(&fast[k]), sq_xacc_value(&slow[k]));
    return ok;
}

/* The near-range fast path (one boundary, remainders summed in float64) is exact: random blocks
 * whose terms stay within 2^36 of the largest (it is taken) or not (the general path), full
 * 53-bit mantissas at both ends of the range, all remainders of one sign, subnormals, zeros,
 * NaN and Inf. */
static void test_ranged_blocks(void) {
    static double b0[SQ_XACC_BLOCK_MAX], b1[SQ_XACC_BLOCK_MAX], b2[SQ_XACC_BLOCK_MAX];
    double *v[3] = {b0, b1, b2};
    int failures = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const int n = 1 + (int)(rnd() % SQ_XACC_BLOCK_MAX);
        const int kind = trial % 7;
        for (int k = 0; k < 3; ++k) {
            const int top = (int)(rnd() % 1200) - 600; /* exponent of the block's largest */
            for (int i = 0; i < n; ++i) {
                double t;
                switch (kind) {
                case 0: /* within 2^36 of the top: the fast path */
                    t = rnd_double(top - 36, top);
                    break;
                case 1: /* exactly at the edges: 2^(top-36) .. just below 2^(top+1) */
                    t = (rnd() & 1) ? ldexp(1.0 + (double)(rnd() >> 12) * 0x1p-52, top - 36)
                                    : ldexp(2.0 - 0x1p-52, top);
                    if (rnd() & 1)
                        t = -t;
                    break;
                case 2: /* one sign, every low bit set: the remainders add up, none cancel */
                    t = ldexp(2.0 - 0x1p-52, top - (int)(rnd() % 37));
                    break;
                case 3: /* wider than 2^36: the general path */
                    t = rnd_double(top - 80, top);
                    break;
                case 4: /* subnormals and the smallest normals, zeros */
                    t = (rnd() % 8 == 0) ? 0.0
                                         : ldexp((double)(rnd() >> 11), -1074 - (int)(rnd() % 3));
                    break;
                case 5: /* half near the top, half 2^37..2^40 below: the general path */
                    t = (i % 2) ? rnd_double(top - 2, top) : rnd_double(top - 40, top - 37);
                    break;
                default: /* a few non-finite terms */
                    t = rnd_double(top - 20, top);
                    if (rnd() % 64 == 0)
                        t = (rnd() & 1) ? NAN : ((rnd() & 1) ? INFINITY : -INFINITY);
                    break;
                }
                v[k][i] = t;
            }
        }
        failures += !ranged_agrees(v, n, trial % 2);
    }
    CU_ASSERT_EQUAL(failures, 0);
    /* At the edge of the fast path's rule: 255 remainders just below 2^(e-43) and one term at
     * 2^(e-37) with its last bit (2^(e-89)) set. The remainders sum to about 2^(e-35), whose ulp
     * is 2^(e-87): summed in float64 the last bit would be lost, so this block must not take
     * the fast path (a term 2^37 below the bound is outside its 2^36). */
    for (int k = 0; k < 3; ++k) {
        for (int i = 0; i < SQ_XACC_BLOCK_MAX - 1; ++i)
            v[k][i] = 0x1p99 + (0x1p57 - 0x1p47); /* e = 100 */
        v[k][SQ_XACC_BLOCK_MAX - 1] = 0x1p63 * (1.0 + 0x1p-52);
    }
    CU_ASSERT(ranged_agrees(v, SQ_XACC_BLOCK_MAX, 0));
    /* the largest blocks at the largest exponents the boundaries allow, and n = 0 */
    for (int i = 0; i < SQ_XACC_BLOCK_MAX; ++i)
        b0[i] = b1[i] = b2[i] = ldexp(2.0 - 0x1p-52, 1000 - (int)(i % 37));
    CU_ASSERT(ranged_agrees(v, SQ_XACC_BLOCK_MAX, 0));
    CU_ASSERT(ranged_agrees(v, 0, 0));
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"cancellation (1e308 + 1 - 1e308)", test_cancellation},
        {"correct rounding, overflow, subnormals", test_rounding},
        {"k copies vs exact integer arithmetic", test_copies},
        {"permutations, splits and merges", test_permutations_and_splits},
        {"block path equals term path", test_block_paths},
        {"NaN and Inf rules", test_nonfinite},
        {"normalisation and large totals", test_many},
        {"near-range block path equals term path", test_ranged_blocks},
    };
    return sq_unit_run("accumulate", tests, sizeof tests / sizeof tests[0]);
}
