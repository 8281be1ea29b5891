/*
 * test_plan.c - CUnit suite for src/plan.h: the decomposition of [0, n) into chunks and of chunks
 * into contiguous, balanced blocks per rank.
 *
 * Expected values come from brute force (walking every element and chunk) or from the header's
 * statements evaluated in __int128, never from plan.c's formulas.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "unit.h"

#define TWO62 (INT64_C(1) << 62)

/* ---- brute-force check of one (n, chunk, nranks) triple ---------------------------------------
 */

/* Reports a failure with the triple in the message; returns 1 if ok. */
static int check_triple(int64_t n, int64_t chunk, int nranks) {
    char where[160];
    snprintf(where, sizeof where, "n=%lld chunk=%lld nranks=%d", (long long)n, (long long)chunk,
             nranks);
    sq_plan p;
    memset(&p, 0xA5, sizeof p);
    if (sq_plan_init(&p, n, chunk, nranks) != 0) {
        CU_FAIL("sq_plan_init refused a valid triple");
        fprintf(stderr, "  init failed: %s\n", where);
        return 0;
    }
    int ok = 1;
#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ok = 0;                                                                                \
            fprintf(stderr, "  FAILED %s at %s\n", #cond, where);                                  \
        }                                                                                          \
    } while (0)

    EXPECT(p.n == n);
    EXPECT(p.chunk == chunk);
    EXPECT(p.nranks == nranks);

    /* Brute force: count chunks by walking [0, n) in steps of chunk. */
    int64_t nchunks = 0;
    for (int64_t b = 0; b < n; b += chunk)
        ++nchunks;
    EXPECT(p.nchunks == nchunks);

    /* Chunk k is [k*chunk, min((k+1)*chunk, n)). */
    int64_t largest = 0;
    for (int64_t k = 0; k < nchunks; ++k) {
        const sq_range e = sq_plan_chunk_elements(&p, k);
        const int64_t b = k * chunk;
        const int64_t end = (b + chunk < n) ? b + chunk : n;
        EXPECT(e.begin == b);
        EXPECT(e.end == end);
        EXPECT(e.end > e.begin);
        if (e.end - e.begin > largest)
            largest = e.end - e.begin;
    }
    /* Chunks outside [0, nchunks) are empty. */
    {
        const int64_t bad[] = {-1, nchunks, nchunks + 1, INT64_MIN, INT64_MAX};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
            const sq_range e = sq_plan_chunk_elements(&p, bad[i]);
            EXPECT(e.begin == e.end);
        }
    }
    EXPECT(sq_plan_buffer_elements(&p) == largest);
    EXPECT(sq_plan_buffer_elements(&p) == (n < chunk ? n : chunk));

    /* Every element owned exactly once, via the rank's chunks. */
    int *owner = NULL;
    if (n > 0) {
        owner = malloc((size_t)n * sizeof *owner);
        CU_ASSERT_PTR_NOT_NULL_FATAL(owner);
        for (int64_t i = 0; i < n; ++i)
            owner[i] = -1;
    }
    int64_t *chunk_owner = NULL;
    if (nchunks > 0) {
        chunk_owner = malloc((size_t)nchunks * sizeof *chunk_owner);
        CU_ASSERT_PTR_NOT_NULL_FATAL(chunk_owner);
        for (int64_t k = 0; k < nchunks; ++k)
            chunk_owner[k] = -1;
    }
    int64_t prev_chunk_end = 0, prev_elem_end = 0;
    int64_t min_count = INT64_MAX, max_count = -1, total = 0, prev_count = INT64_MAX;
    for (int r = 0; r < nranks; ++r) {
        const sq_range c = sq_plan_rank_chunks(&p, r);
        const sq_range e = sq_plan_rank_elements(&p, r);
        const int64_t cnt = c.end - c.begin;
        EXPECT(cnt >= 0);
        /* Contiguous and ordered: rank r starts where rank r-1 ended. */
        EXPECT(c.begin == prev_chunk_end);
        EXPECT(e.begin == prev_elem_end);
        EXPECT(e.end >= e.begin);
        EXPECT(e.begin >= 0 && e.end <= n);
        /* The first ranks own one more: counts never increase with the rank. */
        EXPECT(cnt <= prev_count);
        prev_count = cnt;
        prev_chunk_end = c.end;
        prev_elem_end = e.end;
        total += cnt;
        if (cnt < min_count)
            min_count = cnt;
        if (cnt > max_count)
            max_count = cnt;
        int64_t elems = 0;
        for (int64_t k = c.begin; k < c.end && k >= 0 && k < nchunks; ++k) {
            EXPECT(chunk_owner[k] == -1);
            chunk_owner[k] = r;
            const sq_range ce = sq_plan_chunk_elements(&p, k);
            for (int64_t i = ce.begin; i < ce.end; ++i) {
                EXPECT(owner[i] == -1);
                owner[i] = r;
                /* ...and the element lies in the rank's element range. */
                EXPECT(i >= e.begin && i < e.end);
                ++elems;
            }
        }
        /* The rank's element range is exactly the union of its chunks. */
        EXPECT(e.end - e.begin == elems);

        /* Rounds: every chunk of the rank exactly once, -1 otherwise; max_rounds rounds cover all.
         */
        int64_t seen = 0, prev_k = -1;
        for (int64_t round = 0; round < p.max_rounds; ++round) {
            const int64_t k = sq_plan_chunk_in_round(&p, r, round);
            if (k == -1)
                continue;
            EXPECT(k >= c.begin && k < c.end);
            EXPECT(k > prev_k); /* each chunk once (and in file order) */
            prev_k = k;
            ++seen;
        }
        EXPECT(seen == cnt);
        EXPECT(sq_plan_chunk_in_round(&p, r, p.max_rounds) == -1);
        EXPECT(sq_plan_chunk_in_round(&p, r, -1) == -1);
    }
    EXPECT(prev_chunk_end == nchunks);
    EXPECT(prev_elem_end == n);
    EXPECT(total == nchunks);
    EXPECT(max_count - min_count <= 1);
    EXPECT(p.max_rounds == max_count);
    for (int64_t i = 0; i < n; ++i)
        EXPECT(owner[i] >= 0);
    for (int64_t k = 0; k < nchunks; ++k)
        EXPECT(chunk_owner[k] >= 0);
    /* The remainder is never dropped: the last chunk ends at n. */
    if (nchunks > 0)
        EXPECT(sq_plan_chunk_elements(&p, nchunks - 1).end == n);
    free(owner);
    free(chunk_owner);
#undef EXPECT
    return ok;
}

static void test_brute_force_grid(void) {
    const int64_t ns[] = {0,  1,   2,   3,   5,   7,    10,   16,   17,   63,  64,
                          65, 100, 255, 256, 257, 1000, 1023, 1024, 1025, 4099};
    const int64_t chunks[] = {1, 2, 3, 4, 7, 10, 16, 64, 100, 255, 256, 1000, 5000};
    const int ranks[] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 64, 100, 1000};
    int failures = 0, cases = 0;
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t b = 0; b < sizeof chunks / sizeof chunks[0]; ++b)
            for (size_t c = 0; c < sizeof ranks / sizeof ranks[0]; ++c) {
                ++cases;
                failures += !check_triple(ns[a], chunks[b], ranks[c]);
            }
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(cases > 3000);
}

static void test_random_triples(void) {
    uint64_t s = 0x1234567887654321u;
    int failures = 0;
    for (int t = 0; t < 400; ++t) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const int64_t n = (int64_t)(s % 20000);
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const int64_t chunk = 1 + (int64_t)(s % 3000);
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const int nranks = 1 + (int)(s % 300);
        failures += !check_triple(n, chunk, nranks);
    }
    CU_ASSERT_EQUAL(failures, 0);
}

static void test_edges_small(void) {
    /* n = 0: no chunks, no rounds, empty buffers, every rank empty at 0. */
    CU_ASSERT(check_triple(0, 1, 1));
    CU_ASSERT(check_triple(0, 1000, 7));
    sq_plan p;
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, 0, 10, 4), 0);
    CU_ASSERT_EQUAL(p.nchunks, 0);
    CU_ASSERT_EQUAL(p.max_rounds, 0);
    CU_ASSERT_EQUAL(sq_plan_buffer_elements(&p), 0);
    for (int r = 0; r < 4; ++r) {
        const sq_range e = sq_plan_rank_elements(&p, r);
        CU_ASSERT_EQUAL(e.begin, 0);
        CU_ASSERT_EQUAL(e.end, 0);
    }

    /* n < nranks, chunk 1: the first n ranks own one element each, the rest none. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, 3, 1, 8), 0);
    CU_ASSERT_EQUAL(p.nchunks, 3);
    CU_ASSERT_EQUAL(p.max_rounds, 1);
    for (int r = 0; r < 8; ++r) {
        const sq_range e = sq_plan_rank_elements(&p, r);
        if (r < 3) {
            CU_ASSERT_EQUAL(e.begin, r);
            CU_ASSERT_EQUAL(e.end, r + 1);
            CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, r, 0), r);
        } else {
            CU_ASSERT_EQUAL(e.begin, e.end);
            CU_ASSERT_EQUAL(e.end, 3);
            CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, r, 0), -1);
        }
    }

    /* chunk > n: one short chunk holding everything. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, 10, 1000, 3), 0);
    CU_ASSERT_EQUAL(p.nchunks, 1);
    CU_ASSERT_EQUAL(p.max_rounds, 1);
    CU_ASSERT_EQUAL(sq_plan_buffer_elements(&p), 10);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 0).begin, 0);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 0).end, 10);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 0).end, 10);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 1).begin, 10);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 2).end, 10);

    /* A remainder: n = 10, chunk = 4 -> chunks [0,4) [4,8) [8,10); 2 ranks own 2 and 1 chunks. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, 10, 4, 2), 0);
    CU_ASSERT_EQUAL(p.nchunks, 3);
    CU_ASSERT_EQUAL(p.max_rounds, 2);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 2).begin, 8);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 2).end, 10);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 0).begin, 0);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 0).end, 2);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 1).begin, 2);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 1).end, 3);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 0).end, 8);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 1).begin, 8);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 1).end, 10);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, 0, 0), 0);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, 0, 1), 1);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, 1, 0), 2);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, 1, 1), -1);

    /* 7 chunks over 3 ranks: 3, 2, 2. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, 7, 1, 3), 0);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 0).end - sq_plan_rank_chunks(&p, 0).begin, 3);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 1).end - sq_plan_rank_chunks(&p, 1).begin, 2);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 2).end - sq_plan_rank_chunks(&p, 2).begin, 2);
    CU_ASSERT_EQUAL(p.max_rounds, 3);

    /* chunk = 1 with many ranks; chunk == n exactly. */
    CU_ASSERT(check_triple(1000, 1, 7));
    CU_ASSERT(check_triple(1000, 1000, 7));
    CU_ASSERT(check_triple(1000, 999, 2));
    CU_ASSERT(check_triple(1, 1, 1));
    CU_ASSERT(check_triple(1, 1, 1000));
}

/* Checks one rank's chunk block of a huge plan against the header's statement evaluated in
 * __int128: ranks below nchunks % nranks own ceil(nchunks / nranks), the others floor. */
static void check_huge_rank(const sq_plan *p, int r) {
    const __int128 nc = p->nchunks, nr = p->nranks;
    const __int128 q = nc / nr, extra = nc - q * nr;
    const __int128 begin = (__int128)r * q + (r < extra ? r : extra);
    const __int128 cnt = q + (r < extra ? 1 : 0);
    const sq_range c = sq_plan_rank_chunks(p, r);
    CU_ASSERT((__int128)c.begin == begin);
    CU_ASSERT((__int128)c.end == begin + cnt);
    CU_ASSERT(c.end >= c.begin);
    /* Elements: chunk begin * chunk, clipped to n; computed in __int128. */
    const sq_range e = sq_plan_rank_elements(p, r);
    __int128 eb = begin * p->chunk, ee = (begin + cnt) * p->chunk;
    if (eb > p->n)
        eb = p->n;
    if (ee > p->n)
        ee = p->n;
    CU_ASSERT((__int128)e.begin == eb);
    CU_ASSERT((__int128)e.end == ee);
    if (r + 1 < p->nranks) {
        CU_ASSERT_EQUAL(sq_plan_rank_chunks(p, r + 1).begin, c.end);
        CU_ASSERT_EQUAL(sq_plan_rank_elements(p, r + 1).begin, e.end);
    }
    if (cnt > 0) {
        CU_ASSERT_EQUAL(sq_plan_chunk_in_round(p, r, 0), c.begin);
        CU_ASSERT((__int128)sq_plan_chunk_in_round(p, r, (int64_t)(cnt - 1)) == begin + cnt - 1);
    }
    if (cnt < p->max_rounds)
        CU_ASSERT_EQUAL(sq_plan_chunk_in_round(p, r, p->max_rounds - 1), -1);
}

static void test_huge(void) {
    const int rank_counts[] = {1, 2, 3, 7, 1000003, 1 << 30, INT_MAX - 1, INT_MAX};
    const int64_t chunk_sizes[] = {1, 3, 1000, (INT64_C(1) << 61) + 1, TWO62 - 1, TWO62};
    for (size_t a = 0; a < sizeof chunk_sizes / sizeof chunk_sizes[0]; ++a) {
        for (size_t b = 0; b < sizeof rank_counts / sizeof rank_counts[0]; ++b) {
            const int64_t chunk = chunk_sizes[a];
            const int nranks = rank_counts[b];
            sq_plan p;
            CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, TWO62, chunk, nranks), 0);
            const __int128 nc = ((__int128)TWO62 + chunk - 1) / chunk;
            CU_ASSERT((__int128)p.nchunks == nc);
            CU_ASSERT((__int128)p.max_rounds == (nc + nranks - 1) / nranks);
            CU_ASSERT_EQUAL(sq_plan_buffer_elements(&p), chunk);
            /* The last chunk ends at n and begins at (nchunks - 1) * chunk. */
            const sq_range last = sq_plan_chunk_elements(&p, p.nchunks - 1);
            CU_ASSERT_EQUAL(last.end, TWO62);
            CU_ASSERT((__int128)last.begin == (nc - 1) * chunk);
            CU_ASSERT(last.end > last.begin && last.end - last.begin <= chunk);
            CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, p.nchunks).begin,
                            sq_plan_chunk_elements(&p, p.nchunks).end);
            const int sample[] = {0, 1, 2, nranks / 3, nranks / 2, nranks - 2, nranks - 1};
            for (size_t s = 0; s < sizeof sample / sizeof sample[0]; ++s)
                if (sample[s] >= 0 && sample[s] < nranks)
                    check_huge_rank(&p, sample[s]);
            /* Rank 0 starts at 0, the last rank ends at n. */
            CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 0).begin, 0);
            CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, nranks - 1).end, TWO62);
            CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, nranks - 1).end, p.nchunks);
        }
    }
    /* Exact numbers for n = 2^62, chunk 1, INT_MAX ranks. */
    sq_plan p;
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, TWO62, 1, INT_MAX), 0);
    CU_ASSERT_EQUAL(p.nchunks, TWO62);
    /* 2^62 = (2^31 - 1) * (2^31 + 1) + 1, so one rank owns 2^31 + 2 and the rest 2^31 + 1. */
    CU_ASSERT_EQUAL(p.max_rounds, (INT64_C(1) << 31) + 2);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 0).end, (INT64_C(1) << 31) + 2);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, 1).end - sq_plan_rank_chunks(&p, 1).begin,
                    (INT64_C(1) << 31) + 1);
    CU_ASSERT_EQUAL(sq_plan_rank_chunks(&p, INT_MAX - 1).begin, TWO62 - (INT64_C(1) << 31) - 1);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, INT_MAX - 1, (INT64_C(1) << 31)), TWO62 - 1);
    CU_ASSERT_EQUAL(sq_plan_chunk_in_round(&p, INT_MAX - 1, (INT64_C(1) << 31) + 1), -1);

    /* n = 2^62, chunk = 2^61 + 1: two chunks, the second short. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, TWO62, (INT64_C(1) << 61) + 1, 1), 0);
    CU_ASSERT_EQUAL(p.nchunks, 2);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 1).begin, (INT64_C(1) << 61) + 1);
    CU_ASSERT_EQUAL(sq_plan_chunk_elements(&p, 1).end, TWO62);
    CU_ASSERT_EQUAL(p.max_rounds, 2);

    /* n = 2^62 - 1 with chunk = 2^62: one short chunk. */
    CU_ASSERT_EQUAL_FATAL(sq_plan_init(&p, TWO62 - 1, TWO62, 5), 0);
    CU_ASSERT_EQUAL(p.nchunks, 1);
    CU_ASSERT_EQUAL(sq_plan_buffer_elements(&p), TWO62 - 1);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 0).end, TWO62 - 1);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 4).begin, TWO62 - 1);
    CU_ASSERT_EQUAL(sq_plan_rank_elements(&p, 4).end, TWO62 - 1);
}

static void test_invalid(void) {
    sq_plan p;
    CU_ASSERT_EQUAL(sq_plan_init(&p, -1, 1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, INT64_MIN, 1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, TWO62 + 1, 1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, INT64_MAX, 1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, 0, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, -1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, INT64_MIN, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, TWO62 + 1, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, INT64_MAX, 1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, 1, 0), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, 1, -1), -1);
    CU_ASSERT_EQUAL(sq_plan_init(&p, 10, 1, INT_MIN), -1);
    /* The boundaries themselves are valid. */
    CU_ASSERT_EQUAL(sq_plan_init(&p, 0, 1, 1), 0);
    CU_ASSERT_EQUAL(sq_plan_init(&p, TWO62, TWO62, 1), 0);
    CU_ASSERT_EQUAL(sq_plan_init(&p, TWO62, 1, INT_MAX), 0);
}

/* ---- shapes -------------------------------------------------------------------------------- */

typedef struct cover {
    const sq_shape *shape;
    int *hits;      /* per flat element: how many blocks covered it */
    int64_t last;   /* flat index of the previous block's last element, for ordering */
    int ordered;    /* 0 once a block starts before the previous one ended */
    int bad_bounds; /* blocks reaching outside the shape */
} cover;

static int mark_block(const int64_t *start, const int64_t *count, void *ctx) {
    cover *c = ctx;
    const sq_shape *s = c->shape;
    int64_t idx[SQ_MAX_RANK];
    for (int k = 0; k < s->rank; ++k) {
        if (start[k] < 0 || count[k] < 1 || start[k] + count[k] > s->dims[k])
            c->bad_bounds = 1;
        idx[k] = start[k];
    }
    if (c->bad_bounds)
        return 0;
    /* Walk the block's elements in row-major order (an odometer over count[]). */
    for (;;) {
        int64_t flat = 0;
        for (int k = 0; k < s->rank; ++k)
            flat = flat * s->dims[k] + idx[k];
        if (flat <= c->last)
            c->ordered = 0;
        c->last = flat;
        ++c->hits[flat];
        int k = s->rank - 1;
        while (k >= 0 && ++idx[k] == start[k] + count[k]) {
            idx[k] = start[k];
            --k;
        }
        if (k < 0)
            break;
    }
    return 0;
}

static int count_blocks(const int64_t *start, const int64_t *count, void *ctx) {
    (void)start;
    (void)count;
    (void)ctx;
    return 0;
}

static void test_shape_blocks(void) {
    int bad = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        sq_shape s;
        s.rank = 1 + trial % 4;
        for (int k = 0; k < s.rank; ++k)
            s.dims[k] = 1 + (int64_t)((trial * 7919 + k * 104729) % 6);
        const int64_t n = sq_shape_count(&s);
        const int64_t b = (trial * 31) % (n + 1);
        const int64_t e = b + (trial * 17) % (n - b + 1);
        int hits[2000] = {0};
        cover c = {&s, hits, -1, 1, 0};
        const int blocks = sq_shape_blocks(&s, b, e, mark_block, &c);
        int ok = !c.bad_bounds && c.ordered && blocks <= 2 * s.rank - 1 && (e > b || blocks == 0);
        for (int64_t i = 0; i < n; ++i)
            ok &= hits[i] == (i >= b && i < e);
        if (!ok && bad++ < 5)
            fprintf(stderr, "\n  rank %d dims %lld.. range [%lld, %lld): %d blocks\n", s.rank,
                    (long long)s.dims[0], (long long)b, (long long)e, blocks);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Counts, formatting, zero dimensions, overflow. */
    sq_shape z = {3, {3, 0, 2}};
    CU_ASSERT_EQUAL(sq_shape_count(&z), 0);
    sq_shape sc = {0, {0}};
    CU_ASSERT_EQUAL(sq_shape_count(&sc), 1);
    char text[64];
    sq_shape_format(&sc, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "scalar");
    sq_shape_format(&z, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "3 x 0 x 2");
    sq_shape big = {2, {INT64_C(1) << 40, INT64_C(1) << 30}};
    CU_ASSERT_EQUAL(sq_shape_count(&big), -1);
    /* A huge 2-D shape: a range across many rows is 3 blocks, computed without overflow. */
    sq_shape wide = {2, {INT64_C(1) << 31, INT64_C(1) << 31}};
    int count3 = sq_shape_blocks(&wide, 5, (INT64_C(1) << 31) * 7 + 9, count_blocks, NULL);
    CU_ASSERT_EQUAL(count3, 3);
}

/* Splitting: for every max_count and piece on a small grid, every request of count <= max_count is
 * covered exactly once, in order, by the calls, each at most `piece` long, and the number of calls
 * is the smallest that can hold max_count (checked by counting, not by the formula). */
static void test_transfer_split(void) {
    int bad = 0;
    for (int64_t piece = 1; piece <= 9; ++piece)
        for (int64_t max_count = 0; max_count <= 40; ++max_count) {
            const int64_t calls = sq_transfer_calls(max_count, piece);
            int64_t need = 1;
            while (need * piece < max_count)
                ++need;
            bad += calls != need;
            for (int64_t count = 0; count <= max_count; ++count) {
                int64_t next = 0;
                for (int64_t p = 0; p < calls; ++p) {
                    const sq_range r = sq_transfer_piece(count, piece, p);
                    bad += r.begin != next || r.end < r.begin || r.end - r.begin > piece;
                    next = r.end;
                }
                bad += next != count;
            }
        }
    CU_ASSERT_EQUAL(bad, 0);
    /* The sizes this is for: a 3 GiB request of 8-byte elements in 1 GiB pieces is 3 calls. */
    const int64_t piece = (INT64_C(1) << 30) / 8, big = 3 * piece + 5;
    CU_ASSERT_EQUAL(sq_transfer_calls(big, piece), 4);
    const sq_range last = sq_transfer_piece(big, piece, 3);
    CU_ASSERT_EQUAL(last.begin, 3 * piece);
    CU_ASSERT_EQUAL(last.end, big);
    const sq_range after = sq_transfer_piece(piece, piece, 3);
    CU_ASSERT_EQUAL(after.end - after.begin, 0);
    CU_ASSERT_EQUAL(sq_transfer_calls(SQ_MAX_COUNT, 1), SQ_MAX_COUNT);
}

/* Storage chunks: within every extent, at most target elements, trailing dimensions whole first. */
static void test_storage_chunks(void) {
    int64_t d[SQ_MAX_RANK];
    sq_shape one = {1, {1000}};
    CU_ASSERT_EQUAL(sq_storage_chunk_dims(&one, 256, d), 256);
    CU_ASSERT_EQUAL(d[0], 256);
    CU_ASSERT_EQUAL(sq_storage_chunk_dims(&one, 4096, d), 1000);
    CU_ASSERT_EQUAL(d[0], 1000);
    sq_shape three = {3, {7, 10, 30}};
    CU_ASSERT_EQUAL(sq_storage_chunk_dims(&three, 100, d), 90); /* 1 x 3 x 30 */
    CU_ASSERT(d[0] == 1 && d[1] == 3 && d[2] == 30);
    CU_ASSERT_EQUAL(sq_storage_chunk_dims(&three, 20, d), 20); /* 1 x 1 x 20 */
    CU_ASSERT(d[0] == 1 && d[1] == 1 && d[2] == 20);
    CU_ASSERT_EQUAL(sq_storage_chunk_dims(&three, 1 << 20, d), 2100); /* the whole array */
    /* Exhaustive over small 3-D shapes and targets: the bounds hold. */
    int bad = 0;
    for (int64_t a = 1; a <= 5; ++a)
        for (int64_t b = 1; b <= 5; ++b)
            for (int64_t c = 1; c <= 5; ++c)
                for (int64_t t = 1; t <= 130; ++t) {
                    sq_shape s = {3, {a, b, c}};
                    const int64_t e = sq_storage_chunk_dims(&s, t, d);
                    bad += e != d[0] * d[1] * d[2] || e > t || d[0] < 1 || d[1] < 1 || d[2] < 1 ||
                           d[0] > a || d[1] > b || d[2] > c;
                    /* Whole trailing dimensions first: a partial dimension has 1s before it. */
                    bad += (d[2] < c && (d[1] != 1 || d[0] != 1)) || (d[1] < b && d[0] != 1);
                    /* And no room is wasted: one more of the slowest partial dimension would not
                     * fit. */
                    bad += d[2] < c && d[2] + 1 <= t;
                }
    CU_ASSERT_EQUAL(bad, 0);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"transfers split into pieces", test_transfer_split},
        {"storage chunk dimensions", test_storage_chunks},
        {"brute force grid of (n, chunk, nranks)", test_brute_force_grid},
        {"random triples", test_random_triples},
        {"edge cases: n=0, n<nranks, chunk>n, remainders", test_edges_small},
        {"n = 2^62 with huge rank counts", test_huge},
        {"invalid arguments", test_invalid},
        {"shapes: flat ranges as hyperslab blocks", test_shape_blocks},
    };
    return sq_unit_run("plan", tests, sizeof tests / sizeof tests[0]);
}
