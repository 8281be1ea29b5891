/*
 * run.h - sqcube run: compute the squares and cubes of the input into the output file.
 */
#ifndef SQCUBE_RUN_H
#define SQCUBE_RUN_H

#include "error.h"
#include "options.h"
#include "parallel.h"

/* Runs the phases resolve, place, open, compute, reduce, self-check, finish and report (a stop
 * request ends it after compute with a checkpoint and SQ_STOPPED). argv is recorded in the
 * provenance. Collective; returns the agreed status. */
int sq_run_command(const sq_options *opt, const sq_par *par, int argc, char **argv, sq_error *err);

#endif
