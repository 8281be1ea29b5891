/*
 * 03_shared_counter.c - one counter, incremented 1000 times by each of 5 processes (the
 * tutorial's "Shared Memory" with multiprocessing.Value).
 *
 *   mpirun -np 5 ./03_shared_counter      (any number of ranks; the total is 1000 x ranks)
 *
 * multiprocessing.Value puts one integer in memory that all the processes map. `value += 1` is
 * three steps - load, add, store - and two processes that load the same value both store value
 * + 1: one increment is lost. MPI gives the same two kinds of shared counter:
 *
 * - a shared-memory window (MPI_Win_allocate_shared): memory that the ranks on one node map, as
 *   Value does, used with ordinary C loads and stores. The racy version loads and stores in two
 *   steps and may lose increments; the fix is one atomic read-modify-write (atomic_fetch_add);
 * - an RMA window (MPI_Win_allocate) on rank 0, updated by the other ranks with MPI's atomic
 *   operations (MPI_Accumulate with MPI_SUM), which works across nodes too. sqcube's work queue
 *   is this counter (sq_par_counter_next in src/parallel.c), with MPI_Fetch_and_op because each
 *   rank needs the value it took: the number of its next chunk.
 *
 * The racy counter is a demonstration: it may lose nothing on a given run (a rank can do its
 * 1000 increments before the next one starts), and how much it loses is not reproducible.
 */
#include <stdatomic.h>
#include <stdio.h>

#include <mpi.h>

#define INCREMENTS 1000

/* Two steps, each atomic on its own (so the program is well defined), the increment as a whole
 * not: another rank may store in between, and its increment is lost. */
static void increment_racy(atomic_int *counter) {
    for (int i = 0; i < INCREMENTS; ++i) {
        const int v = atomic_load_explicit(counter, memory_order_relaxed);
        atomic_store_explicit(counter, v + 1, memory_order_relaxed);
    }
}

/* One indivisible read-modify-write: no increment is lost. */
static void increment_atomic(atomic_int *counter) {
    for (int i = 0; i < INCREMENTS; ++i)
        atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

/* Runs `increment` on every rank of `node` against one int in a shared-memory window and returns
 * the final value (on every rank). */
static int count_in_shared_memory(MPI_Comm node, void (*increment)(atomic_int *)) {
    int node_rank = 0;
    MPI_Comm_rank(node, &node_rank);
    /* Node rank 0 holds the int; the others ask where it is mapped in their address space. C11
     * lock-free atomics are address-free, so they work between processes that share memory. */
    atomic_int *counter = NULL;
    MPI_Win win;
    MPI_Win_allocate_shared(node_rank == 0 ? (MPI_Aint)sizeof *counter : 0, sizeof *counter,
                            MPI_INFO_NULL, node, &counter, &win);
    MPI_Aint bytes = 0;
    int disp_unit = 0;
    MPI_Win_shared_query(win, 0, &bytes, &disp_unit, &counter);

    /* A passive epoch for the whole use; MPI_Win_sync + a barrier make one rank's stores
     * visible to the others at the points where the program needs them. */
    MPI_Win_lock_all(MPI_MODE_NOCHECK, win);
    if (node_rank == 0)
        atomic_init(counter, 0);
    MPI_Win_sync(win);
    MPI_Barrier(node); /* every rank starts after the zero, and all start together */
    MPI_Win_sync(win);
    increment(counter);
    MPI_Win_sync(win);
    MPI_Barrier(node); /* every rank has finished */
    MPI_Win_sync(win);
    const int total = atomic_load(counter);
    MPI_Win_unlock_all(win);
    MPI_Win_free(&win);
    return total;
}

/* Every rank adds 1 to an int on rank 0, INCREMENTS times, with MPI's atomic accumulate; returns
 * the final value on rank 0. */
static int count_with_rma(MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    int *base = NULL;
    MPI_Win win;
    MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(int) : 0, sizeof(int), MPI_INFO_NULL, comm, &base,
                     &win);
    MPI_Win_lock_all(0, win);
    if (rank == 0) {
        /* Through the window, like every other access to the counter. */
        const int zero = 0;
        MPI_Accumulate(&zero, 1, MPI_INT, 0, 0, 1, MPI_INT, MPI_REPLACE, win);
        MPI_Win_flush(0, win);
    }
    MPI_Barrier(comm);
    const int one = 1;
    for (int i = 0; i < INCREMENTS; ++i)
        MPI_Accumulate(&one, 1, MPI_INT, 0, 0, 1, MPI_INT, MPI_SUM, win); /* atomic per element */
    MPI_Win_flush(0, win); /* my increments are done at the target */
    MPI_Barrier(comm);
    int total = 0;
    if (rank == 0) { /* an atomic read: fetch, and add nothing */
        MPI_Fetch_and_op(NULL, &total, MPI_INT, 0, 0, MPI_NO_OP, win);
        MPI_Win_flush(0, win);
    }
    MPI_Win_unlock_all(win);
    MPI_Win_free(&win);
    return total;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Shared memory exists between the ranks of one node only: split the world by node. */
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int node_rank = 0, node_size = 0;
    MPI_Comm_rank(node, &node_rank);
    MPI_Comm_size(node, &node_size);

    const int racy = count_in_shared_memory(node, increment_racy);
    const int shared = count_in_shared_memory(node, increment_atomic);
    if (node_rank == 0) {
        printf("%d ranks x %d increments on one node: expected %d\n", node_size, INCREMENTS,
               node_size * INCREMENTS);
        printf("racy shared memory (load, then store): %d (%d lost)\n", racy,
               node_size * INCREMENTS - racy);
        printf("shared memory, atomic_fetch_add: %d\n", shared);
    }
    const int rma = count_with_rma(MPI_COMM_WORLD);
    if (rank == 0)
        printf("RMA window, MPI_Accumulate(MPI_SUM) from %d ranks: %d\n", size, rma);

    MPI_Comm_free(&node);
    MPI_Finalize();
    return 0;
}
