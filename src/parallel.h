/*
 * parallel.h - the only compilation unit of sqcube that calls MPI.
 *
 * Start-up with a checked thread level, agreement on errors (every rank ends with the same status
 * and message, so one line is printed and every rank exits alike), the two-level reduction's rank
 * level, timing statistics over ranks, broadcasts and host names. An MPI call that fails is not
 * recoverable: it prints one line naming the call and the rank, and aborts the job.
 * No other module sees an MPI type: the communicator, MPI-IO hints and the RMA window are opaque
 * here; the HDF5 edge (h5io*.c), which hands them to HDF5's MPI-IO driver, gets the MPI handles
 * from the private header parallel_mpi.h.
 */
#ifndef SQCUBE_PARALLEL_H
#define SQCUBE_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stats.h"
#include "timer.h"

/* A communicator, opaque outside the MPI edge (parallel_mpi.h defines it). */
typedef struct sq_comm sq_comm;

typedef struct sq_par {
    const sq_comm *comm; /* the job's communicator (MPI_COMM_WORLD) */
    int rank;            /* this rank, 0 .. size-1 */
    int size;            /* ranks in the job */
    int thread_level;    /* the MPI thread level the library provided */
} sq_par;

/* MPI_Init_thread asking for MPI_THREAD_FUNNELED (only the master thread calls MPI; OpenMP
 * threads compute). Fails when the library provides less. */
int sq_par_init(int *argc, char ***argv, sq_par *par, sq_error *err);
void sq_par_finalize(void);

/* Makes all ranks agree: if any rank's err holds an error, every rank's err becomes the record of
 * the lowest such rank. Collective. Returns the agreed status. */
int sq_par_agree(const sq_par *par, sq_error *err);

/* The agreement at the end of a lock-step round, in one reduction: errors as sq_par_agree, and
 * whether any rank asked to stop (*stop_sig: the largest signal number asked, 0 for none) and any
 * rank had work this round (*any_work). Collective. Returns the agreed status. */
int sq_par_agree_round(const sq_par *par, sq_error *err, int stop_sig, int had_work, int *stop_any,
                       int *any_work);

/* Broadcasts bytes from rank 0. Collective. */
void sq_par_bcast(const sq_par *par, void *buf, size_t bytes);

/* Merges every rank's partial reductions (rank level of the two-level reduction); on return every
 * rank holds the same merged record, computed once on rank 0. Collective. */
void sq_par_reduce_stats(const sq_par *par, sq_stats *st);

/* Reductions of a few integers over ranks. Collective. */
int64_t sq_par_sum_i64(const sq_par *par, int64_t v);
int64_t sq_par_min_i64(const sq_par *par, int64_t v);
int64_t sq_par_max_i64(const sq_par *par, int64_t v);

/* Per phase, min, avg and max seconds over ranks. Collective. */
void sq_par_phase_stats(const sq_par *par, const sq_timers *t, double min[SQ_NPHASES],
                        double avg[SQ_NPHASES], double max[SQ_NPHASES]);

/* Gathers count records of bytes each from every rank to rank 0, in rank order: on rank 0 *all is
 * a malloc'd array of *total records (free it), elsewhere NULL and 0. Collective. Returns 0, or -1
 * (on rank 0) when the array cannot be allocated. */
int sq_par_gather_records(const sq_par *par, const void *mine, int count, size_t bytes, void **all,
                          int *total);

/* The sum of v over the ranks below this one (0 on rank 0), and the sum over all in *total.
 * Collective. */
int64_t sq_par_exscan_i64(const sq_par *par, int64_t v, int64_t *total);

/* The distinct host names of the job, comma-separated, on every rank. Collective. */
void sq_par_hosts(const sq_par *par, char *buf, size_t len);

/* The MPI library's version string (first line) and the thread level's name. */
void sq_par_library(char *buf, size_t len);
/* 1 when sqcube was built against Open MPI (its mpi.h defines OPEN_MPI), else 0. Known at build
 * time, so it may be called before sq_par_init (startup.c chooses Open MPI's transport then). */
int sq_par_is_open_mpi(void);
const char *sq_par_thread_level_name(int level);

void sq_par_barrier(const sq_par *par);

/* The hints an open MPI file carries, as "k1=v1;k2=v2" (MPI_File_get_info), from a handle given
 * as void * (an MPI_File *, as HDF5's H5Fget_vfd_handle returns it). Not collective. */
void sq_par_file_hints(const void *mpi_file, char *buf, size_t len);

/* 1 on every rank if flag is non-zero on any rank. Collective. */
int sq_par_any(const sq_par *par, int flag);

/* The work queue of --schedule dynamic: a shared chunk counter in an MPI RMA window on rank 0.
 * Ranks take the next chunk with an atomic fetch-and-add (MPI_Fetch_and_op), so a rank that is
 * slower (a busy node, a shared core) simply takes fewer chunks. */
typedef struct sq_counter sq_counter; /* opaque: the window, one int64 on rank 0 */

/* Creates the counter at 0 in *out and opens a passive-target epoch on every rank. Collective.
 * Fails (err filled, *out NULL, not agreed: the caller agrees) where the MPI transport offers no
 * RMA window, e.g. Open MPI's osc/rdma over TCP between hosts. */
int sq_par_counter_create(const sq_par *par, sq_counter **out, sq_error *err);
/* The counter's value before adding 1: the next chunk to take. Not collective. */
int64_t sq_par_counter_next(const sq_par *par, sq_counter *c);
/* Adds v to the counter (MPI_Accumulate). post only completes it locally (MPI_Win_flush_local):
 * it never waits for rank 0, whose MPI library may apply it only when rank 0 next calls MPI;
 * add completes it at rank 0 (MPI_Win_flush). Not collective: the progress count of every rank's
 * work (src/meter.c). */
void sq_par_counter_post(const sq_par *par, sq_counter *c, int64_t v);
void sq_par_counter_add(const sq_par *par, sq_counter *c, int64_t v);
/* The counter's value now (an atomic fetch, MPI_NO_OP). Not collective. */
int64_t sq_par_counter_read(const sq_par *par, sq_counter *c);
/* Closes the epoch and frees the window and c. Collective. */
void sq_par_counter_free(sq_counter *c);

#endif
