/*
 * error.h - the error record every fallible sqcube function fills.
 *
 * A failure is one status (the process exit status it leads to) and one line of text saying what
 * went wrong, where, and what to do. Functions return the status (0 on success) and fill the
 * record; the MPI edge makes all ranks agree on one record before anything is printed, so a user
 * sees one line.
 */
#ifndef SQCUBE_ERROR_H
#define SQCUBE_ERROR_H

#include <stddef.h>

/* Exit statuses, documented in docs/cli.md. */
enum sq_status {
    SQ_OK = 0,
    SQ_ERR_RUNTIME = 1,  /* the run could not be done: I/O, data, resources */
    SQ_ERR_USAGE = 2,    /* the command line is wrong: fix the arguments */
    SQ_ERR_MISMATCH = 3, /* a verification found results that do not match */
    SQ_STOPPED = 4,      /* stopped on a signal; the partial output holds a checkpoint: --resume */
};

#define SQ_ERRMSG_MAX 1024

typedef struct sq_error {
    int status;              /* enum sq_status */
    char msg[SQ_ERRMSG_MAX]; /* one line, no trailing newline, no "sqcube: error:" prefix */
} sq_error;

/* Clears the record. */
void sq_error_clear(sq_error *err);

/* Fills the record (printf-style) unless it already holds an error, and returns status: the first
 * failure is the one reported, later consequences do not overwrite it. */
int sq_fail(sq_error *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints "sqcube: error: MSG" on stderr ("sqcube: stopped: MSG" for SQ_STOPPED). */
void sq_error_print(const sq_error *err);

#endif
