/*
 * fuzz.h - what the libFuzzer targets share: turning the fuzzer's bytes into C strings and
 * argument vectors, and the checks every parser result must pass.
 *
 * The parsers are pure (no MPI, no HDF5, no files), so the targets link only the pure sources
 * (sqcube_fuzz_pure). A property that fails calls abort(), which libFuzzer reports as a crash with
 * the input that caused it.
 */
#ifndef SQCUBE_FUZZ_H
#define SQCUBE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* A NUL-terminated copy of the fuzzer's bytes (the caller frees it). */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Fails (abort) unless err is a well-formed result of a parser that returned rc: 0 with an empty
 * record, or the record's status (a usage error) with a non-empty, NUL-terminated message. */
static inline void fuzz_check_error(int rc, const sq_error *err) {
    const size_t len = strnlen(err->msg, sizeof err->msg);
    if (len == sizeof err->msg) {
        fprintf(stderr, "fuzz: error message not terminated\n");
        abort();
    }
    if (rc == SQ_OK && (err->status != SQ_OK || len != 0)) {
        fprintf(stderr, "fuzz: success with an error recorded: %s\n", err->msg);
        abort();
    }
    if (rc != SQ_OK && (rc != err->status || rc != SQ_ERR_USAGE || len == 0)) {
        fprintf(stderr, "fuzz: failure %d with status %d and message '%s'\n", rc, err->status,
                err->msg);
        abort();
    }
}

#endif
