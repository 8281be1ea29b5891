/*
 * kernel.h - square and cube of every element of a buffer, with the partial reductions, on OpenMP
 * threads.
 *
 * Kernels take plain arrays and a length, never a communicator or a file: they are the pure compute
 * core, unit-tested without mpirun. Each kernel splits [0, n) into one contiguous slice per thread,
 * computes in blocks of SQ_KERNEL_BLOCK elements with a vectorisable loop, keeps its partial
 * reductions in a private (stack) record, and merges the records into *st in thread order.
 *
 * Values written:
 *   float64 input:  sq = x * x, cu = sq * x (IEEE float64, two roundings for the cube);
 *   int64 input, int64 output:   exact; the cube must fit int64, i.e. -2097152 <= x <= 2097151;
 *   int64 input, float64 output: x^2 and x^3 computed exactly and rounded once to nearest.
 * For int64 input the sums in *st are exact sums of x, x^2, x^3 whatever the output type; for
 * float64 input, exact sums of x and the stored squares and cubes (sq_xacc).
 */
#ifndef SQCUBE_KERNEL_H
#define SQCUBE_KERNEL_H

#include <stdint.h>

#include "stats.h"

#define SQ_KERNEL_BLOCK 256

/* The int64 values whose cube fits int64. */
#define SQ_CUBE_INT64_MIN INT64_C(-2097152)
#define SQ_CUBE_INT64_MAX INT64_C(2097151)

/* float64 in, float64 out. */
void sq_kernel_float64(const double *x, int64_t n, double *sq, double *cu, sq_stats *st);

/* int64 in, int64 out. Returns -1 when every cube fits int64; otherwise the offset of the first
 * element whose cube does not (outputs and *st are then unspecified). */
int64_t sq_kernel_int64(const int64_t *x, int64_t n, int64_t *sq, int64_t *cu, sq_stats *st);

/* int64 in, float64 out: correctly rounded x^2 and x^3; exact sums. */
void sq_kernel_int64_to_float64(const int64_t *x, int64_t n, double *sq, double *cu, sq_stats *st);

/* x^2 and x^3 of an int64, correctly rounded to float64 (the values the kernel above stores). */
double sq_round_square(int64_t x);
double sq_round_cube(int64_t x);

#endif
