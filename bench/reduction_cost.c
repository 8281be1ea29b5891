/*
 * reduction_cost.c - what the exact, reproducible float sums cost against a plain OpenMP
 * reduction, on the same data in memory (no I/O).
 *
 *   A: sq_kernel_float64, sqcube's kernel: square, cube, exact sums (sq_xacc), min, max, counts;
 *   B: the same loop with `omp parallel for simd reduction(+:...)` float64 sums (order-dependent);
 *   C: B's loop body over each thread's slice in a function compiled twice (AVX2 and baseline
 *      x86-64, picked at load time) as sqcube's kernel is: the like-for-like plain reduction.
 * Runs alternate A B C A B C ... after one warm-up each; prints medians and min-max of each, and
 * the difference per element. Usage: reduction_cost [N] [repeats]  (default 2^25, 9 repeats).
 */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "generate.h"
#include "kernel.h"
#include "stats.h"
#include "timer.h"

static double plain(const double *x, int64_t n, double *sq, double *cu, double sums[3]) {
    double s1 = 0, s2 = 0, s3 = 0, mn = DBL_MAX, mx = -DBL_MAX;
    int64_t nonfinite = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : s1, s2, s3, nonfinite)               \
    reduction(min : mn) reduction(max : mx)
    for (int64_t i = 0; i < n; ++i) {
        const double v = x[i], q = v * v, c = q * v;
        sq[i] = q;
        cu[i] = c;
        s1 += v;
        s2 += q;
        s3 += c;
        nonfinite += !(fabs(v) <= DBL_MAX);
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    sums[0] = s1;
    sums[1] = s2;
    sums[2] = s3;
    return mn + mx + (double)nonfinite;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define BENCH_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define BENCH_CLONES
#endif

/* out: s1, s2, s3, min, max, non-finite count. */
BENCH_CLONES
static void plain_slice(const double *x, int64_t n, double *sq, double *cu, double out[6]) {
    double s1 = 0, s2 = 0, s3 = 0, mn = DBL_MAX, mx = -DBL_MAX;
    int64_t nonfinite = 0;
#pragma omp simd reduction(+ : s1, s2, s3, nonfinite) reduction(min : mn) reduction(max : mx)
    for (int64_t i = 0; i < n; ++i) {
        const double v = x[i], q = v * v, c = q * v;
        sq[i] = q;
        cu[i] = c;
        s1 += v;
        s2 += q;
        s3 += c;
        nonfinite += !(fabs(v) <= DBL_MAX);
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    out[0] = s1;
    out[1] = s2;
    out[2] = s3;
    out[3] = mn;
    out[4] = mx;
    out[5] = (double)nonfinite;
}

static double plain_cloned(const double *x, int64_t n, double *sq, double *cu, double sums[3]) {
    double s1 = 0, s2 = 0, s3 = 0, mn = DBL_MAX, mx = -DBL_MAX, nonfinite = 0;
#pragma omp parallel reduction(+ : s1, s2, s3, nonfinite) reduction(min : mn) reduction(max : mx)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t q = n / nt, r = n % nt;
        const int64_t begin = t * q + (t < r ? t : r), len = q + (t < r ? 1 : 0);
        double out[6];
        plain_slice(x + begin, len, sq + begin, cu + begin, out);
        s1 += out[0];
        s2 += out[1];
        s3 += out[2];
        mn = out[3] < mn ? out[3] : mn;
        mx = out[4] > mx ? out[4] : mx;
        nonfinite += out[5];
    }
    sums[0] = s1;
    sums[1] = s2;
    sums[2] = s3;
    return mn + mx + nonfinite;
}

static int cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const int64_t n = argc > 1 ? atoll(argv[1]) : (INT64_C(1) << 25);
    const int reps = argc > 2 ? atoi(argv[2]) : 9;
    if (n < 1 || reps < 1 || reps > 100) {
        fprintf(stderr, "usage: reduction_cost [N >= 1] [repeats 1..100]\n");
        return 2;
    }
    double *x = malloc((size_t)n * 8), *sq = malloc((size_t)n * 8), *cu = malloc((size_t)n * 8);
    if (!x || !sq || !cu) {
        fprintf(stderr, "reduction_cost: cannot allocate 3 x %lld doubles\n", (long long)n);
        return 1;
    }
    const sq_gen_spec spec = {SQ_GEN_UNIFORM, n, 1, -1.0, 1.0};
    sq_generate(&spec, 0, n, x); /* first touch by the threads, as in sqcube */
    double ta[100], tb[100], tc[100], sums[3], sums_c[3], exact[3];
    for (int r = -1; r < reps; ++r) { /* r = -1: warm-up */
        sq_stats st;
        sq_stats_init(&st, SQ_DTYPE_FLOAT64);
        double t0 = sq_now();
        sq_kernel_float64(x, n, sq, cu, &st);
        const double a = sq_now() - t0;
        for (int k = 0; k < 3; ++k)
            exact[k] = sq_stats_sum(&st, (enum sq_sum)k);
        t0 = sq_now();
        plain(x, n, sq, cu, sums);
        const double b = sq_now() - t0;
        t0 = sq_now();
        plain_cloned(x, n, sq, cu, sums_c);
        const double c = sq_now() - t0;
        if (r >= 0) {
            ta[r] = a;
            tb[r] = b;
            tc[r] = c;
        }
    }
    qsort(ta, (size_t)reps, sizeof *ta, cmp);
    qsort(tb, (size_t)reps, sizeof *tb, cmp);
    qsort(tc, (size_t)reps, sizeof *tc, cmp);
    const double ma = ta[reps / 2], mb = tb[reps / 2], mc = tc[reps / 2];
    printf("reduction_cost: N = %lld, %d threads, %d alternating repeats (medians, min-max)\n",
           (long long)n, omp_get_max_threads(), reps);
    printf("  A exact sums (sqcube kernel) %8.4f s  [%.4f - %.4f]  %.3f ns/element\n", ma, ta[0],
           ta[reps - 1], 1e9 * ma / (double)n);
    printf("  B plain omp reduction        %8.4f s  [%.4f - %.4f]  %.3f ns/element\n", mb, tb[0],
           tb[reps - 1], 1e9 * mb / (double)n);
    printf("  C plain, AVX2 clone          %8.4f s  [%.4f - %.4f]  %.3f ns/element\n", mc, tc[0],
           tc[reps - 1], 1e9 * mc / (double)n);
    printf("  cost of exact sums: %+.3f ns/element, %+.4f s per 1e8 elements, A/B = %.2f\n",
           1e9 * (ma - mb) / (double)n, 1e8 * (ma - mb) / (double)n, ma / mb);
    printf("  like for like: A - C = %+.3f ns/element, A/C = %.2f\n", 1e9 * (ma - mc) / (double)n,
           ma / mc);
    printf("  sums A %.17g %.17g %.17g\n  sums B %.17g %.17g %.17g\n  sums C %.17g %.17g %.17g\n",
           exact[0], exact[1], exact[2], sums[0], sums[1], sums[2], sums_c[0], sums_c[1],
           sums_c[2]);
    free(cu);
    free(sq);
    free(x);
    return 0;
}
