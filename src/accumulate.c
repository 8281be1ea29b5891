/*
 * accumulate.c - the exact fixed-point accumulator and its blocked fast path.
 */
#include "accumulate.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define DIGIT_BITS 32
#define DIGIT_MASK INT64_C(0xffffffff)
/* Normalise before the slots can overflow: each addition adds less than 2^32 to a slot. */
#define MAX_PENDING (INT64_C(1) << 29)

void sq_xacc_init(sq_xacc *a) {
    memset(a, 0, sizeof *a);
}

/* Carries every slot into [0, 2^32) except the top one, which keeps the sign. */
static void normalise(sq_xacc *a) {
    int64_t carry = 0;
    for (int i = 0; i < SQ_XACC_DIGITS - 1; ++i) {
        const int64_t t = a->digit[i] + carry;
        carry = t >> DIGIT_BITS; /* arithmetic shift (GCC, Clang): floor(t / 2^32) */
        a->digit[i] = t & DIGIT_MASK;
    }
    a->digit[SQ_XACC_DIGITS - 1] += carry;
    a->pending = 0;
}

void sq_xacc_add(sq_xacc *a, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const int expf = (int)((bits >> 52) & 0x7ff);
    const uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    const int negative = (int)(bits >> 63);
    if (expf == 0x7ff) {
        if (frac != 0)
            ++a->nan;
        else if (negative)
            ++a->ninf;
        else
            ++a->pinf;
        return;
    }
    /* v = m * 2^(p - 1074): p is the position of m's lowest bit in units of 2^-1074. */
    uint64_t m;
    int p;
    if (expf == 0) {
        if (frac == 0)
            return; /* +-0 */
        m = frac;
        p = 0;
    } else {
        m = frac | (UINT64_C(1) << 52);
        p = expf - 1;
    }
    const int i = p / DIGIT_BITS;
    const unsigned __int128 w = (unsigned __int128)m << (p % DIGIT_BITS); /* <= 85 bits */
    const int64_t d0 = (int64_t)((uint64_t)w & DIGIT_MASK);
    const int64_t d1 = (int64_t)((uint64_t)(w >> 32) & DIGIT_MASK);
    const int64_t d2 = (int64_t)(uint64_t)(w >> 64);
    if (negative) {
        a->digit[i] -= d0;
        a->digit[i + 1] -= d1;
        a->digit[i + 2] -= d2;
    } else {
        a->digit[i] += d0;
        a->digit[i + 1] += d1;
        a->digit[i + 2] += d2;
    }
    if (++a->pending >= MAX_PENDING)
        normalise(a);
}

/* Splits each term error-free against two boundaries 43 bits apart, the first 2^10 above the
 * block's bound: with at most 2^8 terms each extraction q = (w + sigma) - sigma is exact, every
 * partial sum of the q's is a whole number of ulp(sigma) below 2^50 of them (exact in float64), and
 * w = q1 + q2 + r2 exactly, where r2 != 0 only for terms more than about 2^33 below the bound.
 * Compiled twice (AVX2 and baseline x86-64), picked at load time where the toolchain can. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define SQ_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SQ_TARGET_CLONES
#endif

/* 2^k for a normal exponent k, built from its bits (no libm call in the per-block path). */
static inline double pow2(int k) {
    const uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* The e with x < 2^e <= 2x for a finite x > 0 (frexp's exponent), from the bits. */
static inline int exponent_above(double x) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const int field = (int)((bits >> 52) & 0x7ff);
    if (field == 0) { /* subnormal */
        int e;
        frexp(x, &e);
        return e;
    }
    return field - 1022;
}

SQ_TARGET_CLONES
static void add_folded(sq_xacc *a, const double *v, int n, int e) {
    const int s1 = e + 10;
    const double sigma1 = 1.5 * pow2(s1), sigma2 = 1.5 * pow2(s1 - 43);
    double sum1 = 0.0, sum2 = 0.0;
    int64_t leftover = 0;
#pragma omp simd reduction(+ : sum1, sum2, leftover)
    for (int i = 0; i < n; ++i) {
        const double w = v[i];
        const double q1 = (w + sigma1) - sigma1, r1 = w - q1;
        const double q2 = (r1 + sigma2) - sigma2, r2 = r1 - q2;
        sum1 += q1;
        sum2 += q2;
        leftover += r2 != 0.0;
    }
    sq_xacc_add(a, sum1);
    sq_xacc_add(a, sum2);
    if (leftover > 0) {
        /* The last bits of the few small terms, one by one (only they can leave a remainder). */
        const double small = pow2(e - 32);
        for (int i = 0; i < n; ++i) {
            const double w = v[i];
            if (fabs(w) >= small)
                continue;
            const double q1 = (w + sigma1) - sigma1, r1 = w - q1;
            const double q2 = (r1 + sigma2) - sigma2, r2 = r1 - q2;
            if (r2 != 0.0)
                sq_xacc_add(a, r2);
        }
    }
}

/* Three blocks at once (x, x^2, x^3 in the kernel): three independent chains of dependent adds per
 * element keep the out-of-order core busy where one chain would leave it waiting. */
SQ_TARGET_CLONES
static void add_folded3(sq_xacc *a[3], const double *v0, const double *v1, const double *v2, int n,
                        const int e[3]) {
    double sigma1[3], sigma2[3];
    for (int k = 0; k < 3; ++k) {
        sigma1[k] = 1.5 * pow2(e[k] + 10);
        sigma2[k] = 1.5 * pow2(e[k] + 10 - 43);
    }
    const double a1 = sigma1[0], a2 = sigma2[0], b1 = sigma1[1], b2 = sigma2[1], c1 = sigma1[2],
                 c2 = sigma2[2];
    double sa1 = 0.0, sa2 = 0.0, sb1 = 0.0, sb2 = 0.0, sc1 = 0.0, sc2 = 0.0;
    int64_t la = 0, lb = 0, lc = 0;
#pragma omp simd reduction(+ : sa1, sa2, sb1, sb2, sc1, sc2, la, lb, lc)
    for (int i = 0; i < n; ++i) {
        const double x = v0[i], y = v1[i], z = v2[i];
        const double qx1 = (x + a1) - a1, qy1 = (y + b1) - b1, qz1 = (z + c1) - c1;
        const double rx1 = x - qx1, ry1 = y - qy1, rz1 = z - qz1;
        const double qx2 = (rx1 + a2) - a2, qy2 = (ry1 + b2) - b2, qz2 = (rz1 + c2) - c2;
        sa1 += qx1;
        sb1 += qy1;
        sc1 += qz1;
        sa2 += qx2;
        sb2 += qy2;
        sc2 += qz2;
        la += (rx1 - qx2) != 0.0;
        lb += (ry1 - qy2) != 0.0;
        lc += (rz1 - qz2) != 0.0;
    }
    const double s1[3] = {sa1, sb1, sc1}, s2[3] = {sa2, sb2, sc2};
    const int64_t left[3] = {la, lb, lc};
    const double *v[3] = {v0, v1, v2};
    for (int k = 0; k < 3; ++k) {
        sq_xacc_add(a[k], s1[k]);
        sq_xacc_add(a[k], s2[k]);
        if (left[k] > 0) {
            const double small = pow2(e[k] - 32);
            for (int i = 0; i < n; ++i) {
                const double w = v[k][i];
                if (fabs(w) >= small)
                    continue;
                const double q1 = (w + sigma1[k]) - sigma1[k], r1 = w - q1;
                const double q2 = (r1 + sigma2[k]) - sigma2[k], r2 = r1 - q2;
                if (r2 != 0.0)
                    sq_xacc_add(a[k], r2);
            }
        }
    }
}

/* One boundary instead of two, for three blocks whose terms are all within 2^36 of their bound
 * (lower[k] >= 2^(e[k] - 36)): q = (w + sigma) - sigma is w rounded to a multiple of 2^(e-42)
 * (exact, as above) and its partial sums are exact; the remainders r = w - q are exact, below
 * 2^(e-43), and each a multiple of ulp(w) >= 2^(e-36-52) = 2^(e-88), so any partial sum of at most
 * 2^8 of them is a whole number below 2^(8+45) of units 2^(e-88): exact in float64 too. Five
 * operations per term instead of ten, and no remainder left over. */
SQ_TARGET_CLONES
static void add_folded3_near(sq_xacc *a[3], const double *v0, const double *v1, const double *v2,
                             int n, const int e[3]) {
    const double a1 = 1.5 * pow2(e[0] + 10), b1 = 1.5 * pow2(e[1] + 10), c1 = 1.5 * pow2(e[2] + 10);
    double sa = 0.0, sb = 0.0, sc = 0.0, ra = 0.0, rb = 0.0, rc = 0.0;
#pragma omp simd reduction(+ : sa, sb, sc, ra, rb, rc)
    for (int i = 0; i < n; ++i) {
        const double x = v0[i], y = v1[i], z = v2[i];
        const double qx = (x + a1) - a1, qy = (y + b1) - b1, qz = (z + c1) - c1;
        sa += qx;
        sb += qy;
        sc += qz;
        ra += x - qx;
        rb += y - qy;
        rc += z - qz;
    }
    sq_xacc_add(a[0], sa);
    sq_xacc_add(a[0], ra);
    sq_xacc_add(a[1], sb);
    sq_xacc_add(a[1], rb);
    sq_xacc_add(a[2], sc);
    sq_xacc_add(a[2], rc);
}

/* Whether a bound allows the folded path, and its exponent. */
static int foldable(double bound, int n, int *e) {
    if (!(bound > 0.0 && bound <= DBL_MAX) || n > SQ_XACC_BLOCK_MAX)
        return 0;
    *e = exponent_above(bound);
    return *e + 10 <= 1022 && *e + 10 - 43 >= -1022;
}

void sq_xacc_add_blocks3_bounded(sq_xacc *a[3], const double *v0, const double *v1,
                                 const double *v2, int n, const double bound[3]) {
    int e[3];
    if (foldable(bound[0], n, &e[0]) && foldable(bound[1], n, &e[1]) &&
        foldable(bound[2], n, &e[2])) {
        add_folded3(a, v0, v1, v2, n, e);
        return;
    }
    sq_xacc_add_block_bounded(a[0], v0, n, bound[0]);
    sq_xacc_add_block_bounded(a[1], v1, n, bound[1]);
    sq_xacc_add_block_bounded(a[2], v2, n, bound[2]);
}

void sq_xacc_add_blocks3_ranged(sq_xacc *a[3], const double *v0, const double *v1, const double *v2,
                                int n, const double bound[3], const double lower[3]) {
    int e[3];
    if (foldable(bound[0], n, &e[0]) && foldable(bound[1], n, &e[1]) &&
        foldable(bound[2], n, &e[2]) && lower[0] >= pow2(e[0] - 36) &&
        lower[1] >= pow2(e[1] - 36) && lower[2] >= pow2(e[2] - 36)) {
        add_folded3_near(a, v0, v1, v2, n, e);
        return;
    }
    sq_xacc_add_blocks3_bounded(a, v0, v1, v2, n, bound);
}

void sq_xacc_add_block_bounded(sq_xacc *a, const double *v, int n, double bound) {
    /* every |v[i]| <= bound < 2^e (for bound 0 or non-finite, e is not used) */
    const int e = bound > 0.0 && bound <= DBL_MAX ? exponent_above(bound) : 0;
    /* The boundaries must be normal doubles; outside that range, and for a block that may hold
     * non-finite terms (an infinite bound), add term by term. */
    if (!(bound <= DBL_MAX) || n > SQ_XACC_BLOCK_MAX || e + 10 > 1022 || e + 10 - 43 < -1022) {
        for (int i = 0; i < n; ++i)
            sq_xacc_add(a, v[i]);
        return;
    }
    if (bound == 0.0)
        return;
    add_folded(a, v, n, e);
}

void sq_xacc_add_block(sq_xacc *a, const double *v, int n) {
    /* The largest magnitude bounds the block; a non-finite term sends it down the exact path. */
    double maxabs = 0.0;
#pragma omp simd reduction(max : maxabs)
    for (int i = 0; i < n; ++i) {
        const double m = fabs(v[i]);
        maxabs = (m > maxabs || m != m) ? m : maxabs; /* NaN propagates: v[i] != v[i] */
    }
    sq_xacc_add_block_bounded(a, v, n, maxabs != maxabs ? INFINITY : maxabs);
}

void sq_xacc_merge(sq_xacc *a, const sq_xacc *b) {
    sq_xacc t = *b;
    normalise(&t);
    normalise(a);
    for (int i = 0; i < SQ_XACC_DIGITS; ++i)
        a->digit[i] += t.digit[i];
    a->pending = 1;
    a->nan += b->nan;
    a->pinf += b->pinf;
    a->ninf += b->ninf;
}

double sq_xacc_value(const sq_xacc *a) {
    if (a->nan > 0 || (a->pinf > 0 && a->ninf > 0))
        return NAN;
    if (a->pinf > 0)
        return INFINITY;
    if (a->ninf > 0)
        return -INFINITY;
    sq_xacc t = *a;
    normalise(&t);
    const int negative = t.digit[SQ_XACC_DIGITS - 1] < 0;
    if (negative) {
        for (int i = 0; i < SQ_XACC_DIGITS; ++i)
            t.digit[i] = -t.digit[i];
        normalise(&t);
    }
    int top = SQ_XACC_DIGITS - 1;
    while (top >= 0 && t.digit[top] == 0)
        --top;
    if (top < 0)
        return 0.0;
    /* The top three digits (up to 96 bits) with every lower digit folded into a sticky bit. */
    unsigned __int128 w = 0;
    int base = top - 2; /* digit index of w's lowest 32 bits */
    for (int i = top; i >= base; --i)
        w = (w << 32) | (uint64_t)(i >= 0 ? t.digit[i] : 0);
    int sticky = 0;
    for (int i = 0; i < base; ++i)
        sticky |= t.digit[i] != 0;
    /* Down to 64 bits, sticky again, so the one conversion below is the correct rounding. */
    int shift = 0;
    while ((w >> 64) != 0) {
        sticky |= (int)(w & 1);
        w >>= 1;
        ++shift;
    }
    const double d = (double)((uint64_t)w | (uint64_t)sticky);
    const double r = ldexp(d, shift + DIGIT_BITS * base - 1074);
    return negative ? -r : r;
}
