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
/* Room for sq_shape_format of any shape: SQ_MAX_RANK extents of up to 19 digits, " x " between. */
#define SQ_SHAPE_TEXT_MAX (SQ_MAX_RANK * 22)

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

/* ---- large transfers ---------------------------------------------------------------------------
 * MPI counts are int, and MPI-IO libraries misbehave on requests near 2 GiB, so one transfer of a
 * chunk is split into pieces of at most `piece` elements. For collective I/O every rank must make
 * the same number of calls: that number follows from the largest request any rank can make
 * (max_count, the same on every rank), and a rank whose request is shorter makes empty calls. */

/* The number of calls for requests of up to max_count elements: ceil(max_count / piece), at least
 * 1 (an empty request is still one call). piece >= 1. */
int64_t sq_transfer_calls(int64_t max_count, int64_t piece);

/* Call p (0 <= p < calls) of a request of count elements: the range [begin, end) relative to the
 * start of the request; empty once the request is used up. */
sq_range sq_transfer_piece(int64_t count, int64_t piece, int64_t p);

/* ---- chunked storage ---------------------------------------------------------------------------
 * For compressed output the datasets are stored in HDF5 chunks. Fills dims[shape->rank] with the
 * chunk dimensions of at most target elements, taken from the fastest dimension backwards (whole
 * trailing dimensions while they fit, then a part of the next one, then 1), so that a storage chunk
 * is a contiguous run of the row-major order whenever it can be; for a 1-D dataset it is
 * min(target, n) elements. Every dimension is at least 1. Returns the chunk's element count. */
int64_t sq_storage_chunk_dims(const sq_shape *shape, int64_t target, int64_t *dims);

#endif
