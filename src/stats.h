/*
 * stats.h - the reductions sqcube reports, and how partial reductions merge.
 *
 * A sq_stats record holds count, sums of x, x^2 and x^3, min, max and the non-finite count for any
 * range of elements: one OpenMP thread's share, a rank's, or the whole dataset. Records merge with
 * sq_stats_merge, in two levels (threads, then ranks).
 *
 * Integer data: sums are exact. x^3 of an int64 needs 190 bits and 2^62 of them need 252, so sums
 * are 256-bit two's-complement integers (sq_i256): merging is integer addition, associative, and
 * the result is identical for every decomposition.
 *
 * Float data: sums of the stored float64 terms are exact (sq_xacc, accumulate.h) and rounded once
 * at the end: the correctly rounded sum, identical for every decomposition.
 *
 * min and max ignore NaN, and order -0.0 below +0.0 (so they too are independent of the order of
 * the elements); they are undefined (has_minmax == 0) when no element is a number.
 * This module is pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_STATS_H
#define SQCUBE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "accumulate.h"

/* The element types sqcube computes in. */
typedef enum sq_dtype { SQ_DTYPE_INT64 = 0, SQ_DTYPE_FLOAT64 = 1 } sq_dtype;

/* "int64" or "float64". */
const char *sq_dtype_name(sq_dtype t);

/* 256-bit two's-complement integer, little-endian 64-bit limbs. */
typedef struct sq_i256 {
    uint64_t w[4];
} sq_i256;

void sq_i256_zero(sq_i256 *a);
void sq_i256_add(sq_i256 *a, const sq_i256 *b);
void sq_i256_add_i128(sq_i256 *a, __int128 v);
/* a += x * y * z exactly (each factor int64; the product needs up to 190 bits). */
void sq_i256_add_product3(sq_i256 *a, int64_t x, int64_t y, int64_t z);
/* a = x * y (x, y < 2^128, non-negative; used for closed forms); returns -1 on overflow. */
int sq_i256_from_mul(sq_i256 *a, unsigned __int128 x, unsigned __int128 y);
int sq_i256_cmp(const sq_i256 *a, const sq_i256 *b);
/* The nearest double (ties to even). */
double sq_i256_to_double(const sq_i256 *a);
/* Exact decimal text, "-" for negatives; buf needs SQ_I256_DECIMAL_MAX bytes. */
#define SQ_I256_DECIMAL_MAX 80
void sq_i256_to_decimal(const sq_i256 *a, char *buf, size_t len);
/* Parses decimal text written by sq_i256_to_decimal; returns 0 or -1. */
int sq_i256_from_decimal(sq_i256 *a, const char *text);

enum sq_sum { SQ_SUM_X = 0, SQ_SUM_SQ = 1, SQ_SUM_CUBE = 2, SQ_NSUMS = 3 };

typedef struct sq_stats {
    int64_t type;           /* sq_dtype of the input elements */
    int64_t count;          /* elements */
    int64_t nonfinite;      /* NaN, +Inf and -Inf inputs */
    int64_t nan;            /* NaN inputs (min and max ignore them) */
    int64_t has_minmax;     /* 1 when at least one element is a number */
    int64_t negzero;        /* float data: -0.0 inputs (a zero min is then -0.0) */
    int64_t poszero;        /* float data: +0.0 inputs (a zero max is then +0.0) */
    int64_t imin, imax;     /* integer data: min and max of x */
    double fmin, fmax;      /* float data: min and max of x, NaN ignored */
    sq_i256 isum[SQ_NSUMS]; /* integer data: exact sums of x, x^2, x^3 */
    sq_xacc fsum[SQ_NSUMS]; /* float data: exact sums of x and the stored x^2, x^3 */
} sq_stats;

void sq_stats_init(sq_stats *s, sq_dtype type);

/* into += from (both of the same type). Commutative and, for integer data, associative exactly. */
void sq_stats_merge(sq_stats *into, const sq_stats *from);

/* The sum as a double, correctly rounded (with the IEEE rules for non-finite float terms). */
double sq_stats_sum(const sq_stats *s, enum sq_sum which);

/* min and max as doubles (NaN when has_minmax == 0); a zero min is -0.0 when any -0.0 occurred, a
 * zero max +0.0 when any +0.0 occurred. */
double sq_stats_min(const sq_stats *s);
double sq_stats_max(const sq_stats *s);

/* The sums of x = 1..n (range:n) in closed form, exactly: n(n+1)/2, n(n+1)(2n+1)/6, (n(n+1)/2)^2
 * (0 <= n <= 2^62). */
void sq_range_closed_forms(int64_t n, sq_i256 out[SQ_NSUMS]);

/* The method recorded in /provenance. */
const char *sq_stats_method(sq_dtype type);

#endif
