/*
 * parallel.h - the only compilation unit of sqcube that calls MPI.
 *
 * Start-up with a checked thread level, agreement on errors (every rank ends with the same status
 * and message, so one line is printed and every rank exits alike), the two-level reduction's rank
 * level, timing statistics over ranks, broadcasts and host names. An MPI call that fails is not
 * recoverable: it prints one line naming the call and the rank, and aborts the job.
 * Other modules receive the communicator (to hand to HDF5's MPI-IO driver) but never call MPI.
 */
#ifndef SQCUBE_PARALLEL_H
#define SQCUBE_PARALLEL_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stats.h"
#include "timer.h"

typedef struct sq_par {
    MPI_Comm comm;    /* the job's communicator (MPI_COMM_WORLD) */
    int rank;         /* this rank, 0 .. size-1 */
    int size;         /* ranks in the job */
    int thread_level; /* the MPI thread level the library provided */
} sq_par;

/* MPI_Init_thread asking for MPI_THREAD_FUNNELED (only the master thread calls MPI; OpenMP
 * threads compute). Fails when the library provides less. */
int sq_par_init(int *argc, char ***argv, sq_par *par, sq_error *err);
void sq_par_finalize(void);

/* Makes all ranks agree: if any rank's err holds an error, every rank's err becomes the record of
 * the lowest such rank. Collective. Returns the agreed status. */
int sq_par_agree(const sq_par *par, sq_error *err);

/* Broadcasts bytes from rank 0. Collective. */
void sq_par_bcast(const sq_par *par, void *buf, size_t bytes);

/* Merges every rank's partial reductions (rank level of the two-level reduction); on return every
 * rank holds the same merged record, computed once on rank 0. Collective. */
void sq_par_reduce_stats(const sq_par *par, sq_stats *st);

/* Reductions of a few integers over ranks. Collective. */
int64_t sq_par_sum_i64(const sq_par *par, int64_t v);
int64_t sq_par_min_i64(const sq_par *par, int64_t v);

/* Per phase, min, avg and max seconds over ranks. Collective. */
void sq_par_phase_stats(const sq_par *par, const sq_timers *t, double min[SQ_NPHASES],
                        double avg[SQ_NPHASES], double max[SQ_NPHASES]);

/* The distinct host names of the job, comma-separated, on every rank. Collective. */
void sq_par_hosts(const sq_par *par, char *buf, size_t len);

/* The MPI library's version string (first line) and the thread level's name. */
void sq_par_library(char *buf, size_t len);
const char *sq_par_thread_level_name(int level);

void sq_par_barrier(const sq_par *par);

#endif
