/*
 * kernel.c - the element-wise square/cube kernels and their per-thread partial reductions.
 */
#include "kernel.h"

#include <float.h>
#include <math.h>
#include <omp.h>

/* The slice [begin, end) of [0, n) that thread t of nt takes: contiguous, sizes within one. */
static void thread_slice(int64_t n, int t, int nt, int64_t *begin, int64_t *end) {
    const int64_t q = n / nt, r = n % nt;
    *begin = t * q + (t < r ? t : r);
    *end = *begin + q + (t < r ? 1 : 0);
}

/* Merges each thread's private record into *st, in thread order, so that the merge (and hence
 * the rounding of the float sums) is the same every time for the same thread count. */
#define MERGE_IN_THREAD_ORDER(st, local)                                                           \
    do {                                                                                           \
        const int nt_ = omp_get_num_threads();                                                     \
        _Pragma("omp for ordered schedule(static, 1)") for (int t_ = 0; t_ < nt_; ++t_) {          \
            _Pragma("omp ordered") sq_stats_merge((st), &(local));                                 \
        }                                                                                          \
    } while (0)

/* Adds one int64 block sum given as high and low 32-bit halves summed separately. */
static inline void add_split(sq_i256 *acc, int64_t hi_sum, int64_t lo_sum) {
    sq_i256_add_i128(acc, (__int128)hi_sum * ((__int128)1 << 32) +
                              lo_sum); /* no shift: hi_sum may be < 0 */
}

/* ---- float64 ---------------------------------------------------------------------------- */

/* Where the toolchain can, an AVX2 clone of the hot loop, picked at load time (as accumulate.c). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define SQ_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SQ_TARGET_CLONES
#endif

/* Squares and cubes of one block, with its min and max (NaN ignored), smallest |x| and NaN count.
 */
SQ_TARGET_CLONES
static int64_t square_cube_block(const double *x, int64_t n, double *sq, double *cu, double *min,
                                 double *max, double *minabs) {
    int64_t bnan = 0;
    double bmn = DBL_MAX, bmx = -DBL_MAX, bma = DBL_MAX;
#pragma omp simd reduction(+ : bnan) reduction(min : bmn, bma) reduction(max : bmx)
    for (int64_t i = 0; i < n; ++i) {
        const double v = x[i];
        const double q = v * v;
        sq[i] = q;
        cu[i] = q * v;
        bnan += (v != v);
        /* A NaN v compares false: min and max ignore it. */
        bmn = v < bmn ? v : bmn;
        bmx = v > bmx ? v : bmx;
        const double a = fabs(v);
        bma = a < bma ? a : bma;
    }
    *min = bmn;
    *max = bmx;
    *minabs = bma;
    return bnan;
}

void sq_kernel_float64(const double *x, int64_t n, double *sq, double *cu, sq_stats *st) {
#pragma omp parallel
    {
        sq_stats local;
        sq_stats_init(&local, SQ_DTYPE_FLOAT64);
        int64_t begin, end;
        thread_slice(n, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        int64_t nan = 0, pinf = 0, ninf = 0, negzero = 0, poszero = 0;
        double mn = DBL_MAX, mx = -DBL_MAX;
        for (int64_t b = begin; b < end; b += SQ_KERNEL_BLOCK) {
            const int64_t e = (end - b > SQ_KERNEL_BLOCK) ? b + SQ_KERNEL_BLOCK : end;
            double bmn, bmx, bma;
            const int64_t bnan = square_cube_block(x + b, e - b, sq + b, cu + b, &bmn, &bmx, &bma);
            /* Rare blocks only: which infinities, and which zeros when a zero is the min or max
             * (the sign rule for min and max needs them; the hot loop does not). */
            int64_t bpinf = 0, bninf = 0;
            const int infinite =
                bmx == INFINITY || bmn == -INFINITY; /* NaN aside, min/max see Inf */
            const int bnonfinite = bnan > 0 || infinite;
            if (infinite)
                for (int64_t i = b; i < e; ++i) {
                    bpinf += x[i] == INFINITY;
                    bninf += x[i] == -INFINITY;
                }
            if (bmn == 0.0 || bmx == 0.0)
                for (int64_t i = b; i < e; ++i)
                    if (x[i] == 0.0) {
                        negzero += signbit(x[i]) != 0;
                        poszero += signbit(x[i]) == 0;
                    }
            nan += bnan;
            pinf += bpinf;
            ninf += bninf;
            mn = bmn < mn ? bmn : mn;
            mx = bmx > mx ? bmx : mx;
            /* Exact sums of the block while it is in cache. Rounding is monotone, so the block's
             * largest |x| bounds |x| and its rounded square and cube bound the stored squares and
             * cubes; a block with NaN or Inf (or cubes past the range) goes term by term. */
            const int n_block = (int)(e - b);
            const double bx = bnonfinite ? INFINITY : fmax(-bmn, bmx);
            const double bsq = bx * bx;
            sq_xacc *acc[3] = {&local.fsum[SQ_SUM_X], &local.fsum[SQ_SUM_SQ],
                               &local.fsum[SQ_SUM_CUBE]};
            const double bounds[3] = {bx, bsq, bsq * bx};
            /* Likewise the smallest |x| bounds the stored |x^2| and |x^3| from below. */
            const double lsq = bma * bma;
            const double lower[3] = {bma, lsq, lsq * bma};
            sq_xacc_add_blocks3_ranged(acc, x + b, sq + b, cu + b, n_block, bounds, lower);
        }
        local.count = end - begin;
        local.nan = nan;
        local.nonfinite = nan + pinf + ninf;
        local.negzero = negzero;
        local.poszero = poszero;
        const int64_t numbers = local.count - nan;
        if (numbers > 0) {
            /* min starts at DBL_MAX, so an all-+Inf slice needs saying; likewise max. */
            local.has_minmax = 1;
            local.fmin = (pinf == numbers) ? INFINITY : mn;
            local.fmax = (ninf == numbers) ? -INFINITY : mx;
        }
        MERGE_IN_THREAD_ORDER(st, local);
    }
}

/* ---- int64 -> int64 ------------------------------------------------------------------------ */

int64_t sq_kernel_int64(const int64_t *x, int64_t n, int64_t *sq, int64_t *cu, sq_stats *st) {
    int64_t first_bad = INT64_MAX;
#pragma omp parallel reduction(min : first_bad)
    {
        sq_stats local;
        sq_stats_init(&local, SQ_DTYPE_INT64);
        int64_t begin, end;
        thread_slice(n, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        for (int64_t b = begin; b < end; b += SQ_KERNEL_BLOCK) {
            const int64_t e = (end - b > SQ_KERNEL_BLOCK) ? b + SQ_KERNEL_BLOCK : end;
            /* Sums of x and x^3 are kept as high and low 32-bit halves so that the block sums
             * cannot overflow int64 and the loop stays vectorisable; squares (< 2^43 when the
             * cube fits) sum directly. */
            int64_t xh = 0, xl = 0, ch = 0, cl = 0, bad = 0;
            uint64_t s2 = 0; /* unsigned: a wrapped out-of-range square must not overflow */
#pragma omp simd reduction(+ : xh, xl, s2, ch, cl, bad) reduction(min : mn) reduction(max : mx)
            for (int64_t i = b; i < e; ++i) {
                const int64_t v = x[i];
                bad += (v < SQ_CUBE_INT64_MIN) | (v > SQ_CUBE_INT64_MAX);
                /* Unsigned arithmetic: an out-of-range v wraps (defined) and is reported below. */
                const int64_t q = (int64_t)((uint64_t)v * (uint64_t)v);
                const int64_t c = (int64_t)((uint64_t)q * (uint64_t)v);
                sq[i] = q;
                cu[i] = c;
                xh += v >> 32; /* arithmetic shift (GCC, Clang): floor(v / 2^32) */
                xl += (int64_t)(v & 0xffffffff);
                s2 += (uint64_t)q;
                ch += c >> 32;
                cl += (int64_t)(c & 0xffffffff);
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
            if (bad) {
                for (int64_t i = b; i < e; ++i)
                    if (x[i] < SQ_CUBE_INT64_MIN || x[i] > SQ_CUBE_INT64_MAX) {
                        first_bad = i;
                        break;
                    }
                break;
            }
            add_split(&local.isum[SQ_SUM_X], xh, xl);
            sq_i256_add_i128(&local.isum[SQ_SUM_SQ], s2);
            add_split(&local.isum[SQ_SUM_CUBE], ch, cl);
        }
        local.count = end - begin;
        if (local.count > 0) {
            local.has_minmax = 1;
            local.imin = mn;
            local.imax = mx;
        }
        MERGE_IN_THREAD_ORDER(st, local);
    }
    return first_bad == INT64_MAX ? -1 : first_bad;
}

/* ---- int64 -> float64 ------------------------------------------------------------------ */

/* The nearest double to a 128-bit integer (ties to even). Beyond 64 bits, the top 64 bits with
 * every lower bit folded into a sticky bit 0 convert with the one correct rounding; scaling by a
 * power of two is then exact. */
static inline double i128_to_double(__int128 v) {
    if (v >= INT64_MIN && v <= INT64_MAX)
        return (double)(int64_t)v;
    const unsigned __int128 m =
        v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    const uint64_t hi = (uint64_t)(m >> 64), lo = (uint64_t)m;
    const int shift = hi ? 64 - __builtin_clzll(hi) : 0; /* bits beyond the low 64, 0..64 */
    double d;
    if (shift == 0) {
        d = (double)lo;
    } else {
        const uint64_t top = shift == 64 ? hi : (uint64_t)(m >> shift);
        const uint64_t sticky = shift == 64 ? lo != 0 : (lo & ((UINT64_C(1) << shift) - 1)) != 0;
        union {
            uint64_t u;
            double d;
        } scale = {.u = (uint64_t)(1023 + shift) << 52}; /* 2^shift, exact */
        d = (double)(top | sticky) * scale.d;
    }
    return v < 0 ? -d : d;
}

double sq_round_square(int64_t x) {
    return i128_to_double((__int128)x * x);
}

/* |x| up to 2^42 has a cube below 2^126, inside __int128. */
#define CUBE_FITS_I128 (INT64_C(1) << 42)

double sq_round_cube(int64_t x) {
    if (x >= -CUBE_FITS_I128 && x <= CUBE_FITS_I128)
        return i128_to_double((__int128)x * x * x);
    sq_i256 c;
    sq_i256_zero(&c);
    sq_i256_add_product3(&c, x, x, x);
    return sq_i256_to_double(&c);
}

void sq_kernel_int64_to_float64(const int64_t *x, int64_t n, double *sq, double *cu, sq_stats *st) {
#pragma omp parallel
    {
        sq_stats local;
        sq_stats_init(&local, SQ_DTYPE_INT64);
        int64_t begin, end;
        thread_slice(n, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        /* Blocks of 32: 32 terms below 2^126 (cubes of |x| <= 2^40) sum inside __int128. */
        for (int64_t b = begin; b < end; b += 32) {
            const int64_t e = (end - b > 32) ? b + 32 : end;
            __int128 s1 = 0, s2 = 0, s3 = 0;
            for (int64_t i = b; i < e; ++i) {
                const int64_t v = x[i];
                sq[i] = sq_round_square(v);
                cu[i] = sq_round_cube(v);
                s1 += v;
                if (v >= -(INT64_C(1) << 40) && v <= (INT64_C(1) << 40)) {
                    s2 += (__int128)v * v;
                    s3 += (__int128)v * v * v;
                } else {
                    sq_i256_add_i128(&local.isum[SQ_SUM_SQ], (__int128)v * v);
                    sq_i256_add_product3(&local.isum[SQ_SUM_CUBE], v, v, v);
                }
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
            sq_i256_add_i128(&local.isum[SQ_SUM_X], s1);
            sq_i256_add_i128(&local.isum[SQ_SUM_SQ], s2);
            sq_i256_add_i128(&local.isum[SQ_SUM_CUBE], s3);
        }
        local.count = end - begin;
        if (local.count > 0) {
            local.has_minmax = 1;
            local.imin = mn;
            local.imax = mx;
        }
        MERGE_IN_THREAD_ORDER(st, local);
    }
}
