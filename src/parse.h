/*
 * parse.h - the value parsers of the command line (parse.c): pure, each returns 0 or SQ_ERR_USAGE
 * with err filled. options.c applies them to the options; the fuzzers (tests/fuzz) target them.
 */
#ifndef SQCUBE_PARSE_H
#define SQCUBE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "generate.h"

/* Parses an element count: a non-negative integer, optionally with a K, M, G or T suffix (binary:
 * 2^10, 2^20, 2^30, 2^40; an 'i' may follow) or in 1e8 / 2.5e6 style (the value must be a whole
 * number). Values above 2^62 are refused. `what` names the value in the error message. */
int sq_parse_count(const char *text, const char *what, int64_t *out, sq_error *err);
/* The same, refusing a count below min (0 or more) with a message that names min, also for a
 * negative count ("give a count of MIN or more"). */
int sq_parse_count_min(const char *text, const char *what, int64_t min, int64_t *out,
                       sq_error *err);

/* Splits "FILE:/DATASET" (or "FILE") at the first ":/" into its parts. */
int sq_parse_input_spec(const char *text, char *file, size_t file_len, char *dataset,
                        size_t dataset_len, sq_error *err);

/* Parses "range:N" or "uniform:N[:seed=S][:low=A][:high=B]". */
int sq_parse_gen_spec(const char *text, sq_gen_spec *spec, sq_error *err);

/* Parses a finite number (strtod syntax); `what` names the value in the error message. */
int sq_parse_double(const char *text, const char *what, double *out, sq_error *err);

#endif
