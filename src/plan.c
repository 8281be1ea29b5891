/*
 * plan.c - contiguous blocks of chunks per rank, balanced to within one chunk.
 */
#include "plan.h"

#include <stdio.h>

int sq_plan_init(sq_plan *plan, int64_t n, int64_t chunk, int nranks) {
    if (n < 0 || n > SQ_MAX_COUNT || chunk < 1 || chunk > SQ_MAX_COUNT || nranks < 1)
        return -1;
    plan->n = n;
    plan->chunk = chunk;
    /* n / chunk + (n % chunk != 0) cannot overflow, unlike (n + chunk - 1) / chunk. */
    plan->nchunks = n / chunk + (n % chunk != 0);
    plan->nranks = nranks;
    plan->max_rounds = plan->nchunks / nranks + (plan->nchunks % nranks != 0);
    return 0;
}

sq_range sq_plan_rank_chunks(const sq_plan *plan, int rank) {
    const int64_t q = plan->nchunks / plan->nranks;
    const int64_t extra = plan->nchunks % plan->nranks; /* ranks below this own q + 1 */
    const int64_t r = rank;
    sq_range c;
    c.begin = r * q + (r < extra ? r : extra);
    c.end = c.begin + q + (r < extra ? 1 : 0);
    return c;
}

sq_range sq_plan_chunk_elements(const sq_plan *plan, int64_t k) {
    sq_range e = {0, 0};
    if (k < 0 || k >= plan->nchunks)
        return e;
    e.begin = k * plan->chunk; /* k < nchunks, so k * chunk < n + chunk <= 2^63 */
    e.end = (plan->n - e.begin > plan->chunk) ? e.begin + plan->chunk : plan->n;
    return e;
}

sq_range sq_plan_rank_elements(const sq_plan *plan, int rank) {
    const sq_range c = sq_plan_rank_chunks(plan, rank);
    sq_range e = {0, 0};
    if (c.end > c.begin) {
        e.begin = sq_plan_chunk_elements(plan, c.begin).begin;
        e.end = sq_plan_chunk_elements(plan, c.end - 1).end;
    } else {
        /* An empty range placed where the rank's chunks would start keeps ranges ordered. */
        e.begin = e.end = (c.begin < plan->nchunks) ? c.begin * plan->chunk : plan->n;
    }
    return e;
}

int64_t sq_plan_chunk_in_round(const sq_plan *plan, int rank, int64_t round) {
    const sq_range c = sq_plan_rank_chunks(plan, rank);
    if (round < 0 || round >= c.end - c.begin)
        return -1;
    return c.begin + round;
}

int64_t sq_plan_buffer_elements(const sq_plan *plan) {
    return plan->n < plan->chunk ? plan->n : plan->chunk;
}

int64_t sq_shape_count(const sq_shape *shape) {
    int64_t n = 1;
    for (int k = 0; k < shape->rank; ++k)
        if (shape->dims[k] == 0)
            return 0;
    for (int k = 0; k < shape->rank; ++k)
        if (__builtin_mul_overflow(n, shape->dims[k], &n) || n > SQ_MAX_COUNT)
            return -1;
    return n;
}

void sq_shape_format(const sq_shape *shape, char *buf, size_t len) {
    if (shape->rank == 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < shape->rank && used < len; ++k)
        used += (size_t)snprintf(buf + used, len - used, "%s%lld", k ? " x " : "",
                                 (long long)shape->dims[k]);
}

int sq_shape_blocks(const sq_shape *shape, int64_t begin, int64_t end, sq_block_fn fn, void *ctx) {
    const int r = shape->rank;
    if (r < 1 || begin >= end)
        return 0;
    /* stride[k]: elements per step of dimension k (all <= count, so no overflow for a valid range).
     */
    int64_t stride[SQ_MAX_RANK];
    stride[r - 1] = 1;
    for (int k = r - 2; k >= 0; --k)
        stride[k] = stride[k + 1] * shape->dims[k + 1];
    int blocks = 0;
    for (int64_t pos = begin; pos < end;) {
        /* The outermost dimension j at whose boundary pos sits with a whole step of it left. */
        int j = 0;
        while (j < r - 1 && (pos % stride[j] != 0 || end - pos < stride[j]))
            ++j;
        int64_t start[SQ_MAX_RANK], count[SQ_MAX_RANK];
        int64_t rest = pos;
        for (int k = 0; k < r; ++k) {
            start[k] = rest / stride[k];
            rest %= stride[k];
        }
        const int64_t room = shape->dims[j] - start[j];
        const int64_t steps = (end - pos) / stride[j] < room ? (end - pos) / stride[j] : room;
        for (int k = 0; k < r; ++k)
            count[k] = k < j ? 1 : (k == j ? steps : shape->dims[k]);
        const int rc = fn(start, count, ctx);
        if (rc != 0)
            return rc;
        ++blocks;
        pos += steps * stride[j];
    }
    return blocks;
}

int64_t sq_transfer_calls(int64_t max_count, int64_t piece) {
    if (max_count <= piece)
        return 1;
    return max_count / piece + (max_count % piece != 0);
}

sq_range sq_transfer_piece(int64_t count, int64_t piece, int64_t p) {
    /* p * piece cannot overflow: p < calls <= max_count / piece + 1. */
    const int64_t begin = p * piece < count ? p * piece : count;
    const int64_t end = count - begin > piece ? begin + piece : count;
    return (sq_range){begin, end};
}

int64_t sq_storage_chunk_dims(const sq_shape *shape, int64_t target, int64_t *dims) {
    int64_t elements = 1;
    if (target < 1)
        target = 1;
    for (int k = shape->rank - 1; k >= 0; --k) {
        const int64_t extent = shape->dims[k] > 0 ? shape->dims[k] : 1;
        const int64_t room = target / elements; /* >= 1 */
        dims[k] = extent < room ? extent : room;
        elements *= dims[k];
    }
    return elements;
}
