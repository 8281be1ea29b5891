/*
 * 08_threads.c - threads: two OpenMP threads print their numbers (the tutorial's "Multithreading"
 * with threading.Thread).
 *
 *   ./08_threads
 *
 * Python creates each thread, starts it and joins it. OpenMP does the three at once: a parallel
 * region starts a team of threads that all run the block, and the end of the region waits for
 * all of them (an implied barrier, the join). Threads share the process's memory - one copy of
 * every global, unlike the processes of 02_no_shared_state.c - and, in C, run truly in parallel:
 * there is no global interpreter lock. Within a thread the lines come in order; between threads
 * they interleave in no set order.
 *
 * sqcube runs its kernels on such a team (the `#pragma omp parallel` regions in src/kernel.c),
 * inside each MPI rank.
 */
#include <stdio.h>

#include <omp.h>

#define THREADS 2

static void print_numbers(const char *name) {
    for (int i = 0; i < 5; ++i)
        printf("%s: %d\n", name, i);
}

int main(void) {
    int team = 0;
#pragma omp parallel num_threads(THREADS)
    {
        char name[32];
        snprintf(name, sizeof name, "Thread %d", omp_get_thread_num() + 1);
        print_numbers(name);
#pragma omp single
        team = omp_get_num_threads();
    } /* every thread has finished here: the join */
    printf("All %d threads finished\n", team);
    return 0;
}
