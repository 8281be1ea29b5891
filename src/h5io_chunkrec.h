/*
 * h5io_chunkrec.h - the per-chunk records of a checkpoint in the partial output (HDF5 side of
 * chunkrec.h; implemented in h5io_chunkrec.c, part of the HDF5 edge).
 *
 * /checkpoint/records is a uint8 dataset of nchunks x SQ_CHUNKREC_BYTES, contiguous, allocated at
 * creation and never filled: the chunk loop writes row k (chunk k's reductions) and then flag k of
 * /checkpoint/done, two independent raw-data writes that change no HDF5 metadata.
 */
#ifndef SQCUBE_H5IO_CHUNKREC_H
#define SQCUBE_H5IO_CHUNKREC_H

#include <stdint.h>

#include "checkpoint.h"
#include "error.h"
#include "h5io.h"
#include "plan.h"
#include "stats.h"

/* Writes chunk k's record (its reductions s, by session): call after the chunk's data, before its
 * done flag. Not collective (an independent write of SQ_CHUNKREC_BYTES bytes). */
int sq_h5_writer_record(sq_h5_writer *w, int64_t k, int32_t session, const sq_stats *s,
                        sq_error *err);

/* Serial (rank 0 alone, before the parallel open), after the settings were found to match: reads
 * every done flag and record of the partial output path and takes over into r every flagged chunk
 * of an earlier session whose record reads back (of sessions with r->valid set only, when
 * clean_only: a compressed output), setting valid for every session when !clean_only. A flag whose
 * record does not read back is cleared, so that its chunk is redone. */
int sq_h5_checkpoint_take_over(const char *path, const sq_plan *plan, sq_dtype type, int clean_only,
                               sq_resume *r, sq_error *err);

/* A resumed session starts: records in /checkpoint how many chunks it took over from each earlier
 * session (attribute taken_over_<session>), for /provenance/runs, and flushes. Collective; does
 * nothing for session 1. */
int sq_h5_writer_begin_session(sq_h5_writer *w, const sq_resume *r, sq_error *err);

#endif
