/*
 * error.c - filling and printing the one-line error record.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sq_error_clear(sq_error *err) {
    err->status = SQ_OK;
    err->msg[0] = '\0';
}

int sq_fail(sq_error *err, int status, const char *fmt, ...) {
    if (err->status != SQ_OK)
        return err->status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    /* clang-tidy 14 misses the va_start above (a known analyzer false positive). */
    vsnprintf(err->msg, sizeof err->msg, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    /* Keep the promise of one line whatever a library put into the text. */
    for (char *c = err->msg; *c; ++c)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return status;
}

void sq_error_print(const sq_error *err) {
    /* A stop on a signal is not a failure: the checkpoint is saved and the run resumable. */
    fprintf(stderr, "sqcube: %s: %s\n", err->status == SQ_STOPPED ? "stopped" : "error", err->msg);
    fflush(stderr);
}
