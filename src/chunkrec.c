/*
 * chunkrec.c - encoding, decoding and taking over the per-chunk checkpoint records. See
 * chunkrec.h.
 */
#include "chunkrec.h"

#include <stddef.h>
#include <string.h>

#define MAGIC UINT32_C(0x52435153) /* "SQCR" read as little-endian bytes */
#define FORMAT 1
#define SUMS_AT 104
#define XACC_BYTES 308
#define CHECK_AT 1032

static void put_u64(unsigned char *p, uint64_t v) {
    for (size_t i = 0; i < 8; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t get_u32(const unsigned char *p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t f64_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_f64(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The exact accumulator with every digit but the top one in [0, 2^32): merging into an empty one
 * normalises (accumulate.c), and leaves the value unchanged. */
static void put_xacc(unsigned char *p, const sq_xacc *a) {
    sq_xacc t;
    sq_xacc_init(&t);
    sq_xacc_merge(&t, a);
    for (size_t i = 0; i < SQ_XACC_DIGITS - 1; ++i)
        put_u32(p + 4 * i, (uint32_t)t.digit[i]);
    p += (size_t)4 * (SQ_XACC_DIGITS - 1);
    put_u64(p, (uint64_t)t.digit[SQ_XACC_DIGITS - 1]);
    put_u64(p + 8, (uint64_t)a->nan);
    put_u64(p + 16, (uint64_t)a->pinf);
    put_u64(p + 24, (uint64_t)a->ninf);
}

static void get_xacc(const unsigned char *p, sq_xacc *a) {
    sq_xacc_init(a);
    for (size_t i = 0; i < SQ_XACC_DIGITS - 1; ++i)
        a->digit[i] = (int64_t)get_u32(p + 4 * i);
    p += (size_t)4 * (SQ_XACC_DIGITS - 1);
    a->digit[SQ_XACC_DIGITS - 1] = (int64_t)get_u64(p);
    a->nan = (int64_t)get_u64(p + 8);
    a->pinf = (int64_t)get_u64(p + 16);
    a->ninf = (int64_t)get_u64(p + 24);
}

void sq_chunkrec_encode(const sq_stats *s, int64_t chunk, int32_t session, unsigned char *buf) {
    memset(buf, 0, SQ_CHUNKREC_BYTES);
    put_u32(buf, MAGIC);
    put_u32(buf + 4, FORMAT);
    put_u64(buf + 8, (uint64_t)chunk);
    put_u32(buf + 16, (uint32_t)session);
    put_u32(buf + 20, (uint32_t)s->type);
    const int64_t ints[8] = {s->count,   s->nonfinite, s->nan,  s->has_minmax,
                             s->negzero, s->poszero,   s->imin, s->imax};
    for (size_t i = 0; i < 8; ++i)
        put_u64(buf + 24 + 8 * i, (uint64_t)ints[i]);
    put_u64(buf + 88, f64_bits(s->fmin));
    put_u64(buf + 96, f64_bits(s->fmax));
    for (size_t k = 0; k < SQ_NSUMS; ++k) {
        if (s->type == SQ_DTYPE_INT64) {
            for (size_t w = 0; w < 4; ++w)
                put_u64(buf + SUMS_AT + 32 * k + 8 * w, s->isum[k].w[w]);
        } else {
            put_xacc(buf + SUMS_AT + XACC_BYTES * k, &s->fsum[k]);
        }
    }
    put_u64(buf + CHECK_AT, fnv1a(buf, CHECK_AT));
}

int sq_chunkrec_decode(const unsigned char *buf, int64_t chunk, int32_t session, sq_dtype type,
                       int64_t count, sq_stats *s) {
    if (get_u32(buf) != MAGIC || get_u32(buf + 4) != FORMAT ||
        get_u64(buf + CHECK_AT) != fnv1a(buf, CHECK_AT) || (int64_t)get_u64(buf + 8) != chunk ||
        (int32_t)get_u32(buf + 16) != session || (int32_t)get_u32(buf + 20) != (int32_t)type ||
        (int64_t)get_u64(buf + 24) != count)
        return -1;
    sq_stats t;
    sq_stats_init(&t, type);
    int64_t *ints[8] = {&t.count,   &t.nonfinite, &t.nan,  &t.has_minmax,
                        &t.negzero, &t.poszero,   &t.imin, &t.imax};
    for (size_t i = 0; i < 8; ++i)
        *ints[i] = (int64_t)get_u64(buf + 24 + 8 * i);
    t.fmin = bits_f64(get_u64(buf + 88));
    t.fmax = bits_f64(get_u64(buf + 96));
    for (size_t k = 0; k < SQ_NSUMS; ++k) {
        if (type == SQ_DTYPE_INT64) {
            for (size_t w = 0; w < 4; ++w)
                t.isum[k].w[w] = get_u64(buf + SUMS_AT + 32 * k + 8 * w);
        } else {
            get_xacc(buf + SUMS_AT + XACC_BYTES * k, &t.fsum[k]);
        }
    }
    *s = t;
    return 0;
}

void sq_resume_take(sq_resume *r, int32_t session, const sq_stats *s) {
    sq_stats_merge(&r->prev, s);
    r->chunks_done += 1;
    r->elements_done += s->count;
    if (session > 0 && session < SQ_CKPT_MAX_SESSIONS) {
        if (r->taken[session] == 0)
            r->sessions_recorded += 1;
        r->taken[session] += 1;
        r->taken_elements[session] += s->count;
    }
}
