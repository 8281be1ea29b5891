/*
 * plan.c - contiguous blocks of chunks per rank, balanced to within one chunk.
 */
#include "plan.h"

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
