/*
 * counter_rate.c - how many fetch-and-adds per second the work queue of --schedule dynamic can
 * serve: one int64 counter in an MPI RMA window on rank 0, taken by every rank with
 * MPI_Fetch_and_op + MPI_Win_flush under a lock_all epoch, exactly as src/parallel.c does
 * (sq_par_counter_next). Every rank, rank 0 included, takes OPS values as fast as it can; the
 * aggregate rate (all ranks' operations over the time from the first start to the last end) is
 * the counter's service rate under full contention, and its inverse the service time per
 * operation (q_srv in docs/scaling.md). A check that the counter ends at ranks x OPS catches a
 * lost update.
 * Usage: mpirun -np P bench_counter_rate [OPS]   (default 20000 per rank; 3 timed repeats after a
 *        warm-up, the median printed). Which one-sided component serves it is MPI's choice
 *        (Open MPI: OMPI_MCA_osc=sm, pt2pt, rdma, ucx).
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define REPEATS 3

static void check(int rc, const char *what) {
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "counter_rate: %s failed\n", what);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* Seconds from the first rank's start to the last rank's end for every rank to take ops values
 * from the counter (reset to 0 first): the span, so that ranks time-sliced on fewer cores than
 * ranks do not count as concurrent. MPI_Wtime is one clock on one node. */
static double run_once(MPI_Win win, int rank, long ops) {
    const int64_t zero = 0, one = 1;
    if (rank == 0) {
        check(MPI_Accumulate(&zero, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, MPI_REPLACE, win),
              "MPI_Accumulate");
        check(MPI_Win_flush(0, win), "MPI_Win_flush");
    }
    check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    const double t0 = MPI_Wtime();
    for (long i = 0; i < ops; ++i) {
        int64_t taken = 0;
        check(MPI_Fetch_and_op(&one, &taken, MPI_INT64_T, 0, 0, MPI_SUM, win), "MPI_Fetch_and_op");
        check(MPI_Win_flush(0, win), "MPI_Win_flush");
    }
    const double t1 = MPI_Wtime();
    double first = 0, last = 0;
    check(MPI_Allreduce(&t0, &first, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
    check(MPI_Allreduce(&t1, &last, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return last - first;
}

static int cmp(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    check(MPI_Init(&argc, &argv), "MPI_Init");
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const long ops = argc > 1 ? atol(argv[1]) : 20000;
    if (ops < 1) {
        if (rank == 0)
            fprintf(stderr, "usage: counter_rate [OPS >= 1]\n");
        MPI_Finalize();
        return 2;
    }
    int64_t *base = NULL;
    MPI_Win win;
    check(MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(int64_t) : 0, sizeof(int64_t),
                           MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win),
          "MPI_Win_allocate");
    check(MPI_Win_lock_all(0, win), "MPI_Win_lock_all");
    double secs[REPEATS];
    run_once(win, rank, ops < 100 ? ops : 100); /* warm-up: connections, first-touch */
    for (int r = 0; r < REPEATS; ++r)
        secs[r] = run_once(win, rank, ops);
    /* No update lost: the counter holds every rank's last repeat. */
    check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    int64_t final = 0;
    const int64_t nothing = 0;
    if (rank == 0) {
        check(MPI_Fetch_and_op(&nothing, &final, MPI_INT64_T, 0, 0, MPI_NO_OP, win),
              "MPI_Fetch_and_op");
        check(MPI_Win_flush(0, win), "MPI_Win_flush");
    }
    check(MPI_Win_unlock_all(win), "MPI_Win_unlock_all");
    check(MPI_Win_free(&win), "MPI_Win_free");
    int status = 0;
    if (rank == 0) {
        qsort(secs, REPEATS, sizeof secs[0], cmp);
        const double med = secs[REPEATS / 2], total = (double)ops * size;
        if (final != (int64_t)total) {
            fprintf(stderr, "counter_rate: counter ends at %lld, expected %.0f\n",
                    (long long) final, total);
            status = 1;
        }
        printf("ranks %d, %ld ops each: median %.4f s, %.4g ops/s served, %.3g us per op, %.3g us "
               "per rank's op\n",
               size, ops, med, total / med, 1e6 * med / total, 1e6 * med / (double)ops);
    }
    MPI_Finalize();
    return status;
}
