/*
 * generate.h - datasets generated on the fly, element by element from the global index.
 *
 * Every value depends only on its global index and the spec, never on ranks, threads or chunking,
 * so a generated dataset is regenerated exactly from its spec (which the output records):
 *   range:N      x[i] = i + 1 (int64), so every sum has a closed form;
 *   uniform:N    x[i] = low + (high - low) * u(i) (float64), u(i) = (z >> 11) * 2^-53 with z the
 *                (i + 1)-th output of SplitMix64 seeded with `seed` (a counter-based generator:
 *                z = mix(seed + (i + 1) * 0x9E3779B97F4A7C15)); a value that rounds up to high
 *                becomes the largest double below high, so x < high always.
 * This module is pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_GENERATE_H
#define SQCUBE_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

typedef enum sq_gen_kind { SQ_GEN_RANGE = 0, SQ_GEN_UNIFORM = 1 } sq_gen_kind;

typedef struct sq_gen_spec {
    sq_gen_kind kind;
    int64_t n;     /* elements, 0 <= n <= 2^62 */
    uint64_t seed; /* uniform: SplitMix64 seed (default 0) */
    double low;    /* uniform: lower bound, inclusive (default 0) */
    double high;   /* uniform: upper bound, exclusive (default 1) */
} sq_gen_spec;

/* The element type a spec generates: int64 for range, float64 for uniform. */
sq_dtype sq_gen_dtype(const sq_gen_spec *spec);

/* The (i + 1)-th SplitMix64 output for seed: the raw counter-based draw of element i. */
uint64_t sq_splitmix64_at(uint64_t seed, uint64_t i);

/* Fills out[0..count) with elements first .. first + count - 1 (OpenMP threads). out's type must be
 * that of sq_gen_dtype: int64_t for range, double for uniform. */
void sq_generate(const sq_gen_spec *spec, int64_t first, int64_t count, void *out);

/* Canonical text that parses back to the same spec ("uniform:1000:seed=7:low=-1:high=1"). */
void sq_gen_spec_format(const sq_gen_spec *spec, char *buf, size_t len);

#endif
