/*
 * 09_lock_counter.c - one counter, 5 threads x 100000 increments: exactly 500000 with a lock
 * (the tutorial's "Thread Synchronization: Lock"), next to the other ways OpenMP gets it right
 * and the racy way that does not.
 *
 *   ./09_lock_counter
 *
 *   racy       each increment is a load and a store (each atomic, the pair not): increments
 *              are lost when two threads interleave. A demonstration: it may lose none on a
 *              given run, or many.
 *   lock       omp_set_lock / omp_unset_lock around ++counter, as the tutorial's `with lock:`.
 *   critical   #pragma omp critical: the same lock, named by the compiler.
 *   atomic     #pragma omp atomic: one hardware read-modify-write, no lock.
 *   reduction  reduction(+ : counter): each thread counts in a private copy, and the copies are
 *              added once at the end. No sharing at all while the loop runs - the fastest (the
 *              compiler may even fold each thread's loop into one addition), and
 *              what sqcube does: per-thread partial reductions merged at the end of each kernel
 *              (src/kernel.c, MERGE_IN_THREAD_ORDER), then across ranks (src/parallel.c).
 *
 * The times are printed for interest only: they depend on the machine and its load.
 */
#include <stdio.h>

#include <omp.h>

#define THREADS 5
#define INCREMENTS 100000

/* The racy, lock, critical and atomic versions share one counter. */
static long counter;

/* Each version runs on a team of THREADS threads; *team receives the size the runtime gave. */
static void run_racy(int *team) {
#pragma omp parallel num_threads(THREADS)
    {
#pragma omp single
        *team = omp_get_num_threads();
        for (int i = 0; i < INCREMENTS; ++i) {
            long v;
#pragma omp atomic read
            v = counter;
#pragma omp atomic write
            counter = v + 1; /* another thread may have stored in between: its increment is lost */
        }
    }
}

static void run_lock(int *team) {
    omp_lock_t lock;
    omp_init_lock(&lock);
#pragma omp parallel num_threads(THREADS)
    {
#pragma omp single
        *team = omp_get_num_threads();
        for (int i = 0; i < INCREMENTS; ++i) {
            omp_set_lock(&lock);
            ++counter;
            omp_unset_lock(&lock);
        }
    }
    omp_destroy_lock(&lock);
}

static void run_critical(int *team) {
#pragma omp parallel num_threads(THREADS)
    {
#pragma omp single
        *team = omp_get_num_threads();
        for (int i = 0; i < INCREMENTS; ++i) {
#pragma omp critical(counter_update)
            ++counter;
        }
    }
}

static void run_atomic(int *team) {
#pragma omp parallel num_threads(THREADS)
    {
#pragma omp single
        *team = omp_get_num_threads();
        for (int i = 0; i < INCREMENTS; ++i) {
#pragma omp atomic update
            ++counter;
        }
    }
}

static void run_reduction(int *team) {
    long total = 0;
#pragma omp parallel num_threads(THREADS) reduction(+ : total)
    {
#pragma omp single
        *team = omp_get_num_threads();
        for (int i = 0; i < INCREMENTS; ++i)
            ++total; /* this thread's private copy, zeroed at the start of the region */
    }                /* the private copies are added into total here */
    counter = total;
}

int main(void) {
    static const struct {
        const char *name;
        void (*run)(int *team);
    } versions[] = {{"racy", run_racy},
                    {"lock", run_lock},
                    {"critical", run_critical},
                    {"atomic", run_atomic},
                    {"reduction", run_reduction}};
    int wrong = 0;
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; ++v) {
        counter = 0;
        int team = 0;
        const double start = omp_get_wtime();
        versions[v].run(&team);
        const double seconds = omp_get_wtime() - start;
        const long expected = (long)team * INCREMENTS;
        printf("%-9s %d threads x %d: counter = %ld, expected %ld (%.4f s)\n", versions[v].name,
               team, INCREMENTS, counter, expected, seconds);
        if (v > 0 && counter != expected)
            wrong = 1; /* only the racy version may lose increments */
    }
    return wrong;
}
