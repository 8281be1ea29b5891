/*
 * affinity_cmd.h - thread placement over the job: sqcube affinity, --report-affinity and the rows
 * of /provenance/affinity. Uses MPI through parallel.h; affinity.h is the pure part.
 */
#ifndef SQCUBE_AFFINITY_CMD_H
#define SQCUBE_AFFINITY_CMD_H

#include <stdio.h>

#include "affinity.h"
#include "error.h"
#include "parallel.h"

/* This rank's rows, one per OpenMP thread, in a malloc'd *rows (free it). Returns the count, or
 * -1 with err filled. Not collective. */
int sq_placement_collect(const sq_par *par, sq_affinity_row **rows, sq_error *err);

/* Gathers every rank's rows to rank 0, which prints the table and the check to out (table: 1)
 * and the one-line oversubscription warning on stderr (warn: 1). Collective. */
void sq_placement_report(const sq_par *par, const sq_affinity_row *rows, int n, FILE *out,
                         int table, int warn);

/* sqcube affinity. Collective; returns the agreed status. */
int sq_affinity_command(const sq_par *par, sq_error *err);

#endif
