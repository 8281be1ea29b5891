/*
 * job.h - resolving a run into the work in hand (sq_job, pipeline.h) and its provenance.
 */
#ifndef SQCUBE_JOB_H
#define SQCUBE_JOB_H

#include "error.h"
#include "options.h"
#include "parallel.h"
#include "pipeline.h"
#include "record.h"

/* Rank 0 alone: probes the input (or reads the generator), checks the output and the export
 * files, chooses the types, decomposes, and reads the checkpoint --resume continues. Fills job
 * (broadcast it after agreeing). Returns 0 or the status with err filled. */
int sq_job_resolve(const sq_options *opt, const sq_par *par, sq_job *job, sq_error *err);

/* Rank 0: the provenance of this run as far as it is known before it starts (build, libraries,
 * command line, settings, input, decomposition, start time). */
void sq_job_provenance(const sq_options *opt, const sq_job *job, const sq_par *par, int argc,
                       char **argv, sq_provenance *p);

#endif
