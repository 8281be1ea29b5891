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

void sq_xacc_add_block(sq_xacc *a, const double *v, int n) {
    /* The largest finite magnitude fixes the boundaries; non-finite terms go their own way. */
    double maxabs = 0.0;
    int64_t nonfinite = 0;
#pragma omp simd reduction(max : maxabs) reduction(+ : nonfinite)
    for (int i = 0; i < n; ++i) {
        const double m = fabs(v[i]);
        const int finite = m <= DBL_MAX; /* false for NaN and Inf */
        nonfinite += !finite;
        maxabs = finite && m > maxabs ? m : maxabs;
    }
    if (nonfinite > 0)
        for (int i = 0; i < n; ++i)
            if (!(fabs(v[i]) <= DBL_MAX))
                sq_xacc_add(a, v[i]);
    if (maxabs == 0.0)
        return;
    int e;
    frexp(maxabs, &e); /* maxabs < 2^e */
    /* Three boundaries 43 bits apart, the first 2^10 above the largest term: with at most 2^8 terms
     * each extraction q = (w + sigma) - sigma is exact, every partial sum of the q's is a whole
     * number of ulp(sigma) below 2^50 of them (exact in float64), and w = q1 + q2 + q3 + r3
     * exactly. The boundaries must be normal doubles; outside that range, add term by term. */
    const int s1 = e + 10;
    if (n > SQ_XACC_BLOCK_MAX || s1 > 1022 || s1 - 86 < -1022) {
        for (int i = 0; i < n; ++i)
            if (fabs(v[i]) <= DBL_MAX)
                sq_xacc_add(a, v[i]);
        return;
    }
    const double sigma1 = ldexp(1.5, s1), sigma2 = ldexp(1.5, s1 - 43),
                 sigma3 = ldexp(1.5, s1 - 86);
    double sum1 = 0.0, sum2 = 0.0, sum3 = 0.0;
    int64_t leftover = 0;
#pragma omp simd reduction(+ : sum1, sum2, sum3, leftover)
    for (int i = 0; i < n; ++i) {
        const double w = fabs(v[i]) <= DBL_MAX ? v[i] : 0.0;
        const double q1 = (w + sigma1) - sigma1, r1 = w - q1;
        const double q2 = (r1 + sigma2) - sigma2, r2 = r1 - q2;
        const double q3 = (r2 + sigma3) - sigma3, r3 = r2 - q3;
        sum1 += q1;
        sum2 += q2;
        sum3 += q3;
        leftover += r3 != 0.0;
    }
    sq_xacc_add(a, sum1);
    sq_xacc_add(a, sum2);
    sq_xacc_add(a, sum3);
    if (leftover > 0) {
        /* Terms more than 2^76 below the block's largest: their last bits, one by one. */
        for (int i = 0; i < n; ++i) {
            const double w = fabs(v[i]) <= DBL_MAX ? v[i] : 0.0;
            const double q1 = (w + sigma1) - sigma1, r1 = w - q1;
            const double q2 = (r1 + sigma2) - sigma2, r2 = r1 - q2;
            const double q3 = (r2 + sigma3) - sigma3, r3 = r2 - q3;
            if (r3 != 0.0)
                sq_xacc_add(a, r3);
        }
    }
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
