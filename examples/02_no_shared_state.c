/*
 * 02_no_shared_state.c - why a child process's changes are invisible to the parent, and how
 * results come back (the tutorial's "Sharing Data Between Processes": the empty list).
 *
 *   mpirun -np 3 ./02_no_shared_state      (any number of ranks from 2)
 *
 * Every process has its own memory. In the tutorial the child appends the squares to its own
 * copy of the global list `result`, and the parent, whose copy nobody touched, prints []. Here
 * rank 1 plays the child and rank 0 the parent: same program, same global, two copies.
 *
 * The fix is to send the results back as messages. Each rank squares its own block of the list
 * and MPI_Gatherv collects the blocks on rank 0, in rank order. This is also the shape of
 * sqcube: every rank computes its share, and the partial results travel to rank 0
 * (sq_par_reduce_stats in src/parallel.c: MPI_Reduce then MPI_Bcast).
 */
#include <stdio.h>

#include <mpi.h>

#define MAX_ITEMS 16

/* The tutorial's global list: one copy in every process. */
static int result[MAX_ITEMS];
static int result_len = 0;

static void square_of_list(const int *list, int n) {
    for (int i = 0; i < n; ++i)
        result[result_len++] = list[i] * list[i];
}

static void print_list(const char *label, const int *list, int n) {
    printf("%s[", label);
    for (int i = 0; i < n; ++i)
        printf("%s%d", i ? ", " : "", list[i]);
    printf("]\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2 || size > MAX_ITEMS) {
        if (rank == 0)
            fprintf(stderr, "02_no_shared_state: run it on 2 to %d ranks, not %d\n", MAX_ITEMS,
                    size);
        MPI_Finalize();
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const int mylist[] = {1, 3, 4, 5};
    const int n = (int)(sizeof mylist / sizeof mylist[0]);

    /* 1. The mistake: the child fills its own copy of `result`; the parent's stays empty. */
    if (rank == 1) {
        square_of_list(mylist, n);
        print_list("rank 1 (the child) filled its own copy: ", result, result_len);
    }
    MPI_Barrier(MPI_COMM_WORLD); /* the join: the child has finished */
    if (rank == 0)
        print_list("rank 0 (the parent) sees result = ", result, result_len);

    /* 2. The fix: results come back as messages. Rank r squares the block [displs[r],
     * displs[r] + counts[r]) of the list (sizes within one of each other: the remainder is
     * spread, never dropped) and MPI_Gatherv puts every block in its place on rank 0. */
    int counts[MAX_ITEMS], displs[MAX_ITEMS];
    for (int r = 0, at = 0; r < size; ++r) {
        counts[r] = n / size + (r < n % size ? 1 : 0);
        displs[r] = at;
        at += counts[r];
    }
    int mine[MAX_ITEMS];
    for (int i = 0; i < counts[rank]; ++i) {
        const int x = mylist[displs[rank] + i];
        mine[i] = x * x;
    }
    int gathered[MAX_ITEMS];
    MPI_Gatherv(mine, counts[rank], MPI_INT, gathered, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0)
        print_list("after MPI_Gatherv, rank 0 has result = ", gathered, n);

    MPI_Finalize();
    return 0;
}
