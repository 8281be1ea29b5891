/*
 * 10_event.c - an event: one thread waits until another sets it (the tutorial's
 * threading.Event), then the same between MPI ranks.
 *
 *   mpirun -np 3 ./10_event
 *
 * 1. Threads (on rank 0). OpenMP has no event object; a shared flag is one, if it is written and
 *    read with atomics that order memory:
 *    - the flag is written with `#pragma omp atomic write seq_cst` and polled with
 *      `#pragma omp atomic read seq_cst`. Atomic, so the compiler must really reload it on every
 *      pass (a plain `while (!flag)` may be compiled into an endless loop on a register copy);
 *    - seq_cst, so the setter's earlier writes (here the payload, a plain variable) are visible
 *      to the waiter once it sees the flag set. A seq_cst atomic implies a flush (OpenMP 4.0 on);
 *      a relaxed one (the default) would let the waiter see the flag but an old payload. In
 *      OpenMP 5.0, `release` on the write and `acquire` on the read are the minimum needed.
 *    The waiter polls with a short sleep; a waiter that should sleep until woken needs a
 *    condition variable (11_sync_tools.c; Python's Event is a Condition and a flag).
 *
 * 2. Ranks. Rank 0 sets the event by starting a broadcast of the payload, MPI_Ibcast; the other
 *    ranks start it too and then poll it with MPI_Test, free to do other work in between, until it
 *    completes - which it cannot before rank 0 has joined. MPI_Ibarrier is the same event without
 *    a payload.
 *
 * sqcube itself has no event: its threads and ranks meet at the barriers that end OpenMP regions
 * and at MPI collectives (the agreement on errors, sq_par_agree in src/parallel.c).
 */
#include <stdio.h>
#include <time.h>

#include <mpi.h>
#include <omp.h>

static void sleep_ms(long ms) {
    const struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* What the setter hands over: the sum 1 + 2 + ... + 100, computed before it sets the event. */
static int compute_payload(void) {
    int sum = 0;
    for (int i = 1; i <= 100; ++i)
        sum += i;
    return sum;
}

static int event_is_set; /* the event: 0 clear, 1 set; touched only by seq_cst atomics */
static int payload;      /* a plain variable, written before the event is set */

static void threads_event(void) {
#pragma omp parallel num_threads(2)
    {
        /* Thread 0 sets, thread 1 waits; a team of one (OMP_THREAD_LIMIT=1) does both in turn. */
        const int me = omp_get_thread_num(), team = omp_get_num_threads();
        if (me == 1 || team == 1) {
            printf("Worker waiting for event to be set\n");
        }
        if (me == 0) {
            sleep_ms(200); /* the tutorial's time.sleep(2), shorter */
            payload = compute_payload();
            printf("Setting the event\n");
#pragma omp atomic write seq_cst
            event_is_set = 1;
        }
        if (me == 1 || team == 1) {
            int set = 0;
            while (!set) {
#pragma omp atomic read seq_cst
                set = event_is_set;
                if (!set)
                    sleep_ms(1);
            }
            printf("Event is set, worker proceeds with payload %d\n", payload);
        }
    }
}

static void ranks_event(int rank) {
    int data = 0;
    MPI_Request event;
    if (rank == 0) {
        sleep_ms(200);
        data = compute_payload();
        printf("Rank 0: setting the event\n");
        MPI_Ibcast(&data, 1, MPI_INT, 0, MPI_COMM_WORLD, &event);
        MPI_Wait(&event, MPI_STATUS_IGNORE);
        return;
    }
    printf("Rank %d: waiting for the event\n", rank);
    MPI_Ibcast(&data, 1, MPI_INT, 0, MPI_COMM_WORLD, &event);
    int set = 0;
    while (!set) {
        MPI_Test(&event, &set, MPI_STATUS_IGNORE);
        if (!set)
            sleep_ms(1); /* other work would go here */
    }
    printf("Rank %d: event is set, proceeds with payload %d\n", rank, data);
}

int main(int argc, char **argv) {
    /* OpenMP threads run inside the ranks; only the main thread calls MPI. */
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            fprintf(stderr, "10_event: this MPI does not support threads (MPI_THREAD_FUNNELED)\n");
        MPI_Finalize();
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (rank == 0)
        threads_event();
    MPI_Barrier(MPI_COMM_WORLD); /* the threads' part first, on its own */
    ranks_event(rank);
    MPI_Finalize();
    return 0;
}
