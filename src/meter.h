/*
 * meter.h - the progress of a run, counted over all ranks and shown by rank 0 (src/progress.h
 * formats it).
 *
 * Every rank counts the elements of each chunk it has written and, at most every
 * SQ_METER_POST_SECONDS, adds what it has counted to a counter in an MPI RMA window on rank 0 (an
 * MPI_Accumulate completed only locally: no rank ever waits for another, so ranks that run free
 * under --io independent or --schedule dynamic stay free, and a run of many small chunks makes few
 * MPI calls). Between its own chunks rank 0 asks progress.h whether a display is due and only then
 * reads the counter (one atomic fetch) and writes the display to stderr. At the end every rank
 * completes its last addition and all meet once, so the final count is exact. All of it happens on
 * the thread that calls MPI (thread 0), outside any OpenMP region, and changes nothing that is
 * computed or written. The meter uses MPI only through parallel.h.
 */
#ifndef SQCUBE_METER_H
#define SQCUBE_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "parallel.h"
#include "progress.h"

/* The most often a rank adds its count to rank 0's counter (seconds). */
#define SQ_METER_POST_SECONDS 0.1

typedef struct sq_meter {
    bool on;             /* the counter exists (the same on every rank) */
    sq_counter *counter; /* elements written, over all ranks, on rank 0 */
    int64_t pending;     /* elements this rank has written but not yet added to the counter */
    double last_post;    /* when this rank last added to the counter */
    sq_progress shown;   /* rank 0: the display */
} sq_meter;

/* The display a run gets: --progress auto picks the bar when stderr is a terminal, or when the
 * launcher's stderr is (mpirun gives its ranks' stderr a pipe: on Linux the parent's stderr is
 * looked at through /proc), plain lines otherwise; --quiet and --progress off give none. Called on
 * rank 0 only (the answer is broadcast with the job). */
sq_progress_mode sq_meter_choose(sq_progress_mode request, bool quiet, double interval);

/* Starts the meter for total elements, before of them done by the earlier sessions of a resumed
 * run (0 otherwise: see sq_progress_resumed); mode: rank 0's choice, the same on every rank.
 * Creates the counter unless mode is OFF; where the MPI transport cannot create the window, rank 0
 * says so in one line and the run goes on without a display. Collective. */
void sq_meter_start(sq_meter *m, const sq_par *par, sq_progress_mode mode, int64_t total,
                    int64_t before, double interval);

/* Counts elements this rank has just written; on rank 0, shows the progress when due. Not
 * collective; call from the MPI thread outside OpenMP regions. */
void sq_meter_add(sq_meter *m, const sq_par *par, int64_t elements);

/* Ends the meter: rank 0 shows the final count (the bar ends with a newline) when ok, and only ends
 * the bar's line when not. Call after an agreement of all ranks, so every count has arrived.
 * Collective (frees the window). */
void sq_meter_finish(sq_meter *m, const sq_par *par, bool ok);

#endif
