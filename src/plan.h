/*
 * plan.h - the decomposition: a pure function from (elements, chunk size, ranks) to ranges.
 *
 * The global index range [0, n) is cut into chunks of `chunk` elements; the last chunk holds the
 * remainder, which is never dropped. Ranks own contiguous blocks of chunks whose sizes differ by at
 * most one chunk (the first nchunks % nranks ranks own one more). Every rank takes part in
 * max_rounds rounds of collective I/O; in a round where it owns no chunk it does an empty transfer.
 * All indices are 64-bit (global_int in hpcg's terms): n may reach 2^62.
 */
#ifndef SQCUBE_PLAN_H
#define SQCUBE_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* The largest element count and chunk size sqcube accepts: 2^62. */
#define SQ_MAX_COUNT (INT64_C(1) << 62)

typedef struct sq_range {
    int64_t begin; /* first index */
    int64_t end;   /* one past the last index; end == begin is an empty range */
} sq_range;

typedef struct sq_plan {
    int64_t n;          /* global element count, 0 <= n <= SQ_MAX_COUNT */
    int64_t chunk;      /* elements per chunk (the last chunk may be shorter), >= 1 */
    int64_t nchunks;    /* ceil(n / chunk); 0 when n == 0 */
    int nranks;         /* ranks sharing the chunks, >= 1 */
    int64_t max_rounds; /* ceil(nchunks / nranks): the most chunks any rank owns */
} sq_plan;

/* Fills the plan. Returns 0, or -1 when an argument is out of range (n < 0 or n > SQ_MAX_COUNT,
 * chunk < 1 or chunk > SQ_MAX_COUNT, nranks < 1). */
int sq_plan_init(sq_plan *plan, int64_t n, int64_t chunk, int nranks);

/* The chunks [begin, end) owned by rank (0 <= rank < nranks). */
sq_range sq_plan_rank_chunks(const sq_plan *plan, int rank);

/* The elements [begin, end) of chunk k (0 <= k < nchunks); empty for any other k. */
sq_range sq_plan_chunk_elements(const sq_plan *plan, int64_t k);

/* The elements [begin, end) owned by rank: the union of its chunks. */
sq_range sq_plan_rank_elements(const sq_plan *plan, int rank);

/* The chunk rank handles in round r (0 <= r < max_rounds), or -1 when it has none in that round. */
int64_t sq_plan_chunk_in_round(const sq_plan *plan, int rank, int64_t round);

/* The largest chunk any rank will hold: min(chunk, n) (0 when n == 0). Buffers are this long. */
int64_t sq_plan_buffer_elements(const sq_plan *plan);

/* ---- shapes ------------------------------------------------------------------------------------
 * A dataset of any rank is decomposed as its elements in row-major (C) order: chunks are ranges of
 * that flat order. A flat range of an N-D array is a union of at most 2N - 1 rectangular blocks
 * (a partial row, whole rows, whole planes, ..., then the partial pieces at the end), each a
 * hyperslab, so every rank's selection is a valid HDF5 selection however the chunks fall. */

/* HDF5's limit on dataset rank. */
#define SQ_MAX_RANK 32

typedef struct sq_shape {
    int rank;                  /* 0 (scalar) .. SQ_MAX_RANK */
    int64_t dims[SQ_MAX_RANK]; /* extent of each dimension, slowest first; any may be 0 */
} sq_shape;

/* The number of elements: the product of dims (1 for a scalar). -1 if it exceeds SQ_MAX_COUNT. */
int64_t sq_shape_count(const sq_shape *shape);

/* "7 x 13", "1000", "scalar". */
void sq_shape_format(const sq_shape *shape, char *buf, size_t len);

/* Called for each block: start[] and count[] have shape->rank entries. Returns 0 to go on. */
typedef int (*sq_block_fn)(const int64_t *start, const int64_t *count, void *ctx);

/* Calls fn, in row-major order, for the blocks whose union is exactly the flat range
 * [begin, end) of a shape of rank >= 1 (nothing for an empty range). Returns the number of blocks,
 * or fn's non-zero return. */
int sq_shape_blocks(const sq_shape *shape, int64_t begin, int64_t end, sq_block_fn fn, void *ctx);

#endif
