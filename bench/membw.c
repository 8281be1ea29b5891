/*
 * membw.c - memory bandwidth for sqcube's access pattern: read x (8 bytes), write x^2 and x^3
 * (16 bytes) per element, on OpenMP threads, arrays far larger than the caches. First touch in the
 * same static pattern as the loop (as STREAM does); the first run is a warm-up; prints the median
 * and best of the rest as GB/s of 24 bytes per element.
 * Usage: membw [N] [repeats]   (default 2^26 elements = 1.5 GiB in all, 7 repeats)
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "timer.h"

static int cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const long long n = argc > 1 ? atoll(argv[1]) : (1LL << 26);
    const int reps = argc > 2 ? atoi(argv[2]) : 7;
    if (n < 1 || reps < 2 || reps > 100) {
        fprintf(stderr, "usage: membw [N >= 1] [repeats 2..100]\n");
        return 2;
    }
    double *x = malloc((size_t)n * 8), *sq = malloc((size_t)n * 8), *cu = malloc((size_t)n * 8);
    if (!x || !sq || !cu) {
        fprintf(stderr, "membw: cannot allocate 3 x %lld doubles\n", n);
        return 1;
    }
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < n; ++i) {
        x[i] = (double)(i % 1000) * 1e-3;
        sq[i] = cu[i] = 0.0;
    }
    double t[100];
    for (int r = 0; r < reps; ++r) {
        const double t0 = sq_now();
#pragma omp parallel for simd schedule(static)
        for (long long i = 0; i < n; ++i) {
            const double v = x[i], q = v * v;
            sq[i] = q;
            cu[i] = q * v;
        }
        t[r] = sq_now() - t0;
    }
    qsort(t + 1, (size_t)(reps - 1), sizeof *t, cmp); /* t[0] was the warm-up */
    const double med = t[1 + (reps - 1) / 2], best = t[1];
    printf("membw: N = %lld, %d threads: median %.4f s = %.2f GB/s, best %.4f s = %.2f GB/s "
           "(24 B/element)\n",
           n, omp_get_max_threads(), med, 24.0 * (double)n / med / 1e9, best,
           24.0 * (double)n / best / 1e9);
    const double check = sq[n / 2] + cu[n - 1];
    free(cu);
    free(sq);
    free(x);
    return check < 0; /* keeps the loop from being optimised away */
}
