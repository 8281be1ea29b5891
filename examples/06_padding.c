/*
 * 06_padding.c - padding against false sharing: per-thread counters packed side by side versus
 * padded to a cache line each, timed (the tutorial's "Padding Between Processes").
 *
 *   ./06_padding
 *
 * Caches move memory in lines (64 bytes on x86-64 and most ARM cores). Counters of 8 bytes packed
 * together share a line; when each thread writes its own counter, the line still bounces from
 * core to core on every write, although no two threads touch the same byte: false sharing. Give
 * each counter a line of its own (pad it, here with _Alignas) and the writes stay in each core's
 * cache. The effect is the same between processes that share memory (an MPI shared-memory
 * window, 03_shared_counter.c); with threads it is the everyday case.
 *
 * The program prints both times and their ratio. It is a measurement, not a check: on a busy or
 * single-core machine the threads do not run at the same time and the ratio tends to 1.
 *
 * In sqcube each OpenMP thread accumulates its partial reductions in a record of its own on its
 * own stack (`local` in the kernels of src/kernel.c), merged once at the end: no two threads
 * write the same cache line while the loop runs, which is what the padding below buys.
 */
#include <stdio.h>

#include <omp.h>

#define CACHE_LINE 64 /* bytes; some CPUs prefetch line pairs, where 128 is safer */
#define MAX_THREADS 8
#define INCREMENTS 20000000L
#define REPEATS 3 /* best of REPEATS */

/* Packed: 8 counters in one cache line. */
static _Alignas(CACHE_LINE) long packed[MAX_THREADS];

/* Padded: each counter alone in a line (sizeof == CACHE_LINE, every element aligned). */
struct padded_counter {
    _Alignas(CACHE_LINE) long value;
};
static struct padded_counter padded[MAX_THREADS];

/* Each thread t increments counter t, INCREMENTS times; counter t is base[t * stride]. The
 * volatile access keeps every increment a load and a store to memory, as a shared counter's
 * would be (otherwise the compiler keeps it in a register and adds INCREMENTS once). Returns
 * the best time of REPEATS, in seconds. */
static double time_counters(long *base, size_t stride, int threads) {
    double best = 1e30;
    for (int rep = 0; rep < REPEATS; ++rep) {
        double seconds = 0.0;
#pragma omp parallel num_threads(threads)
        {
            volatile long *mine = base + (size_t)omp_get_thread_num() * stride;
            *mine = 0;
#pragma omp barrier
            const double start = omp_get_wtime();
            for (long i = 0; i < INCREMENTS; ++i)
                *mine += 1;
#pragma omp barrier
#pragma omp master
            seconds = omp_get_wtime() - start;
        }
        if (seconds < best)
            best = seconds;
    }
    return best;
}

/* 1 when each of the first `threads` counters holds INCREMENTS. */
static int all_counted(const long *base, size_t stride, int threads) {
    for (int t = 0; t < threads; ++t)
        if (base[(size_t)t * stride] != INCREMENTS)
            return 0;
    return 1;
}

int main(void) {
    int threads = omp_get_num_procs();
    threads = threads < 2 ? 2 : threads > MAX_THREADS ? MAX_THREADS : threads;
    const size_t pad_stride = sizeof(struct padded_counter) / sizeof(long);

    const double t_packed = time_counters(packed, 1, threads);
    const int ok_packed = all_counted(packed, 1, threads);
    const double t_padded = time_counters(&padded[0].value, pad_stride, threads);
    const int ok_padded = all_counted(&padded[0].value, pad_stride, threads);

    printf("%d threads x %ld increments of a per-thread counter\n", threads, INCREMENTS);
    printf("packed (%zu bytes apart): %.3f s, every counter right: %s\n", sizeof(long), t_packed,
           ok_packed ? "yes" : "no");
    printf("padded (%zu bytes apart): %.3f s, every counter right: %s\n",
           sizeof(struct padded_counter), t_padded, ok_padded ? "yes" : "no");
    printf("packed / padded time: %.2f\n", t_padded > 0.0 ? t_packed / t_padded : 0.0);
    return ok_packed && ok_padded ? 0 : 1;
}
