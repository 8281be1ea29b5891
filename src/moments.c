/*
 * moments.c - exact moments from power sums: a small fixed-size big integer, correctly rounded
 * quotients and square roots, and the error-free corrections of stored squares and cubes.
 */
#include "moments.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- big integers: sign and magnitude, 32-bit limbs ------------------------------------------ */

/* 32768 bits. The largest value formed is m3's numerator squared times a 110-bit square (about
 * 13,400 bits for float sums of 2^62 terms spanning the whole double range); see moments_of. */
#define BIG_LIMBS 1024

typedef struct big {
    int neg;               /* 1 when negative (never for zero) */
    int n;                 /* limbs in use: d[n - 1] != 0, or n == 0 for zero */
    int overflow;          /* a result did not fit: the moment using it is NaN */
    uint32_t d[BIG_LIMBS]; /* magnitude, least significant limb first */
} big;

static void big_trim(big *a) {
    while (a->n > 0 && a->d[a->n - 1] == 0)
        --a->n;
    if (a->n == 0)
        a->neg = 0;
}

static void big_from_u128(big *a, unsigned __int128 v) {
    a->neg = 0;
    a->overflow = 0;
    a->n = 0;
    while (v) {
        a->d[a->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static int big_bitlen(const big *a) {
    return a->n == 0 ? 0 : 32 * (a->n - 1) + 32 - __builtin_clz(a->d[a->n - 1]);
}

static int big_cmp_mag(const big *a, const big *b) {
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; --i)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* |r| = |a| + |b| (r may alias a or b). */
static void mag_add(big *r, const big *a, const big *b) {
    const int n = a->n > b->n ? a->n : b->n;
    uint64_t carry = 0;
    for (int i = 0; i < n; ++i) {
        carry += (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
        r->d[i] = (uint32_t)carry;
        carry >>= 32;
    }
    r->n = n;
    if (carry) {
        if (n == BIG_LIMBS)
            r->overflow = 1;
        else
            r->d[r->n++] = (uint32_t)carry;
    }
}

/* |r| = |a| - |b| for |a| >= |b| (r may alias a or b). */
static void mag_sub(big *r, const big *a, const big *b) {
    int64_t borrow = 0;
    for (int i = 0; i < a->n; ++i) {
        int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = t < 0;
        r->d[i] = (uint32_t)(t + (borrow ? INT64_C(1) << 32 : 0));
    }
    r->n = a->n;
}

/* r = a + b, signed (r may alias a or b). */
static void big_add(big *r, const big *a, const big *b) {
    const int overflow = a->overflow | b->overflow;
    if (a->neg == b->neg) {
        const int neg = a->neg;
        mag_add(r, a, b);
        r->neg = neg;
    } else if (big_cmp_mag(a, b) >= 0) {
        const int neg = a->neg;
        mag_sub(r, a, b);
        r->neg = neg;
    } else {
        const int neg = b->neg;
        mag_sub(r, b, a);
        r->neg = neg;
    }
    r->overflow |= overflow;
    big_trim(r);
}

static void big_negate(big *a) {
    if (a->n)
        a->neg = !a->neg;
}

/* r = a * b (r must not alias a or b). */
static void big_mul(big *r, const big *a, const big *b) {
    r->overflow = a->overflow | b->overflow;
    r->neg = a->neg ^ b->neg;
    if (a->n == 0 || b->n == 0) {
        r->n = 0;
        r->neg = 0;
        return;
    }
    if (a->n + b->n > BIG_LIMBS) {
        r->overflow = 1;
        r->n = 0;
        r->neg = 0;
        return;
    }
    const int n = a->n + b->n;
    memset(r->d, 0, sizeof r->d[0] * (size_t)n);
    for (int i = 0; i < a->n; ++i) {
        uint64_t carry = 0;
        for (int j = 0; j < b->n; ++j) {
            carry += (uint64_t)a->d[i] * b->d[j] + r->d[i + j];
            r->d[i + j] = (uint32_t)carry;
            carry >>= 32;
        }
        r->d[i + b->n] = (uint32_t)carry;
    }
    r->n = n;
    big_trim(r);
}

/* a <<= k (k >= 0). */
static void big_shl(big *a, int k) {
    if (a->n == 0 || k == 0)
        return;
    const int limbs = k / 32, bits = k % 32;
    if (a->n + limbs + 1 > BIG_LIMBS) {
        a->overflow = 1;
        a->n = 0;
        a->neg = 0;
        return;
    }
    a->d[a->n + limbs] = 0;
    for (int i = a->n - 1; i >= 0; --i) {
        const uint64_t w = (uint64_t)a->d[i] << bits;
        a->d[i + limbs + 1] |= (uint32_t)(w >> 32);
        a->d[i + limbs] = (uint32_t)w;
    }
    memset(a->d, 0, sizeof a->d[0] * (size_t)limbs);
    a->n += limbs + 1;
    big_trim(a);
}

/* a >>= k (k >= 0, magnitude); returns whether any 1 bit was shifted out. */
static int big_shr_sticky(big *a, int k) {
    const int limbs = k / 32, bits = k % 32;
    if (limbs >= a->n) {
        const int sticky = a->n != 0;
        a->n = 0;
        a->neg = 0;
        return sticky;
    }
    int sticky = 0;
    for (int i = 0; i < limbs; ++i)
        sticky |= a->d[i] != 0;
    if (bits)
        sticky |= (a->d[limbs] & ((UINT32_C(1) << bits) - 1)) != 0;
    for (int i = 0; i + limbs < a->n; ++i) {
        uint64_t w = a->d[i + limbs] >> bits;
        if (bits && i + limbs + 1 < a->n)
            w |= (uint64_t)a->d[i + limbs + 1] << (32 - bits);
        a->d[i] = (uint32_t)w;
    }
    a->n -= limbs;
    big_trim(a);
    return sticky;
}

/* The magnitude of a 256-bit two's-complement integer. */
static void big_from_i256(big *a, const sq_i256 *v) {
    sq_i256 m = *v;
    const int neg = (m.w[3] >> 63) != 0;
    if (neg) {
        unsigned __int128 carry = 1;
        for (int i = 0; i < 4; ++i) {
            carry += (uint64_t)~m.w[i];
            m.w[i] = (uint64_t)carry;
            carry >>= 64;
        }
    }
    a->overflow = 0;
    for (size_t i = 0; i < 4; ++i) {
        a->d[2 * i] = (uint32_t)m.w[i];
        a->d[2 * i + 1] = (uint32_t)(m.w[i] >> 32);
    }
    a->n = 8;
    a->neg = neg;
    big_trim(a);
}

/* The exact value of an accumulator in units of 2^-1074 (its non-finite counts aside). */
static void big_from_xacc(big *a, const sq_xacc *x) {
    int64_t t[SQ_XACC_DIGITS];
    memcpy(t, x->digit, sizeof t);
    /* Carry into [0, 2^32) digits with the sign left in the top one (as accumulate.c does). */
    int64_t carry = 0;
    for (int i = 0; i < SQ_XACC_DIGITS; ++i) {
        const int64_t v = t[i] + carry;
        if (i == SQ_XACC_DIGITS - 1) {
            t[i] = v;
            break;
        }
        carry = v >> 32; /* arithmetic shift (GCC, Clang): floor(v / 2^32) */
        t[i] = v & INT64_C(0xffffffff);
    }
    const int neg = t[SQ_XACC_DIGITS - 1] < 0;
    if (neg) { /* negate, then carry again */
        carry = 0;
        for (int i = 0; i < SQ_XACC_DIGITS; ++i) {
            const int64_t v = -t[i] + carry;
            carry = v >> 32;
            t[i] = v & INT64_C(0xffffffff);
        }
    }
    a->overflow = 0;
    for (int i = 0; i < SQ_XACC_DIGITS; ++i)
        a->d[i] = (uint32_t)t[i];
    a->n = SQ_XACC_DIGITS;
    a->neg = neg;
    big_trim(a);
}

/* ---- correct rounding -------------------------------------------------------------------------
 */

/* The double nearest to (q + s) * 2^k, negated if neg, where q > 0 and s is 0 or a positive amount
 * below one (sticky != 0): rounds to nearest even at 53 bits, or at 2^-1074 for subnormals. */
static double round_scaled(unsigned __int128 q, int sticky, int k, int neg) {
    int len = 0;
    for (unsigned __int128 t = q; t; t >>= 1)
        ++len;
    const int top = len - 1 + k; /* the value lies in [2^top, 2^(top+1)) */
    double r;
    if (top > 1023) {
        r = INFINITY;
    } else {
        const int prec = top >= -1022 ? 53 : top + 1075; /* bits kept */
        if (prec < 0) {
            r = 0.0; /* below 2^-1075: rounds to zero */
        } else {
            const int drop = len - prec;
            unsigned __int128 mant = q;
            if (drop > 0) {
                mant = q >> drop;
                const unsigned __int128 rem = q & ((((unsigned __int128)1) << drop) - 1);
                const unsigned __int128 half = ((unsigned __int128)1) << (drop - 1);
                if (rem > half || (rem == half && (sticky || (mant & 1))))
                    ++mant;
            } /* drop <= 0: q is exact at this precision; the sticky part is below half an ulp */
            r = ldexp((double)(uint64_t)mant, k + (drop > 0 ? drop : 0)); /* exact, or Inf */
        }
    }
    return neg ? -r : r;
}

/* The double nearest to (p / q) * 2^e2, for q > 0. p and q are consumed (changed). */
static double big_div_round(big *p, big *q, int e2) {
    if (p->overflow || q->overflow || q->n == 0)
        return NAN;
    if (p->n == 0)
        return 0.0;
    const int neg = p->neg;
    p->neg = 0;
    /* Scale p so that the quotient has 66 or 67 bits; the bits shifted out join the sticky bit. */
    const int t = big_bitlen(p) - big_bitlen(q) - 66;
    int sticky = 0;
    if (t > 0)
        sticky = big_shr_sticky(p, t);
    else
        big_shl(p, -t);
    /* Long division, one bit at a time (the quotient is short). */
    static const big zero = {0};
    big r = zero;
    unsigned __int128 quo = 0;
    for (int i = big_bitlen(p) - 1; i >= 0; --i) {
        big_shl(&r, 1);
        if ((p->d[i / 32] >> (i % 32)) & 1) {
            if (r.n == 0) {
                r.n = 1;
                r.d[0] = 1;
            } else {
                r.d[0] |= 1;
            }
        }
        quo <<= 1;
        if (big_cmp_mag(&r, q) >= 0) {
            mag_sub(&r, &r, q);
            big_trim(&r);
            quo |= 1;
        }
    }
    sticky |= r.n != 0;
    return round_scaled(quo, sticky, e2 + t, neg);
}

/* A positive finite double as M * 2^k with M an integer below 2^53. */
static void split_double(double x, uint64_t *m, int *k) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const int field = (int)((bits >> 52) & 0x7ff);
    const uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    *m = field ? frac | (UINT64_C(1) << 52) : frac;
    *k = (field ? field : 1) - 1075;
}

/* Sign of ((a + b) / 2)^2 * den - num * 2^e2, for doubles 0 <= a < b. */
static int cmp_mid_square(double a, double b, const big *num, const big *den, int e2) {
    uint64_t ma, mb;
    int ka, kb;
    split_double(a, &ma, &ka);
    split_double(b, &mb, &kb);
    if (a == 0.0)
        ka = kb;
    const int k = ka < kb ? ka : kb;
    const unsigned __int128 s =
        ((unsigned __int128)ma << (ka - k)) + ((unsigned __int128)mb << (kb - k));
    /* mid = s * 2^(k - 1); mid^2 = s^2 * 2^(2k - 2). */
    static const big zero = {0};
    big sb = zero, s2 = zero, lhs = zero, rhs = *num;
    big_from_u128(&sb, s);
    big_mul(&s2, &sb, &sb);
    big_mul(&lhs, &s2, den);
    const int shift = 2 * k - 2 - e2;
    if (shift >= 0)
        big_shl(&lhs, shift);
    else
        big_shl(&rhs, -shift);
    if (lhs.overflow || rhs.overflow)
        return 2;
    return big_cmp_mag(&lhs, &rhs);
}

/* A double near num / den (both > 0) as m * 2^e, from their leading bits. */
static double approx_ratio(const big *num, const big *den, int *e) {
    double part[2];
    int ex[2];
    const big *v[2] = {num, den};
    for (int i = 0; i < 2; ++i) {
        big t = *v[i];
        const int sh = big_bitlen(&t) > 64 ? big_bitlen(&t) - 64 : 0;
        big_shr_sticky(&t, sh);
        uint64_t w = 0;
        for (int j = t.n - 1; j >= 0; --j)
            w = (w << 32) | t.d[j];
        part[i] = (double)w;
        ex[i] = sh;
    }
    *e = ex[0] - ex[1];
    return part[0] / part[1];
}

/* The double nearest to sqrt(num / den * 2^e2), num >= 0, den > 0. */
static double big_sqrt_round(const big *num, const big *den, int e2) {
    if (num->overflow || den->overflow || den->n == 0 || num->neg)
        return NAN;
    if (num->n == 0)
        return 0.0;
    /* A candidate within a few ulps: sqrt(m * 2^e) with e made even. */
    int e;
    double m = approx_ratio(num, den, &e);
    e += e2;
    if (e % 2 != 0) {
        m *= 2.0;
        e -= 1;
    }
    double c = ldexp(sqrt(m), e / 2);
    if (!(c <= DBL_MAX))
        return NAN; /* not reached for the moments here: they are bounded */
    /* Walk to the correctly rounded value: c is right when the midpoints on either side bracket
     * the exact root (a tie goes to the even neighbour). */
    for (int step = 0; step < 200; ++step) {
        uint64_t bits;
        memcpy(&bits, &c, sizeof bits);
        const int odd = (int)(bits & 1);
        const double up = nextafter(c, INFINITY);
        int r = cmp_mid_square(c, up, num, den, e2);
        if (r == 2)
            return NAN;
        if (r < 0 || (r == 0 && odd)) {
            c = up;
            continue;
        }
        if (c > 0.0) {
            const double down = nextafter(c, 0.0);
            r = cmp_mid_square(down, c, num, den, e2);
            if (r == 2)
                return NAN;
            if (r > 0 || (r == 0 && odd)) {
                c = down;
                continue;
            }
        }
        return c;
    }
    return NAN; /* not reached: the candidate is a few ulps off at most */
}

/* ---- the moments -------------------------------------------------------------------------- */

/* The moments from exact sums A1, A2, A3 in units of 2^-u (values S_k = A_k 2^-u) of n > 0
 * elements. ok2 / ok3: whether A2 / A3 are usable (no overflowed stored square / cube). */
static void moments_of(int64_t n, const big *a1, const big *a2, const big *a3, int u, int ok2,
                       int ok3, sq_moments *m) {
    static const big zero = {0};
    big nb = zero, t = zero, pv = zero, pm = zero, x = zero, y = zero;
    big_from_u128(&nb, (unsigned __int128)n);

    /* mean = A1 / N * 2^-u */
    big p = *a1, q = nb;
    m->mean = big_div_round(&p, &q, -u);

    m->variance = m->sample_variance = m->std = m->skewness = NAN;
    if (!ok2)
        return;
    /* Pv = (N A2 << u) - A1^2 = N^2 m2 2^2u */
    big_mul(&pv, &nb, a2);
    big_shl(&pv, u);
    big_mul(&t, a1, a1);
    big_negate(&t);
    big_add(&pv, &pv, &t);
    if (pv.neg) { /* only from rounded stored squares (moments.h) */
        m->variance = 0.0;
        m->sample_variance = n > 1 ? 0.0 : NAN;
        m->std = 0.0;
        return;
    }
    big nn = zero, nn1 = zero;
    big_mul(&nn, &nb, &nb);
    p = pv;
    q = nn;
    m->variance = big_div_round(&p, &q, -2 * u);
    if (n > 1) {
        big_from_u128(&nn1, (unsigned __int128)n * (unsigned __int128)(n - 1));
        p = pv;
        q = nn1;
        m->sample_variance = big_div_round(&p, &q, -2 * u);
    }
    m->std = big_sqrt_round(&pv, &nn, -2 * u);
    if (!ok3 || pv.n == 0)
        return;
    /* Pm = (N^2 A3 << 2u) - (3 N A1 A2 << u) + 2 A1^3 = N^3 m3 2^3u */
    big_mul(&pm, &nn, a3);
    big_shl(&pm, 2 * u);
    big_mul(&t, a1, a2);
    big_from_u128(&x, (unsigned __int128)n * 3u);
    big_mul(&y, &t, &x);
    big_shl(&y, u);
    big_negate(&y);
    big_add(&pm, &pm, &y);
    big_mul(&t, a1, a1);
    big_mul(&y, &t, a1);
    big_shl(&y, 1);
    big_add(&pm, &pm, &y);
    /* g1 = Pm / Pv^(3/2) (N and the units cancel): |g1| = sqrt(Pm^2 / Pv^3). */
    const int neg = pm.neg;
    big_mul(&x, &pm, &pm);
    big_mul(&t, &pv, &pv);
    big_mul(&y, &t, &pv);
    const double g = big_sqrt_round(&x, &y, 0);
    m->skewness = neg ? -g : g;
}

void sq_moments_compute(const sq_stats *s, const sq_power_err *err, sq_moments *m) {
    m->mean = m->variance = m->sample_variance = m->std = m->skewness = NAN;
    m->exact = 1; /* the rules for N = 0, integer data, non-finite input are exact by definition */
    const int64_t n = s->count;
    if (n <= 0)
        return;
    static const big zero = {0};
    big a[SQ_NSUMS] = {zero, zero, zero};
    if (s->type == SQ_DTYPE_INT64) {
        for (int k = 0; k < SQ_NSUMS; ++k)
            big_from_i256(&a[k], &s->isum[k]);
        moments_of(n, &a[0], &a[1], &a[2], 0, 1, 1, m);
        return;
    }
    if (s->nonfinite > 0) {
        /* IEEE: the sum is NaN or the infinity that occurred; the others are undefined. */
        m->mean = sq_xacc_value(&s->fsum[SQ_SUM_X]) / (double)n;
        return;
    }
    sq_xacc sums[SQ_NSUMS];
    for (int k = 0; k < SQ_NSUMS; ++k)
        sums[k] = s->fsum[k];
    if (err) {
        sq_xacc_merge(&sums[SQ_SUM_SQ], &err->sq);
        sq_xacc_merge(&sums[SQ_SUM_CUBE], &err->cube);
        m->exact = err->sq_outside == 0 && err->cube_outside == 0;
    } else {
        /* Without corrections the moments are the data's only when every square and cube was
         * stored exactly; all zeros is the one case known from the record alone. */
        m->exact = s->has_minmax && s->fmin == 0.0 && s->fmax == 0.0;
    }
    const int ok2 = s->fsum[SQ_SUM_SQ].nan + s->fsum[SQ_SUM_SQ].pinf + s->fsum[SQ_SUM_SQ].ninf == 0;
    const int ok3 =
        s->fsum[SQ_SUM_CUBE].nan + s->fsum[SQ_SUM_CUBE].pinf + s->fsum[SQ_SUM_CUBE].ninf == 0;
    for (int k = 0; k < SQ_NSUMS; ++k)
        big_from_xacc(&a[k], &sums[k]);
    moments_of(n, &a[0], &a[1], &a[2], 1074, ok2, ok3, m);
}

/* ---- the corrections --------------------------------------------------------------------------
 */

void sq_power_err_init(sq_power_err *e) {
    sq_xacc_init(&e->sq);
    sq_xacc_init(&e->cube);
    e->sq_outside = e->cube_outside = 0;
}

void sq_power_err_merge(sq_power_err *into, const sq_power_err *from) {
    sq_xacc_merge(&into->sq, &from->sq);
    sq_xacc_merge(&into->cube, &from->cube);
    into->sq_outside += from->sq_outside;
    into->cube_outside += from->cube_outside;
}

void sq_power_err_add(sq_power_err *e, const double *x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const double v = x[i];
        if (!(fabs(v) <= DBL_MAX) || v == 0.0)
            continue;
        const int lg = ilogb(v); /* 2^lg <= |v| < 2^(lg+1) */
        /* The stored values, as the kernel forms them (kernel.h). */
        const double q = v * v;
        const double c = q * v;
        /* x^2 = q + e2 exactly when x^2 is a whole number of 2^-1074 (|x| >= 2^-484) and q is
         * finite (|x| < 2^511): then fma's single rounding is exact. */
        if (lg >= -484 && lg < 511) {
            const double e2 = fma(v, v, -q);
            sq_xacc_add(&e->sq, e2);
            /* x^3 = q x + e2 x = c + ec + f + ef, each a double when x^3 is a whole number of
             * 2^-1074 (|x| >= 2^-305) and below 2^1023 (|x| < 2^341). */
            if (lg >= -305 && lg < 341) {
                const double ec = fma(q, v, -c);
                const double f = e2 * v;
                const double ef = fma(e2, v, -f);
                sq_xacc_add(&e->cube, ec);
                sq_xacc_add(&e->cube, f);
                sq_xacc_add(&e->cube, ef);
            } else {
                ++e->cube_outside;
            }
        } else {
            ++e->sq_outside;
            ++e->cube_outside;
        }
    }
}
