/*
 * 01_processes.c - two processes at once: one prints the squares of 2, 3, 4, 5, the other the
 * cubes (the tutorial's "Square and Cube Calculation" with multiprocessing.Process).
 *
 *   mpirun -np 2 ./01_processes
 *
 * Python starts the two processes from a parent (Process.start) and waits for them (join). In
 * MPI the launcher starts every process (a rank), all running this same program, and each asks
 * its rank to know its part: MPI_Init is the start, MPI_Finalize the join. The two ranks' lines
 * reach the terminal through mpirun, whole but in no set order between the ranks, just as the
 * two Python processes' lines may interleave.
 *
 * The examples keep MPI's default error handler, MPI_ERRORS_ARE_FATAL: a failed MPI call stops
 * the whole job with MPI's message, so they do not check return codes (sqcube sets
 * MPI_ERRORS_RETURN and checks every call: CHECK_MPI in src/parallel.c).
 */
#include <stdio.h>

#include <mpi.h>

static void print_squares(const int *numbers, int n) {
    for (int i = 0; i < n; ++i)
        printf("Square of %d is %d\n", numbers[i], numbers[i] * numbers[i]);
}

static void print_cubes(const int *numbers, int n) {
    for (int i = 0; i < n; ++i)
        printf("Cube of %d is %d\n", numbers[i], numbers[i] * numbers[i] * numbers[i]);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "01_processes: run it on 2 ranks (mpirun -np 2), not %d\n", size);
        MPI_Finalize();
        return 2;
    }
    /* Each line leaves as soon as it is printed (stdout is a pipe to mpirun, which would
     * otherwise buffer it until exit). */
    setvbuf(stdout, NULL, _IOLBF, 0);

    const int numbers[] = {2, 3, 4, 5};
    const int n = (int)(sizeof numbers / sizeof numbers[0]);
    /* The same program on both ranks; the rank picks the job. */
    if (rank == 0)
        print_squares(numbers, n);
    else
        print_cubes(numbers, n);

    MPI_Finalize();
    return 0;
}
