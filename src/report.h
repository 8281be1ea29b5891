/*
 * report.h - what rank 0 prints: the resolved settings before the run and the summary after it.
 * Pure formatting of values handed in; no MPI, no HDF5.
 */
#ifndef SQCUBE_REPORT_H
#define SQCUBE_REPORT_H

#include <stdio.h>

#include "plan.h"
#include "record.h"
#include "timer.h"

/* The settings echo: ranks x threads, elements, chunks, schedule, input, output. */
void sq_report_settings(FILE *out, const sq_provenance *prov, const sq_plan *plan,
                        const char *input_text, sq_dtype in_type, sq_dtype out_type,
                        const char *output);

/* The reductions as text lines (shared by the run summary and sqcube info). */
void sq_report_reductions(FILE *out, const sq_summary *s);

/* The run summary: reductions, per-phase min/avg/max over ranks, effective bandwidth. */
void sq_report_summary(FILE *out, const sq_summary *s, const double min[SQ_NPHASES],
                       const double avg[SQ_NPHASES], const double max[SQ_NPHASES],
                       double bytes_moved, const char *output_abs);

#endif
