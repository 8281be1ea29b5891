/*
 * test_stats.c - CUnit suite for src/stats.h: 256-bit integers, double-double sums and the merging
 * of reduction records.
 *
 * Expected values come from __int128 arithmetic, from constants computed independently with
 * arbitrary-precision integers (Python), or from a bit-by-bit reference rounding written here.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "unit.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static sq_i256 mk(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) {
    sq_i256 a;
    a.w[0] = w0;
    a.w[1] = w1;
    a.w[2] = w2;
    a.w[3] = w3;
    return a;
}

static int same_i256(const sq_i256 *a, const sq_i256 *b) {
    return memcmp(a->w, b->w, sizeof a->w) == 0;
}

/* Two's-complement negation, written bit-wise: invert, then add one with an explicit carry. */
static sq_i256 neg256(sq_i256 a) {
    int carry = 1;
    for (int i = 0; i < 4; ++i) {
        a.w[i] = ~a.w[i];
        if (carry) {
            a.w[i] += 1;
            carry = a.w[i] == 0;
        }
    }
    return a;
}

static int bit_of(const uint64_t m[4], int b) {
    return (int)((m[b / 64] >> (b % 64)) & 1u);
}

/* Reference: the nearest double (ties to even) to a 256-bit two's-complement value, by looking at
 * the bits one at a time. */
static double ref_to_double(const sq_i256 *v) {
    sq_i256 a = *v;
    const int neg = (int)(a.w[3] >> 63);
    if (neg)
        a = neg256(a);
    int top = -1;
    for (int b = 255; b >= 0; --b)
        if (bit_of(a.w, b)) {
            top = b;
            break;
        }
    if (top < 0)
        return 0.0;
    uint64_t mant = 0;
    const int low = top >= 52 ? top - 52 : 0;
    for (int b = top; b >= low; --b)
        mant = mant * 2 + (uint64_t)bit_of(a.w, b);
    if (top > 52) {
        const int round = bit_of(a.w, top - 53);
        int sticky = 0;
        for (int b = top - 54; b >= 0; --b)
            sticky |= bit_of(a.w, b);
        if (round && (sticky || (mant & 1u)))
            ++mant;
    }
    const double d = ldexp((double)mant, low);
    return neg ? -d : d;
}

/* Decimal text of an __int128, written independently of the code under test. */
static void check_dec(const sq_i256 *a, const char *expect) {
    char buf[SQ_I256_DECIMAL_MAX];
    memset(buf, 'x', sizeof buf);
    sq_i256_to_decimal(a, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, expect);
    if (strcmp(buf, expect) != 0)
        fprintf(stderr, "\n  to_decimal: got %s, expected %s\n", buf, expect);
}

static sq_i256 from_i128(__int128 v) {
    sq_i256 a;
    sq_i256_zero(&a);
    sq_i256_add_i128(&a, v);
    return a;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
    /* xorshift64*: any decent source of bit patterns will do. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

/* A random int64 of a random bit length (so that products land on every scale). */
static int64_t rnd_i64_bits(int bits) { /* |result| < 2^bits, 1 <= bits <= 63 */
    const int64_t r = (int64_t)(rnd() >> (64 - bits));
    return (rnd() & 1) ? -r : r;
}

/* ---- sq_i256: add, add_i128, cmp ---------------------------------------------------------- */

static void test_i256_add(void) {
    sq_i256 a, b;
    sq_i256_zero(&a);
    CU_ASSERT(a.w[0] == 0 && a.w[1] == 0 && a.w[2] == 0 && a.w[3] == 0);

    /* A carry running through three limbs. */
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, 0);
    b = mk(1, 0, 0, 0);
    sq_i256_add(&a, &b);
    sq_i256 e = mk(0, 0, 0, 1);
    CU_ASSERT(same_i256(&a, &e));

    /* -1 + 1 = 0 (the carry out of the top limb is dropped). */
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    sq_i256_add(&a, &b);
    e = mk(0, 0, 0, 0);
    CU_ASSERT(same_i256(&a, &e));

    /* -1 + -1 = -2. */
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    b = a;
    sq_i256_add(&a, &b);
    e = mk(UINT64_MAX - 1, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    CU_ASSERT(same_i256(&a, &e));

    /* Carries from both halves of a limb at once: (2^64-1)*(1 + 2^64) + (2^64-1)*(1 + 2^64). */
    a = mk(UINT64_MAX, UINT64_MAX, 0, 0);
    b = mk(UINT64_MAX, UINT64_MAX, 0, 0);
    sq_i256_add(&a, &b);
    e = mk(UINT64_MAX - 1, UINT64_MAX, 1, 0);
    CU_ASSERT(same_i256(&a, &e));

    /* 2^255 - 1 + 1 wraps to -2^255. */
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX);
    b = mk(1, 0, 0, 0);
    sq_i256_add(&a, &b);
    e = mk(0, 0, 0, UINT64_C(1) << 63);
    CU_ASSERT(same_i256(&a, &e));

    /* add_i128 of negative values sign-extends: 0 + (-5) = -5, then + 5 = 0. */
    sq_i256_zero(&a);
    sq_i256_add_i128(&a, -5);
    e = mk((uint64_t)-5, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    CU_ASSERT(same_i256(&a, &e));
    check_dec(&a, "-5");
    sq_i256_add_i128(&a, 5);
    e = mk(0, 0, 0, 0);
    CU_ASSERT(same_i256(&a, &e));

    /* Past the __int128 range. */
    const __int128 i128max = (__int128)(((unsigned __int128)1 << 127) - 1);
    const __int128 i128min = -i128max - 1;
    sq_i256_zero(&a);
    sq_i256_add_i128(&a, i128max);
    sq_i256_add_i128(&a, i128max);
    check_dec(&a, "340282366920938463463374607431768211454");
    sq_i256_zero(&a);
    sq_i256_add_i128(&a, i128min);
    sq_i256_add_i128(&a, i128min);
    check_dec(&a, "-340282366920938463463374607431768211456");
    e = mk(0, 0, UINT64_MAX, UINT64_MAX); /* -2^128 = 2^256 - 2^128 */
    CU_ASSERT(same_i256(&a, &e));

    /* Random sums that stay inside __int128, against __int128. */
    int bad = 0;
    for (int t = 0; t < 200; ++t) {
        __int128 ref = 0;
        sq_i256_zero(&a);
        for (int k = 0; k < 50; ++k) {
            const __int128 v =
                (__int128)rnd_i64_bits(60) * ((__int128)1 << (rnd() % 60)) + rnd_i64_bits(40);
            ref += v;
            if (rnd() & 1) {
                sq_i256_add_i128(&a, v);
            } else {
                const sq_i256 vb = from_i128(v);
                sq_i256_add(&a, &vb);
            }
        }
        char want[64], got[SQ_I256_DECIMAL_MAX];
        sq_unit_i128_dec(ref, want);
        sq_i256_to_decimal(&a, got, sizeof got);
        bad += strcmp(want, got) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_i256_cmp(void) {
    const sq_i256 vals[] = {
        mk(0, 0, 0, UINT64_C(1) << 63),                         /* -2^255 */
        mk(0, 0, 0, UINT64_MAX),                                /* -2^192 */
        mk(0, 0, UINT64_MAX, UINT64_MAX),                       /* -2^128 */
        mk(UINT64_MAX - 1, UINT64_MAX, UINT64_MAX, UINT64_MAX), /* -2 */
        mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX),     /* -1 */
        mk(0, 0, 0, 0),
        mk(1, 0, 0, 0),
        mk(UINT64_MAX, 0, 0, 0),
        mk(0, 1, 0, 0),
        mk(0, 0, 0, 1),
        mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX), /* 2^255 - 1 */
    };
    const int n = (int)(sizeof vals / sizeof vals[0]);
    int bad = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const int c = sq_i256_cmp(&vals[i], &vals[j]);
            const int want = i < j ? -1 : i > j ? 1 : 0;
            bad += (c < 0 ? -1 : c > 0 ? 1 : 0) != want;
        }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- sq_i256_add_product3 ---------------------------------------------------------------------
 */

static void test_i256_product3_small(void) {
    /* Against __int128 where the product fits: |x|, |y|, |z| of up to 42 bits. */
    int bad = 0;
    for (int t = 0; t < 20000; ++t) {
        const int bx = 1 + (int)(rnd() % 42), by = 1 + (int)(rnd() % 42),
                  bz = 1 + (int)(rnd() % 42);
        const int64_t x = rnd_i64_bits(bx), y = rnd_i64_bits(by), z = rnd_i64_bits(bz);
        const __int128 acc0 = (__int128)rnd_i64_bits(60) * 1000;
        sq_i256 a = from_i128(acc0);
        sq_i256_add_product3(&a, x, y, z);
        const sq_i256 want = from_i128(acc0 + (__int128)x * y * z);
        bad += !same_i256(&a, &want);
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* Signs: every combination of signs of (3, 5, 7). */
    for (int m = 0; m < 8; ++m) {
        const int64_t x = (m & 1) ? -3 : 3, y = (m & 2) ? -5 : 5, z = (m & 4) ? -7 : 7;
        sq_i256 a;
        sq_i256_zero(&a);
        sq_i256_add_product3(&a, x, y, z);
        const int negative = ((m & 1) != 0) ^ ((m & 2) != 0) ^ ((m & 4) != 0);
        check_dec(&a, negative ? "-105" : "105");
    }
    /* A zero factor gives 0 whatever the others are. */
    sq_i256 a;
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MIN, 0, INT64_MIN);
    sq_i256_add_product3(&a, 0, INT64_MAX, -1);
    check_dec(&a, "0");
}

static void test_i256_product3_big(void) {
    sq_i256 a;
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MIN, INT64_MIN, INT64_MIN);
    /* -2^189: bit 189 is bit 61 of limb 2; two's complement sets every bit from 189 up. */
    const sq_i256 m189 = mk(0, 0, UINT64_C(0xE000000000000000), UINT64_MAX);
    CU_ASSERT(same_i256(&a, &m189));
    check_dec(&a, "-784637716923335095479473677900958302012794430558004314112");

    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MAX, INT64_MAX, INT64_MAX);
    check_dec(&a, "784637716923335095224261902710254454442933591094742482943");

    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MIN, INT64_MIN, INT64_MAX);
    check_dec(&a, "784637716923335095394403086170723686146950778700062261248");

    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MAX, INT64_MIN, INT64_MAX);
    check_dec(&a, "-784637716923335095309332494440489070290330498878974984192");

    /* The four together: MAX^3 + MIN^3 + MIN*MIN*MAX + MIN*MAX*MAX. */
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_MAX, INT64_MAX, INT64_MAX);
    sq_i256_add_product3(&a, INT64_MIN, INT64_MIN, INT64_MIN);
    sq_i256_add_product3(&a, INT64_MIN, INT64_MAX, INT64_MIN);
    sq_i256_add_product3(&a, INT64_MAX, INT64_MAX, INT64_MIN);
    check_dec(&a, "-170141183460469231713240559642174554113");

    /* 3e9^3 and (2^62)^3. */
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, 3000000000, 3000000000, 3000000000);
    check_dec(&a, "27000000000000000000000000000");
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, INT64_C(1) << 62, INT64_C(1) << 62, INT64_C(1) << 62);
    const sq_i256 p186 = mk(0, 0, UINT64_C(1) << 58, 0);
    CU_ASSERT(same_i256(&a, &p186));

    /* x^3 - x^3 = 0 for big x, with the negative one first. */
    sq_i256_zero(&a);
    sq_i256_add_product3(&a, -INT64_MAX, INT64_MAX, INT64_MAX);
    sq_i256_add_product3(&a, INT64_MAX, INT64_MAX, INT64_MAX);
    check_dec(&a, "0");

    /* Random big triples: x*y*z + (-x)*y*z == 0 and x*y*z == y*z*x == z*x*y. */
    int bad = 0;
    for (int t = 0; t < 5000; ++t) {
        int64_t x = (int64_t)rnd(), y = (int64_t)rnd(), z = (int64_t)rnd();
        if (x == INT64_MIN)
            x = INT64_MAX;
        sq_i256 p, q, r;
        sq_i256_zero(&p);
        sq_i256_add_product3(&p, x, y, z);
        sq_i256_zero(&q);
        sq_i256_add_product3(&q, y, z, x);
        sq_i256_zero(&r);
        sq_i256_add_product3(&r, z, x, y);
        bad += !same_i256(&p, &q) || !same_i256(&p, &r);
        sq_i256_add_product3(&p, -x, y, z);
        const sq_i256 zero = mk(0, 0, 0, 0);
        bad += !same_i256(&p, &zero);
        /* Split x = xh * 2^32 + xl: x*y*z = xh*(y*z)*2^32 + xl*y*z, checked with __int128 halves
         * when y*z is small enough to keep it exact. */
        const int64_t ys = (int64_t)(rnd() % 2000000) - 1000000, zs = (int64_t)(rnd() % 2000000);
        sq_i256_zero(&p);
        sq_i256_add_product3(&p, x, ys, zs);
        const sq_i256 want = from_i128((__int128)x * ys * zs);
        bad += !same_i256(&p, &want);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- sq_i256_from_mul ---------------------------------------------------------------------- */

static void test_i256_from_mul(void) {
    const unsigned __int128 one = 1;
    const unsigned __int128 max128 = ~(unsigned __int128)0;
    sq_i256 a;

    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, 0, max128), 0);
    check_dec(&a, "0");
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, 12345, 6789), 0);
    check_dec(&a, "83810205");
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, one << 64, one << 64), 0);
    sq_i256 e = mk(0, 0, 1, 0);
    CU_ASSERT(same_i256(&a, &e));
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, max128, 2), 0);
    check_dec(&a, "680564733841876926926749214863536422910");
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, one << 127, one << 127), 0);
    check_dec(&a, "28948022309329048855892746252171976963317496166410141009864396001978282409984");
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, max128, (one << 127) - 1), 0);
    check_dec(&a, "57896044618658097711785492504343953926124568782438874324533730092808912502785");
    /* The largest product below 2^255 of this shape: 2^127 * (2^128 - 1) = 2^255 - 2^127. */
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, one << 127, max128), 0);
    check_dec(&a, "57896044618658097711785492504343953926464851149359812787997104700240680714240");

    /* Products of 2^255 or more do not fit a signed 256-bit integer. */
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, max128, max128), -1);
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, (one << 127) + 1, max128), -1);
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, max128, (one << 127) + 1), -1);
    CU_ASSERT_EQUAL(sq_i256_from_mul(&a, (one << 127) + (one << 126), (one << 127) + (one << 126)),
                    -1);

    /* Random products against the 64x64 products of __int128 and the identity
     * (a * 2^64 + b) * c = a*c*2^64 + b*c (compared through sq_i256_add). */
    int bad = 0;
    for (int t = 0; t < 5000; ++t) {
        const uint64_t x = rnd(), y = rnd(), h = rnd() >> 1;
        CU_ASSERT_EQUAL(sq_i256_from_mul(&a, x, y), 0);
        const unsigned __int128 p = (unsigned __int128)x * y;
        e = mk((uint64_t)p, (uint64_t)(p >> 64), 0, 0);
        bad += !same_i256(&a, &e);
        /* (h * 2^64 + x) * y with h < 2^63: */
        if (sq_i256_from_mul(&a, ((unsigned __int128)h << 64) | x, y) != 0) {
            ++bad;
            continue;
        }
        const unsigned __int128 hy = (unsigned __int128)h * y;
        sq_i256 w = mk(0, (uint64_t)hy, (uint64_t)(hy >> 64), 0);
        sq_i256 lo = mk((uint64_t)p, (uint64_t)(p >> 64), 0, 0);
        sq_i256_add(&w, &lo);
        bad += !same_i256(&a, &w);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- decimal text ---------------------------------------------------------------------------- */

static void roundtrip(const sq_i256 *a, int *bad) {
    char buf[SQ_I256_DECIMAL_MAX];
    sq_i256_to_decimal(a, buf, sizeof buf);
    sq_i256 b = mk(1, 2, 3, 4);
    const int rc = sq_i256_from_decimal(&b, buf);
    if (rc != 0 || !same_i256(a, &b)) {
        ++*bad;
        fprintf(stderr, "\n  decimal round trip failed for %s (rc %d)\n", buf, rc);
    }
}

static void test_i256_decimal(void) {
    sq_i256 a = mk(0, 0, 0, 0);
    check_dec(&a, "0");
    a = mk(1, 0, 0, 0);
    check_dec(&a, "1");
    a = neg256(mk(1, 0, 0, 0));
    check_dec(&a, "-1");
    a = mk(UINT64_MAX, 0, 0, 0);
    check_dec(&a, "18446744073709551615");
    a = mk(UINT64_C(10000000000000000000), 0, 0, 0); /* 10^19: one base-10^19 digit boundary */
    check_dec(&a, "10000000000000000000");
    a = mk(UINT64_C(9999999999999999999), 0, 0, 0);
    check_dec(&a, "9999999999999999999");
    /* 10^38 = 0x4B3B4CA85A86C47A098A224000000000 */
    a = mk(UINT64_C(0x098A224000000000), UINT64_C(0x4B3B4CA85A86C47A), 0, 0);
    check_dec(&a, "100000000000000000000000000000000000000");
    a = neg256(a);
    check_dec(&a, "-100000000000000000000000000000000000000");
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX);
    check_dec(&a, "57896044618658097711785492504343953926634992332820282019728792003956564819967");
    a = mk(0, 0, 0, UINT64_C(1) << 63);
    check_dec(&a, "-57896044618658097711785492504343953926634992332820282019728792003956564819968");

    /* A buffer of exactly SQ_I256_DECIMAL_MAX bytes holds the longest text. */
    CU_ASSERT(
        strlen("-57896044618658097711785492504343953926634992332820282019728792003956564819968") <
        SQ_I256_DECIMAL_MAX);

    /* Parsing known text. */
    sq_i256 b;
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "0"), 0);
    a = mk(0, 0, 0, 0);
    CU_ASSERT(same_i256(&a, &b));
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "-0"), 0);
    CU_ASSERT(same_i256(&a, &b));
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "-105"), 0);
    a = from_i128(-105);
    CU_ASSERT(same_i256(&a, &b));
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(
            &b, "57896044618658097711785492504343953926634992332820282019728792003956564819967"),
        0);
    a = mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX);
    CU_ASSERT(same_i256(&a, &b));
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(&b, "-784637716923335095479473677900958302012794430558004314112"), 0);
    a = mk(0, 0, UINT64_C(0xE000000000000000), UINT64_MAX);
    CU_ASSERT(same_i256(&a, &b));

    /* Invalid text. */
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, ""), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "-"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "abc"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "12a3"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "1 "), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, " 1"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "--1"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "1-"), -1);
    CU_ASSERT_EQUAL(sq_i256_from_decimal(&b, "1.5"), -1);
    /* 2^255 and 2^256 do not fit; nor does -2^255 - 1. */
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(
            &b, "57896044618658097711785492504343953926634992332820282019728792003956564819968"),
        -1);
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(
            &b, "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        -1);
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(
            &b, "-57896044618658097711785492504343953926634992332820282019728792003956564819969"),
        -1);
    CU_ASSERT_EQUAL(
        sq_i256_from_decimal(&b, "99999999999999999999999999999999999999999999999999999999999999999"
                                 "999999999999999999999999999999"),
        -1);

    /* Round trips: zero, small, negative, the extremes, random bit patterns. */
    int bad = 0;
    const sq_i256 fixed[] = {
        mk(0, 0, 0, 0),
        mk(1, 0, 0, 0),
        neg256(mk(1, 0, 0, 0)),
        mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX),
        neg256(mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX)),
        mk(0, 0, UINT64_C(0xE000000000000000), UINT64_MAX),
        mk(UINT64_C(10000000000000000000), 0, 0, 0),
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
        roundtrip(&fixed[i], &bad);
    for (int t = 0; t < 3000; ++t) {
        sq_i256 r = mk(rnd(), rnd(), rnd(), rnd());
        const int limbs = (int)(rnd() % 4); /* shorter values too */
        for (int k = limbs + 1; k < 4; ++k)
            r.w[k] = (r.w[limbs] >> 63) ? UINT64_MAX : 0;
        roundtrip(&r, &bad);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* The closed forms of range:N at the largest N sqcube accepts, 2^62: 2N + 1 passes int64 there
 * (found by clang-tidy; signed overflow before the fix). Expected values from Python's exact
 * integers: N(N+1)/2, N(N+1)(2N+1)/6, (N(N+1)/2)^2. */
static void test_range_closed_forms_max(void) {
    sq_i256 s[SQ_NSUMS];
    sq_range_closed_forms(INT64_C(1) << 62, s);
    static const char *const want[SQ_NSUMS] = {
        "10633823966279326985536299491456450560",
        "32693238205138962322278560545485922901198838758564167680",
        "113078212145816597142370897355255228485742986251989170687197677033724313600",
    };
    for (int k = 0; k < SQ_NSUMS; ++k) {
        char got[SQ_I256_DECIMAL_MAX];
        sq_i256_to_decimal(&s[k], got, sizeof got);
        CU_ASSERT_STRING_EQUAL(got, want[k]);
    }
}

/* sq_i256_to_decimal writes "-5789...968" for -2^255; the header promises that
 * sq_i256_from_decimal parses any text sq_i256_to_decimal writes. */
static void test_i256_decimal_min(void) {
    const sq_i256 a = mk(0, 0, 0, UINT64_C(1) << 63);
    int bad = 0;
    roundtrip(&a, &bad);
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- sq_i256_to_double ------------------------------------------------------------------------
 */

static void check_d(sq_i256 a, double want) {
    const double got = sq_i256_to_double(&a);
    CU_ASSERT(memcmp(&got, &want, sizeof got) == 0);
    if (memcmp(&got, &want, sizeof got) != 0)
        fprintf(stderr, "\n  to_double(%016llx %016llx %016llx %016llx) = %a, expected %a\n",
                (unsigned long long)a.w[3], (unsigned long long)a.w[2], (unsigned long long)a.w[1],
                (unsigned long long)a.w[0], got, want);
    /* The negated value rounds to the negated double (ties to even is symmetric). */
    if (want != 0.0 &&
        !(a.w[3] == (UINT64_C(1) << 63) && a.w[2] == 0 && a.w[1] == 0 && a.w[0] == 0)) {
        const sq_i256 n = neg256(a);
        const double gn = sq_i256_to_double(&n);
        CU_ASSERT(gn == -want);
    }
}

static void test_i256_to_double(void) {
    const uint64_t two53 = UINT64_C(1) << 53;
    check_d(mk(0, 0, 0, 0), 0.0);
    check_d(mk(1, 0, 0, 0), 1.0);
    check_d(mk(two53, 0, 0, 0), 0x1p53);
    check_d(mk(two53 + 1, 0, 0, 0), 0x1p53); /* tie, to even (down) */
    check_d(mk(two53 + 2, 0, 0, 0), 0x1p53 + 2);
    check_d(mk(two53 + 3, 0, 0, 0), 0x1p53 + 4); /* tie, to even (up) */
    check_d(mk(UINT64_MAX, 0, 0, 0), 0x1p64);
    check_d(mk((UINT64_C(1) << 63) | (1u << 10), 0, 0, 0), 0x1p63);               /* tie, even */
    check_d(mk((UINT64_C(1) << 63) | (1u << 10) | 1u, 0, 0, 0), 0x1p63 + 0x1p11); /* just above */
    check_d(mk((UINT64_C(1) << 63) | (3u << 10), 0, 0, 0), 0x1p63 + 0x1p12);      /* tie, odd: up */

    /* Two limbs, the leading one at bit 63 of the top limb (64 bits taken = one whole limb). */
    check_d(mk(0, (UINT64_C(1) << 63) | (1u << 10), 0, 0), 0x1p127);
    check_d(mk(1, (UINT64_C(1) << 63) | (1u << 10), 0, 0), 0x1p127 + 0x1p75); /* sticky far below */
    check_d(mk(UINT64_C(1) << 63, (UINT64_C(1) << 63) | (1u << 10), 0, 0), 0x1p127 + 0x1p75);
    check_d(mk(0, (UINT64_C(1) << 63) | (3u << 10), 0, 0), 0x1p127 + 0x1p76);
    check_d(mk(0, (UINT64_C(1) << 63) | ((1u << 10) - 1), 0, 0), 0x1p127); /* below half */

    /* (2^53 + 1) * 2^64 is a tie: down to 2^117; (2^53 + 3) * 2^64 up; + 1 breaks the tie. */
    check_d(mk(0, two53 + 1, 0, 0), 0x1p117);
    check_d(mk(0, two53 + 3, 0, 0), 0x1p117 + 0x1p66);
    check_d(mk(1, two53 + 1, 0, 0), 0x1p117 + 0x1p65);
    /* 2^64 + 2^11 (+ 1): the round bit and the sticky bit in the same limb. */
    check_d(mk((1u << 11), 1, 0, 0), 0x1p64);
    check_d(mk((1u << 11) | 1u, 1, 0, 0), 0x1p64 + 0x1p12);

    /* (2^53 + 1) * 2^190 (+ 1): leading bit 243, the round bit in limb 2, sticky in limb 0. */
    check_d(mk(0, 0, UINT64_C(1) << 62, UINT64_C(1) << 51), 0x1p243);
    check_d(mk(1, 0, UINT64_C(1) << 62, UINT64_C(1) << 51), 0x1p243 + 0x1p191);
    check_d(mk(0, 1, UINT64_C(1) << 62, UINT64_C(1) << 51), 0x1p243 + 0x1p191);

    /* The extremes. */
    check_d(mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX), 0x1p255);
    check_d(mk(0, 0, 0, UINT64_C(1) << 63), -0x1p255);
    check_d(neg256(mk(UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX)), -0x1p255);
    check_d(mk(0, 0, UINT64_C(0xE000000000000000), UINT64_MAX), -0x1p189);
    check_d(neg256(mk(1, 0, 0, 0)), -1.0);

    /* Random values of every length, and values built to sit on or next to a tie, against the
     * bit-by-bit reference. */
    int bad = 0;
    for (int t = 0; t < 20000; ++t) {
        sq_i256 a = mk(rnd(), rnd(), rnd(), rnd());
        const int len = 1 + (int)(rnd() % 255); /* keep bits [0, len) */
        for (int b = len; b < 256; ++b)
            a.w[b / 64] &= ~(UINT64_C(1) << (b % 64));
        if (t % 3 == 1 && len > 60) {
            /* A tie: set the round bit, clear everything below it, maybe one sticky bit. */
            int top = len - 1;
            a.w[top / 64] |= UINT64_C(1) << (top % 64);
            const int rb = top - 53;
            if (rb >= 0) {
                for (int b = 0; b <= rb; ++b)
                    a.w[b / 64] &= ~(UINT64_C(1) << (b % 64));
                a.w[rb / 64] |= UINT64_C(1) << (rb % 64);
                if (rnd() & 1) {
                    const int s = (int)(rnd() % (unsigned)(rb > 0 ? rb : 1));
                    if (s < rb)
                        a.w[s / 64] |= UINT64_C(1) << (s % 64);
                }
            }
        }
        if (rnd() & 1)
            a = neg256(a);
        const double got = sq_i256_to_double(&a), want = ref_to_double(&a);
        if (memcmp(&got, &want, sizeof got) != 0) {
            if (bad < 5)
                fprintf(stderr, "\n  to_double mismatch: got %a want %a\n", got, want);
            ++bad;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- reduction records ------------------------------------------------------------------------
 */

static void test_stats_init(void) {
    sq_stats s;
    memset(&s, 0x5A, sizeof s);
    sq_stats_init(&s, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(s.type, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(s.nonfinite, 0);
    CU_ASSERT_EQUAL(s.nan, 0);
    CU_ASSERT_EQUAL(s.has_minmax, 0);
    CU_ASSERT(isnan(sq_stats_min(&s)));
    CU_ASSERT(isnan(sq_stats_max(&s)));
    for (int k = 0; k < SQ_NSUMS; ++k) {
        CU_ASSERT_EQUAL(sq_stats_sum(&s, (enum sq_sum)k), 0.0);
        check_dec(&s.isum[k], "0");
    }
    sq_stats_init(&s, SQ_DTYPE_FLOAT64);
    CU_ASSERT_EQUAL(s.type, SQ_DTYPE_FLOAT64);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(s.has_minmax, 0);
    CU_ASSERT(isnan(sq_stats_min(&s)));
    for (int k = 0; k < SQ_NSUMS; ++k)
        CU_ASSERT_EQUAL(sq_stats_sum(&s, (enum sq_sum)k), 0.0);
    CU_ASSERT_STRING_EQUAL(sq_dtype_name(SQ_DTYPE_INT64), "int64");
    CU_ASSERT_STRING_EQUAL(sq_dtype_name(SQ_DTYPE_FLOAT64), "float64");
    CU_ASSERT(strlen(sq_stats_method(SQ_DTYPE_INT64)) > 0);
    CU_ASSERT(strlen(sq_stats_method(SQ_DTYPE_FLOAT64)) > 0);
    CU_ASSERT(strcmp(sq_stats_method(SQ_DTYPE_INT64), sq_stats_method(SQ_DTYPE_FLOAT64)) != 0);
}

/* Builds an int64 record from values, by hand. */
static void int_record(sq_stats *s, const int64_t *x, int n) {
    sq_stats_init(s, SQ_DTYPE_INT64);
    for (int i = 0; i < n; ++i) {
        ++s->count;
        if (!s->has_minmax || x[i] < s->imin)
            s->imin = x[i];
        if (!s->has_minmax || x[i] > s->imax)
            s->imax = x[i];
        s->has_minmax = 1;
        sq_i256_add_i128(&s->isum[SQ_SUM_X], x[i]);
        sq_i256_add_i128(&s->isum[SQ_SUM_SQ], (__int128)x[i] * x[i]);
        sq_i256_add_product3(&s->isum[SQ_SUM_CUBE], x[i], x[i], x[i]);
    }
}

/* Builds a float64 record from values, by hand. */
static void float_record(sq_stats *s, const double *x, int n) {
    sq_stats_init(s, SQ_DTYPE_FLOAT64);
    for (int i = 0; i < n; ++i) {
        ++s->count;
        if (isnan(x[i])) {
            ++s->nan;
            ++s->nonfinite;
            continue;
        }
        if (isinf(x[i]))
            ++s->nonfinite;
        if (!s->has_minmax || x[i] < s->fmin)
            s->fmin = x[i];
        if (!s->has_minmax || x[i] > s->fmax)
            s->fmax = x[i];
        s->has_minmax = 1;
        sq_xacc_add(&s->fsum[SQ_SUM_X], x[i]);
        sq_xacc_add(&s->fsum[SQ_SUM_SQ], x[i] * x[i]);
        sq_xacc_add(&s->fsum[SQ_SUM_CUBE], x[i] * x[i] * x[i]);
    }
}

static void test_stats_merge_int(void) {
    const int64_t a[] = {5, -7, 3};
    const int64_t b[] = {100, -2000000, 4};
    sq_stats sa, sb, empty, m;
    int_record(&sa, a, 3);
    int_record(&sb, b, 3);
    sq_stats_init(&empty, SQ_DTYPE_INT64);

    /* empty + nonempty and nonempty + empty both give the nonempty record. */
    m = empty;
    sq_stats_merge(&m, &sa);
    CU_ASSERT_EQUAL(m.count, 3);
    CU_ASSERT_EQUAL(m.has_minmax, 1);
    CU_ASSERT_EQUAL(m.imin, -7);
    CU_ASSERT_EQUAL(m.imax, 5);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -7.0);
    CU_ASSERT_EQUAL(sq_stats_max(&m), 5.0);
    check_dec(&m.isum[SQ_SUM_X], "1");
    check_dec(&m.isum[SQ_SUM_SQ], "83");
    check_dec(&m.isum[SQ_SUM_CUBE], "-191");
    m = sa;
    sq_stats_merge(&m, &empty);
    CU_ASSERT_EQUAL(m.count, 3);
    CU_ASSERT_EQUAL(m.imin, -7);
    CU_ASSERT_EQUAL(m.imax, 5);
    check_dec(&m.isum[SQ_SUM_CUBE], "-191");

    /* a + b: sums are exact; 5 - 7 + 3 + 100 - 2000000 + 4 = -1999895;
     * squares: 83 + 10000 + 4e12 + 16; cubes: -191 + 1000000 - 8e18 + 64. */
    m = sa;
    sq_stats_merge(&m, &sb);
    CU_ASSERT_EQUAL(m.count, 6);
    CU_ASSERT_EQUAL(m.imin, -2000000);
    CU_ASSERT_EQUAL(m.imax, 100);
    check_dec(&m.isum[SQ_SUM_X], "-1999895");
    check_dec(&m.isum[SQ_SUM_SQ], "4000000010099");
    check_dec(&m.isum[SQ_SUM_CUBE], "-7999999999999000127");
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_X), -1999895.0);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_SQ), 4000000010099.0);
    /* -7999999999999000127 is not a double: the nearest is -7999999999999000576 (ulp 1024). */
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_CUBE), -7999999999999000576.0);
    /* Commutative, exactly. */
    sq_stats m2 = sb;
    sq_stats_merge(&m2, &sa);
    CU_ASSERT_EQUAL(m2.count, m.count);
    CU_ASSERT_EQUAL(m2.imin, m.imin);
    CU_ASSERT_EQUAL(m2.imax, m.imax);
    for (int k = 0; k < SQ_NSUMS; ++k)
        CU_ASSERT(same_i256(&m.isum[k], &m2.isum[k]));

    /* Big sums: INT64_MIN and INT64_MAX; sq_stats_sum correctly rounded. */
    const int64_t big[] = {INT64_MIN, INT64_MAX, INT64_MAX};
    sq_stats sbig;
    int_record(&sbig, big, 3);
    m = empty;
    sq_stats_merge(&m, &sbig);
    CU_ASSERT_EQUAL(m.imin, INT64_MIN);
    CU_ASSERT_EQUAL(m.imax, INT64_MAX);
    check_dec(&m.isum[SQ_SUM_X], "9223372036854775806");
    /* -2^189 + 2 (2^63 - 1)^3 */
    check_dec(&m.isum[SQ_SUM_CUBE], "784637716923335094969050127519550606873072751631480651774");
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_X), 0x1p63);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_CUBE), ref_to_double(&m.isum[SQ_SUM_CUBE]));
    CU_ASSERT_EQUAL(sq_stats_min(&m), -0x1p63);
}

static void test_stats_merge_float(void) {
    const double a[] = {1.5, -2.0, 0.25};
    const double nans[] = {NAN, NAN};
    const double infs[] = {INFINITY, 3.0};
    sq_stats sa, sn, si, empty, m;
    float_record(&sa, a, 3);
    float_record(&sn, nans, 2);
    float_record(&si, infs, 2);
    sq_stats_init(&empty, SQ_DTYPE_FLOAT64);

    m = empty;
    sq_stats_merge(&m, &sa);
    CU_ASSERT_EQUAL(m.count, 3);
    CU_ASSERT_EQUAL(m.has_minmax, 1);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -2.0);
    CU_ASSERT_EQUAL(sq_stats_max(&m), 1.5);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_X), -0.25);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_SQ), 6.3125);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_CUBE), 3.375 - 8.0 + 0.015625);

    /* NaN-only: counted, min/max untouched; a NaN-only record with odd fmin/fmax is ignored. */
    sn.fmin = -1e300;
    sn.fmax = 1e300;
    m = sa;
    sq_stats_merge(&m, &sn);
    CU_ASSERT_EQUAL(m.count, 5);
    CU_ASSERT_EQUAL(m.nan, 2);
    CU_ASSERT_EQUAL(m.nonfinite, 2);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -2.0);
    CU_ASSERT_EQUAL(sq_stats_max(&m), 1.5);
    m = empty;
    sq_stats_merge(&m, &sn);
    CU_ASSERT_EQUAL(m.count, 2);
    CU_ASSERT_EQUAL(m.has_minmax, 0);
    CU_ASSERT(isnan(sq_stats_min(&m)));
    CU_ASSERT(isnan(sq_stats_max(&m)));
    sq_stats_merge(&m, &sa);
    CU_ASSERT_EQUAL(m.has_minmax, 1);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -2.0);
    CU_ASSERT_EQUAL(sq_stats_max(&m), 1.5);
    CU_ASSERT_EQUAL(m.count, 5);

    /* +Inf: counted non-finite, is the max, and the sums become +Inf. */
    m = sa;
    sq_stats_merge(&m, &si);
    CU_ASSERT_EQUAL(m.nonfinite, 1);
    CU_ASSERT_EQUAL(m.nan, 0);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -2.0);
    CU_ASSERT(isinf(sq_stats_max(&m)) && sq_stats_max(&m) > 0);
    CU_ASSERT(isinf(sq_stats_sum(&m, SQ_SUM_X)) && sq_stats_sum(&m, SQ_SUM_X) > 0);

    /* Merging is commutative for min/max/count. */
    sq_stats m2 = si;
    sq_stats_merge(&m2, &sa);
    CU_ASSERT_EQUAL(m2.count, 5);
    CU_ASSERT_EQUAL(sq_stats_min(&m2), -2.0);
    CU_ASSERT(isinf(sq_stats_max(&m2)));

    /* Cancellation across records: {1e300} + {1} + {-1e300} sums to 1 for x. */
    const double p[] = {1e300}, q[] = {1.0}, r[] = {-1e300};
    sq_stats sp, sq, sr;
    float_record(&sp, p, 1);
    float_record(&sq, q, 1);
    float_record(&sr, r, 1);
    m = empty;
    sq_stats_merge(&m, &sp);
    sq_stats_merge(&m, &sq);
    sq_stats_merge(&m, &sr);
    CU_ASSERT_EQUAL(sq_stats_sum(&m, SQ_SUM_X), 1.0);
    CU_ASSERT_EQUAL(sq_stats_min(&m), -1e300);
    CU_ASSERT_EQUAL(sq_stats_max(&m), 1e300);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"i256 add, add_i128, carries", test_i256_add},
        {"i256 cmp", test_i256_cmp},
        {"i256 add_product3 vs __int128", test_i256_product3_small},
        {"i256 add_product3 big values", test_i256_product3_big},
        {"i256 from_mul and overflow", test_i256_from_mul},
        {"i256 decimal text", test_i256_decimal},
        {"i256 decimal round trip of -2^255", test_i256_decimal_min},
        {"range closed forms at N = 2^62", test_range_closed_forms_max},
        {"i256 to_double rounding", test_i256_to_double},
        {"stats init and names", test_stats_init},
        {"stats merge int64", test_stats_merge_int},
        {"stats merge float64", test_stats_merge_float},
    };
    return sq_unit_run("stats", tests, sizeof tests / sizeof tests[0]);
}
