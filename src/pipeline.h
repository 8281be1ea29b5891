/*
 * pipeline.h - the work in hand, and the chunk loop: source -> kernel -> sink.
 *
 * Each rank streams its chunks one at a time through three buffers of one chunk each (x, x^2,
 * x^3), allocated once and reused, so memory per rank is about 24 bytes x chunk whatever n is.
 * With two or more OpenMP threads the x^2 and x^3 buffers are doubled (40 bytes x chunk): thread 0
 * writes chunk k while the other threads compute chunk k + 1.
 * A resumed run (checkpoint.h) skips the chunks its checkpoint has done; a stop request ends the
 * loop at a chunk boundary with every chunk so far written and flagged.
 * Ranks move in lock-step rounds: in each round every rank takes a chunk (static: the next of its
 * own block, sq_plan's max_rounds rounds; dynamic: the next from a shared counter, until no rank
 * got one), reads (or generates) it, computes it on its OpenMP threads, writes it with one
 * collective call (an empty selection for a rank without a chunk that round), and all ranks agree
 * on errors, so a failure on one rank stops every rank at the same round, with no hang.
 * With --io independent there is no collective call in the loop: each rank runs free through its
 * chunks (or the queue) and the ranks agree on errors once, at the end. Only then can the dynamic
 * schedule let a faster rank take more chunks instead of waiting for the slowest every round.
 */
#ifndef SQCUBE_PIPELINE_H
#define SQCUBE_PIPELINE_H

#include "checkpoint.h"
#include "error.h"
#include "h5io.h"
#include "options.h"
#include "parallel.h"
#include "plan.h"
#include "progress.h"
#include "safefile.h"
#include "stats.h"
#include "timer.h"

/* Everything a run resolved from the options and the input; identical on every rank. */
typedef struct sq_job {
    sq_source_kind source;          /* FILE or GENERATE */
    char input_file[SQ_PATH_MAX];   /* absolute path of the input file */
    sq_input_info input;            /* dataset, n, type, stored type */
    sq_gen_spec gen;                /* the generator (source GENERATE) */
    char gen_text[256];             /* its canonical spec */
    sq_dtype in_type;               /* the type x is computed in */
    sq_dtype out_type;              /* the type of /square and /cube */
    sq_plan plan;                   /* the decomposition */
    char output[SQ_PATH_MAX];       /* the final output path, as given */
    char partial[SQ_PATH_MAX + 16]; /* output + ".partial": where the run writes */
    int threads;                    /* OpenMP threads per rank (rank 0's) */
    sq_schedule schedule;           /* how chunks go to ranks */
    sq_io_mode io;                  /* collective (lock-step rounds) or independent */
    sq_resume resume;               /* this run's session and the checkpoint it continues */
    char ckpt_settings[SQ_CKPT_SETTINGS_MAX]; /* what a resumed run must share (checkpoint.h) */
    sq_progress_mode progress; /* rank 0's display (src/meter.h): OFF, BAR or LINES */
    double progress_interval;  /* seconds between plain progress lines */
    sq_file_id partial_id;     /* the checkpoint --resume checked (rank 0's view; safefile.h) */
} sq_job;

/* What the chunk loop did besides computing. */
typedef struct sq_pipeline_result {
    int stop_signal; /* the signal the ranks agreed to stop on (0: ran to the end); every rank */
    int64_t chunks_done;   /* chunks this rank computed, wrote and flagged done */
    int64_t elements_done; /* their elements */
} sq_pipeline_result;

/* Whether the chunk loop overlaps writing with computing: with 2 or more OpenMP threads per rank,
 * unless SQCUBE_NO_OVERLAP=1. Memory per rank is then 5 chunk buffers instead of 3. */
int sq_pipeline_overlaps(int threads);

/* Runs every round: reads or generates this rank's chunks (skipping those the checkpoint in
 * job->resume has done), computes them into this rank's partial reductions *local (thread level
 * merged), writes them through out and flags them done. Stops early, at a chunk boundary, when a
 * stop is requested (stop.h): result->stop_signal says so. in is NULL for generated input.
 * Collective; returns the agreed status. */
int sq_pipeline_run(const sq_job *job, const sq_par *par, sq_h5_reader *in, sq_h5_writer *out,
                    sq_stats *local, sq_timers *timers, sq_pipeline_result *result, sq_error *err);

#endif
