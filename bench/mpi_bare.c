/*
 * mpi_bare.c - the start-up floor for bench/startup.sh: MPI_Init_thread (FUNNELED, as sqcube asks)
 * and MPI_Finalize, nothing else. Links only MPI (no HDF5, no OpenMP), so that the time of
 * `mpirun -np N bench_mpi_bare` is the launcher's and the MPI library's alone.
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "mpi_bare: MPI_Init_thread failed\n");
        return 1;
    }
    return MPI_Finalize() == MPI_SUCCESS ? 0 : 1;
}
