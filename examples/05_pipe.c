/*
 * 05_pipe.c - two-way messages between two processes (the tutorial's multiprocessing.Pipe).
 *
 *   mpirun -np 2 ./05_pipe
 *
 * A Pipe is a pair of connected ends; in MPI any two ranks are already connected, and a message
 * can go either way. Three exchanges:
 *   1. as in the tutorial, the child (rank 1) sends the list [1, 2, 3, 4] and the parent (rank 0)
 *      receives it, not knowing its length in advance: MPI_Probe, then MPI_Get_count;
 *   2. the parent answers on the same "pipe" (the sum of the list), so data flows both ways;
 *   3. both send and receive at once with MPI_Sendrecv, which cannot deadlock the way two
 *      blocking MPI_Send calls facing each other can when the messages are large.
 */
#include <stdio.h>

#include <mpi.h>

#define MAX_ITEMS 64

enum { TAG_DATA = 1, TAG_REPLY = 2, TAG_SWAP = 3 };

static void print_list(const char *label, const int *list, int n) {
    printf("%s[", label);
    for (int i = 0; i < n; ++i)
        printf("%s%d", i ? ", " : "", list[i]);
    printf("]\n");
}

static void parent(int child) {
    /* 1. Receive a list whose length only the sender knows. */
    MPI_Status status;
    MPI_Probe(child, TAG_DATA, MPI_COMM_WORLD, &status);
    int n = 0;
    MPI_Get_count(&status, MPI_INT, &n);
    int list[MAX_ITEMS];
    if (n > MAX_ITEMS)
        MPI_Abort(MPI_COMM_WORLD, 1); /* cannot happen here: the child sends 4 */
    MPI_Recv(list, n, MPI_INT, child, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    print_list("Parent received: ", list, n);

    /* 2. Answer the other way. */
    int sum = 0;
    for (int i = 0; i < n; ++i)
        sum += list[i];
    MPI_Send(&sum, 1, MPI_INT, child, TAG_REPLY, MPI_COMM_WORLD);
}

static void child(int parent_rank) {
    const int list[] = {1, 2, 3, 4};
    MPI_Send(list, 4, MPI_INT, parent_rank, TAG_DATA, MPI_COMM_WORLD);
    int sum = 0;
    MPI_Recv(&sum, 1, MPI_INT, parent_rank, TAG_REPLY, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("Child received the reply: sum = %d\n", sum);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "05_pipe: run it on 2 ranks (mpirun -np 2), not %d\n", size);
        MPI_Finalize();
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const int other = 1 - rank;
    if (rank == 0)
        parent(other);
    else
        child(other);

    /* 3. Both ways at once: each rank sends its rank times 100 and receives the other's. */
    const int mine = 100 * rank;
    int theirs = -1;
    MPI_Sendrecv(&mine, 1, MPI_INT, other, TAG_SWAP, &theirs, 1, MPI_INT, other, TAG_SWAP,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("Rank %d sent %d and received %d\n", rank, mine, theirs);

    MPI_Finalize();
    return 0;
}
