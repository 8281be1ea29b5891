/*
 * 07_lock.c - a lock around a block of prints, so that blocks never interleave (the tutorial's
 * "Synchronization Between Processes" with multiprocessing.Lock).
 *
 *   mpirun -np 3 ./07_lock
 *
 * Two versions of the same idea: a block of five lines is written to a shared output while a
 * lock is held, so no other writer's lines come in between.
 *
 * 1. Threads (on rank 0): three OpenMP threads print to stdout, each holding an omp_lock_t for
 *    its whole block. (printf alone keeps each line whole; only the lock keeps the block whole.)
 *
 * 2. Ranks: the MPI analogue of the lock is an exclusive passive-target epoch on a window,
 *    MPI_Win_lock(MPI_LOCK_EXCLUSIVE): no two ranks hold it on the same target at once, so the
 *    RMA operations of one rank's epoch never mix with another's. The shared output is a log in
 *    rank 0's memory (an array of lines and their count); each rank, under the lock, reads the
 *    count and appends its five lines one by one. Rank 0 prints the log at the end. Why not lock
 *    around printf on every rank, as in Python? mpirun carries each rank's output on its own
 *    channel and merges the channels in no particular order, so no lock between ranks can order
 *    what reaches the terminal; a log (or a file) is the shared output that a lock does order.
 */
#include <stdio.h>

#include <mpi.h>
#include <omp.h>

#define THREADS 3
#define BLOCK 5     /* lines per block */
#define LINE_LEN 32 /* bytes per log line */

static void print_numbers(omp_lock_t *lock, int thread) {
    omp_set_lock(lock); /* `with lock:` */
    for (int i = 0; i < BLOCK; ++i)
        printf("Thread %d: %d\n", thread, i);
    omp_unset_lock(lock);
}

static void threads_with_lock(void) {
    omp_lock_t lock;
    omp_init_lock(&lock);
#pragma omp parallel num_threads(THREADS)
    print_numbers(&lock, omp_get_thread_num());
    omp_destroy_lock(&lock);
}

/* The log on rank 0, in a window of LINE_LEN-byte units: unit 0 holds the line count (an int),
 * units 1.. the lines. */
static void ranks_with_lock(int rank, int size) {
    const MPI_Aint units = 1 + (MPI_Aint)size * BLOCK;
    char *log = NULL;
    MPI_Win win;
    MPI_Win_allocate(rank == 0 ? units * LINE_LEN : 0, LINE_LEN, MPI_INFO_NULL, MPI_COMM_WORLD,
                     &log, &win);
    if (rank == 0) { /* an empty log, before anyone can lock the window */
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
        *(int *)log = 0;
        MPI_Win_unlock(0, win);
    }
    MPI_Barrier(MPI_COMM_WORLD);

    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win); /* `with lock:` */
    int count = 0;
    MPI_Get(&count, 1, MPI_INT, 0, 0, 1, MPI_INT, win);
    MPI_Win_flush(0, win); /* the Get has completed: count is the log's length now */
    char line[BLOCK][LINE_LEN];
    for (int i = 0; i < BLOCK; ++i) {
        snprintf(line[i], LINE_LEN, "Process %d: %d", rank, i);
        MPI_Put(line[i], LINE_LEN, MPI_CHAR, 0, 1 + count + i, LINE_LEN, MPI_CHAR, win);
    }
    count += BLOCK;
    MPI_Put(&count, 1, MPI_INT, 0, 0, 1, MPI_INT, win);
    MPI_Win_unlock(0, win); /* the lines and the count are in the log; the next rank may go */

    MPI_Barrier(MPI_COMM_WORLD); /* every block is in */
    if (rank == 0) {
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win); /* makes the others' Puts visible to my loads */
        const int lines = *(const int *)log;
        for (int i = 0; i < lines; ++i)
            printf("%s\n", log + (size_t)(1 + i) * LINE_LEN);
        MPI_Win_unlock(0, win);
    }
    MPI_Win_free(&win);
}

int main(int argc, char **argv) {
    /* OpenMP threads run inside the ranks; only the main thread calls MPI. */
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "07_lock: this MPI does not support threads (MPI_THREAD_FUNNELED)\n");
        MPI_Finalize();
        return 1;
    }
    if (rank == 0)
        threads_with_lock();
    ranks_with_lock(rank, size);
    MPI_Finalize();
    return 0;
}
