/*
 * export.h - a run's results in machine-readable form: the --summary-json document and the
 * --log-csv row (docs/output-format.md#machine-readable-summaries lists every field).
 *
 * Rank 0 writes both after the output file is complete and renamed, from the values the run
 * recorded in it (the root attributes and /provenance) and the per-phase seconds over ranks. The
 * formatting functions are pure and write to a FILE; sq_export_write owns the files (the JSON is
 * written to a unique temporary file beside its name and renamed, the CSV row is appended under an
 * advisory lock, with the header when the file is new or empty, never through a symbolic link;
 * safefile.h). No MPI, no HDF5.
 */
#ifndef SQCUBE_EXPORT_H
#define SQCUBE_EXPORT_H

#include <stdio.h>

#include "error.h"
#include "record.h"
#include "timer.h"

/* Version of the JSON document and of the CSV columns; bumped on any incompatible change. */
#define SQ_EXPORT_VERSION 1

/* One finished run, as exported. */
typedef struct sq_run_record {
    const sq_summary *summary; /* the root attributes */
    const sq_provenance *prov; /* /provenance */
    const double *tmin;        /* SQ_NPHASES seconds: minimum over ranks */
    const double *tavg;        /* average over ranks */
    const double *tmax;        /* maximum over ranks */
    double bytes_moved;        /* bytes read and written (SQ_BYTES_MOVED_PER_ELEMENT each) */
    const char *output;        /* the output file's absolute path */
} sq_run_record;

/* Writes s as a JSON string (quoted; '"', '\\' and control characters escaped; other bytes, UTF-8
 * included, as they are). */
void sq_export_json_string(FILE *out, const char *s);

/* Writes s as a CSV field (RFC 4180: quoted, with '"' doubled, when it holds ',', '"', CR or LF).
 */
void sq_export_csv_field(FILE *out, const char *s);

/* The JSON document of a run. */
void sq_export_json(FILE *out, const sq_run_record *r);

/* The CSV header line and a run's row, each ending in "\n". */
void sq_export_csv_header(FILE *out);
void sq_export_csv_row(FILE *out, const sq_run_record *r);

/* Checks before the run that the files can be written: neither is the output or the input file
 * (by name or, when they exist, by inode) nor the other one; the JSON's directory exists and is
 * writable; the CSV's too, an existing CSV is a regular file of the user's (not a symbolic link),
 * and a non-empty one starts with this version's header (rows under another header would be
 * misread). Either path may be "" (not requested); input_path is ""
 * for generated input. */
int sq_export_check(const char *json_path, const char *csv_path, const char *output_path,
                    const char *input_path, sq_error *err);

/* Writes the JSON (replacing the file) and appends the CSV row. Either path may be "". */
int sq_export_write(const char *json_path, const char *csv_path, const sq_run_record *r,
                    sq_error *err);

#endif
