/*
 * parallel_mpi.h - the MPI handles behind parallel.h's opaque types, for the two edges only.
 *
 * Private to the edges: parallel*.c (the MPI caller) and h5io*.c (the HDF5 caller, which hands a
 * communicator and MPI-IO hints to HDF5's MPI-IO driver). No other file includes it;
 * scripts/check_edges.sh fails the lint run if one does.
 */
#ifndef SQCUBE_PARALLEL_MPI_H
#define SQCUBE_PARALLEL_MPI_H

#include <mpi.h>

#include "parallel.h"

struct sq_comm {
    MPI_Comm mpi;
};

/* The communicator of par; par NULL: this process alone (MPI_COMM_SELF). */
MPI_Comm sq_par_mpi_comm(const sq_par *par);

/* An MPI_Info holding the "k1=v1;k2=v2" hints (MPI_INFO_NULL for none or ""); free with
 * sq_par_info_free. */
MPI_Info sq_par_info_create(const char *hints);
void sq_par_info_free(MPI_Info *info);

#endif
