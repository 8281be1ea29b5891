/*
 * moments.h - mean, variance, standard deviation and skewness from exact power sums.
 *
 * A sq_stats record holds N and the exact sums S1 = sum x, S2, S3 (256-bit integers for integer
 * data, fixed-point sq_xacc for float data). Every moment below is a rational function of N, S1,
 * S2, S3; it is evaluated in exact big-integer arithmetic and rounded ONCE, to nearest (ties to
 * even):
 *
 *   mean            = S1 / N
 *   variance        = m2 = (N S2 - S1^2) / N^2                       (population)
 *   sample_variance = (N S2 - S1^2) / (N (N - 1))                    (Bessel-corrected)
 *   std             = sqrt(m2)                                       (population)
 *   skewness        = g1 = m3 / m2^(3/2),  m3 = (N^2 S3 - 3 N S1 S2 + 2 S1^3) / N^3
 *                    (population skewness, the Fisher-Pearson coefficient; scipy.stats.skew
 *                     with bias=True)
 *
 * std and skewness involve a square root; they too are correctly rounded: a candidate is moved
 * by whole ulps until the exact comparison of the neighbouring midpoints with the exact value
 * (squared, in integers) brackets it.
 *
 * Rules:
 *   N = 0: every moment NaN.
 *   Any NaN or +-Inf input (float data): mean follows IEEE arithmetic on the sum (NaN if a NaN or
 *     both infinities occurred, else the infinity), the other four are NaN.
 *   N = 1: variance 0, std 0, sample_variance NaN, skewness NaN.
 *   variance exactly 0 (all elements equal): skewness NaN.
 *   N = 2 with two different values: skewness 0.
 *   A zero result is +0.0.
 *
 * What the sums are. Integer data: sq_stats holds the exact sums of x, x^2, x^3, so the moments
 * are those of the data, correctly rounded (flag exact = 1). Float data: sq_stats holds the exact
 * sums of x and of the STORED squares and cubes, fl(x*x) and fl(fl(x*x)*x), each rounded; their
 * rounding errors do not cancel in N S2 - S1^2 (for 1e9 + noise of size 1 each square is off by up
 * to 64 and the variance is lost entirely). The exact sums of x^2 and x^3 are S2 + E2 and S3 + E3,
 * where E2, E3 are the exact sums of the rounding errors, collected by sq_power_err_add (error-free
 * transformations with fma: every error is itself a double). With them, the moments are those of
 * the data, correctly rounded (exact = 1) provided every finite non-zero element lies in
 *   2^-484 <= |x| < 2^511 for mean, variance, sample_variance, std,
 *   2^-305 <= |x| < 2^341 for skewness (roughly 1.5e-92 .. 4.5e102),
 * the range where every error term is a whole number of 2^-1074 and no product overflows.
 * Otherwise (or with no corrections, err == NULL) exact = 0 and the moments are those of the
 * stored squares and cubes (plus the corrections of the in-range elements), correctly rounded;
 * they differ from the data's by at most 2^-53 mean(x^2) + 2^-1074 in the variance, and a negative
 * variance (possible only then) is reported as +0.0. A stored square or cube that overflowed to
 * +-Inf from a finite x makes variance, sample_variance, std (squares) or skewness (cubes) NaN.
 *
 * Pure: no MPI, no HDF5, no allocation (the big integers live on the stack, about 100 KB).
 */
#ifndef SQCUBE_MOMENTS_H
#define SQCUBE_MOMENTS_H

#include <stdint.h>

#include "accumulate.h"
#include "stats.h"

typedef struct sq_moments {
    double mean;            /* S1 / N */
    double variance;        /* population variance m2 */
    double sample_variance; /* m2 * N / (N - 1) */
    double std;             /* sqrt(m2), population */
    double skewness;        /* g1 = m3 / m2^(3/2), population */
    int exact; /* 1: each is the data's own moment correctly rounded, or NaN by the rules */
} sq_moments;

/* The exact rounding errors of the stored squares and cubes of float data, for the moments. */
typedef struct sq_power_err {
    sq_xacc sq;           /* sum of x^2 - fl(x*x) over in-range elements */
    sq_xacc cube;         /* sum of x^3 - fl(fl(x*x)*x) over in-range elements */
    int64_t sq_outside;   /* finite non-zero x outside [2^-484, 2^511): no square correction */
    int64_t cube_outside; /* finite non-zero x outside [2^-305, 2^341): no cube correction */
} sq_power_err;

void sq_power_err_init(sq_power_err *e);

/* Adds the corrections of x[0..n-1] (non-finite and zero elements contribute nothing). Order and
 * split do not matter: the result is exact. */
void sq_power_err_add(sq_power_err *e, const double *x, int64_t n);

/* into += from. */
void sq_power_err_merge(sq_power_err *into, const sq_power_err *from);

/* The moments of the elements summarised by *s. err: for float data, the corrections gathered
 * over the same elements, or NULL (moments of the stored squares and cubes); ignored for integer
 * data. */
void sq_moments_compute(const sq_stats *s, const sq_power_err *err, sq_moments *m);

#endif
