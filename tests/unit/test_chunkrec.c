/*
 * test_chunkrec.c - CUnit suite for src/chunkrec.h: the per-chunk checkpoint record's byte layout,
 * its exact round trip, its refusal of damaged or foreign records, and the take-over of records
 * into a resume record.
 *
 * Expected sums are computed here with __int128 arithmetic (integer data, and float data made of
 * multiples of 2^-10, whose sums are exact integers in that unit); the layout is checked against
 * the byte offsets the header documents.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunkrec.h"
#include "kernel.h"
#include "unit.h"

#define N 1000

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

static __int128 i256_low128(const sq_i256 *a) {
    return (__int128)(((unsigned __int128)a->w[1] << 64) | a->w[0]);
}

/* Integer data split into 4 chunks: each chunk's record round-trips, and the records merged in
 * reverse order give the exact sums of the whole. */
static void test_int_roundtrip(void) {
    static int64_t x[N], sq[N], cu[N];
    __int128 s1 = 0, s2 = 0, s3 = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < N; ++i) {
        x[i] = (int64_t)((i * 7919) % 4001) - 2000; /* -2000 .. 2000 */
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
        s1 += x[i];
        s2 += (__int128)x[i] * x[i];
        s3 += (__int128)x[i] * x[i] * x[i];
    }
    unsigned char rec[4][SQ_CHUNKREC_BYTES];
    for (int c = 0; c < 4; ++c) {
        sq_stats s;
        sq_stats_init(&s, SQ_DTYPE_INT64);
        CU_ASSERT_EQUAL(sq_kernel_int64(x + 250 * c, 250, sq, cu, &s), -1);
        sq_chunkrec_encode(&s, 40 + c, 3, rec[c]);
    }
    sq_stats all;
    sq_stats_init(&all, SQ_DTYPE_INT64);
    for (int c = 3; c >= 0; --c) {
        sq_stats s;
        CU_ASSERT_EQUAL_FATAL(sq_chunkrec_decode(rec[c], 40 + c, 3, SQ_DTYPE_INT64, 250, &s), 0);
        CU_ASSERT_EQUAL(s.count, 250);
        sq_stats_merge(&all, &s);
    }
    CU_ASSERT_EQUAL(all.count, N);
    CU_ASSERT(i256_low128(&all.isum[SQ_SUM_X]) == s1);
    CU_ASSERT(i256_low128(&all.isum[SQ_SUM_SQ]) == s2);
    CU_ASSERT(i256_low128(&all.isum[SQ_SUM_CUBE]) == s3);
    CU_ASSERT_EQUAL(all.imin, lo);
    CU_ASSERT_EQUAL(all.imax, hi);
}

/* Float data of multiples of 2^-10 (exact sums in that unit), with a NaN, an infinity, -0.0 and
 * tiny and huge magnitudes in other chunks: merged records give the one-pass result bit for bit. */
static void test_float_roundtrip(void) {
    static double x[N], sq[N], cu[N];
    __int128 units = 0; /* the exact sum of chunk 0's x, in units of 2^-10 */
    for (int i = 0; i < N; ++i) {
        const int64_t k = (int64_t)((i * 104729) % 20001) - 10000;
        x[i] = ldexp((double)k, -10);
        if (i < 250)
            units += k;
    }
    x[300] = NAN;
    x[301] = INFINITY;
    x[302] = -0.0;
    x[600] = 1e300;
    x[601] = -1e-300;
    x[602] = 4.9e-324;
    x[900] = -1e300;
    sq_stats one;
    sq_stats_init(&one, SQ_DTYPE_FLOAT64);
    sq_kernel_float64(x, N, sq, cu, &one);

    unsigned char rec[4][SQ_CHUNKREC_BYTES];
    for (int c = 0; c < 4; ++c) {
        sq_stats s;
        sq_stats_init(&s, SQ_DTYPE_FLOAT64);
        sq_kernel_float64(x + 250 * c, 250, sq, cu, &s);
        sq_chunkrec_encode(&s, c, 1, rec[c]);
    }
    sq_stats all, first;
    sq_stats_init(&all, SQ_DTYPE_FLOAT64);
    CU_ASSERT_EQUAL_FATAL(sq_chunkrec_decode(rec[0], 0, 1, SQ_DTYPE_FLOAT64, 250, &first), 0);
    CU_ASSERT_EQUAL(sq_stats_sum(&first, SQ_SUM_X), ldexp((double)units, -10));
    const int order[4] = {2, 0, 3, 1};
    for (int i = 0; i < 4; ++i) {
        sq_stats s;
        CU_ASSERT_EQUAL_FATAL(
            sq_chunkrec_decode(rec[order[i]], order[i], 1, SQ_DTYPE_FLOAT64, 250, &s), 0);
        sq_stats_merge(&all, &s);
    }
    CU_ASSERT_EQUAL(all.count, one.count);
    CU_ASSERT_EQUAL(all.nonfinite, 2);
    CU_ASSERT_EQUAL(all.nan, 1);
    CU_ASSERT_EQUAL(all.negzero, one.negzero);
    for (int k = 0; k < SQ_NSUMS; ++k) {
        const double a = sq_stats_sum(&all, (enum sq_sum)k), b = sq_stats_sum(&one, (enum sq_sum)k);
        CU_ASSERT(memcmp(&a, &b, sizeof a) == 0);
    }
    /* The finite sums alone (the non-finite counts cleared) also agree bit for bit. */
    for (int k = 0; k < SQ_NSUMS; ++k) {
        all.fsum[k].nan = all.fsum[k].pinf = all.fsum[k].ninf = 0;
        one.fsum[k].nan = one.fsum[k].pinf = one.fsum[k].ninf = 0;
        const double a = sq_xacc_value(&all.fsum[k]), b = sq_xacc_value(&one.fsum[k]);
        CU_ASSERT(memcmp(&a, &b, sizeof a) == 0);
    }
    const double mn = sq_stats_min(&all), mx = sq_stats_max(&all);
    CU_ASSERT_EQUAL(mn, -1e300);
    CU_ASSERT_EQUAL(mx, INFINITY);
}

/* The documented layout: magic, format, chunk, session, count at their offsets, little-endian. */
static void test_layout(void) {
    sq_stats s;
    sq_stats_init(&s, SQ_DTYPE_INT64);
    s.count = 0x0102030405060708LL;
    unsigned char rec[SQ_CHUNKREC_BYTES];
    sq_chunkrec_encode(&s, 0x1122334455LL, 7, rec);
    CU_ASSERT(memcmp(rec, "SQCR", 4) == 0);
    CU_ASSERT_EQUAL(rec[4], 1);
    CU_ASSERT_EQUAL(le64(rec + 8), 0x1122334455ULL);
    CU_ASSERT_EQUAL(rec[16], 7);
    CU_ASSERT_EQUAL(rec[20], SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(le64(rec + 24), 0x0102030405060708ULL);
    /* FNV-1a 64 of the first 1032 bytes, computed here. */
    uint64_t h = UINT64_C(14695981039346656037);
    for (int i = 0; i < 1032; ++i) {
        h ^= rec[i];
        h *= UINT64_C(1099511628211);
    }
    CU_ASSERT_EQUAL(le64(rec + 1032), h);
}

/* A record of another chunk, session, type or count, a torn one (any byte changed, or half of it
 * never written) and an all-zero row are refused. */
static void test_refusals(void) {
    sq_stats s, out;
    sq_stats_init(&s, SQ_DTYPE_FLOAT64);
    double v[3] = {1.5, -2.25, 3.0}, sq[3], cu[3];
    sq_kernel_float64(v, 3, sq, cu, &s);
    unsigned char rec[SQ_CHUNKREC_BYTES], bad[SQ_CHUNKREC_BYTES];
    sq_chunkrec_encode(&s, 5, 2, rec);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(rec, 5, 2, SQ_DTYPE_FLOAT64, 3, &out), 0);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(rec, 6, 2, SQ_DTYPE_FLOAT64, 3, &out), -1);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(rec, 5, 3, SQ_DTYPE_FLOAT64, 3, &out), -1);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(rec, 5, 2, SQ_DTYPE_INT64, 3, &out), -1);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(rec, 5, 2, SQ_DTYPE_FLOAT64, 4, &out), -1);
    int refused = 0;
    for (int i = 0; i < SQ_CHUNKREC_BYTES; i += 7) {
        memcpy(bad, rec, sizeof bad);
        bad[i] ^= 0x10;
        refused += sq_chunkrec_decode(bad, 5, 2, SQ_DTYPE_FLOAT64, 3, &out) == -1;
    }
    CU_ASSERT_EQUAL(refused, (SQ_CHUNKREC_BYTES + 6) / 7);
    memcpy(bad, rec, sizeof bad);
    memset(bad + SQ_CHUNKREC_BYTES / 2, 0, SQ_CHUNKREC_BYTES / 2);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(bad, 5, 2, SQ_DTYPE_FLOAT64, 3, &out), -1);
    memset(bad, 0, sizeof bad);
    CU_ASSERT_EQUAL(sq_chunkrec_decode(bad, 0, 0, SQ_DTYPE_INT64, 0, &out), -1);
}

/* Taking over counts chunks and elements per session and merges the reductions. */
static void test_take(void) {
    sq_resume r;
    sq_resume_fresh(&r, SQ_DTYPE_INT64);
    r.session = 4;
    const int64_t xs[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    const int32_t by[3] = {1, 3, 1};
    int64_t sq[2], cu[2];
    for (int c = 0; c < 3; ++c) {
        sq_stats s;
        sq_stats_init(&s, SQ_DTYPE_INT64);
        sq_kernel_int64(xs[c], 2, sq, cu, &s);
        sq_resume_take(&r, by[c], &s);
    }
    CU_ASSERT_EQUAL(r.chunks_done, 3);
    CU_ASSERT_EQUAL(r.elements_done, 6);
    CU_ASSERT_EQUAL(r.taken[1], 2);
    CU_ASSERT_EQUAL(r.taken[2], 0);
    CU_ASSERT_EQUAL(r.taken[3], 1);
    CU_ASSERT_EQUAL(r.taken_elements[1], 4);
    CU_ASSERT_EQUAL(r.sessions_recorded, 2);
    CU_ASSERT(i256_low128(&r.prev.isum[SQ_SUM_X]) == 21);
    CU_ASSERT(i256_low128(&r.prev.isum[SQ_SUM_CUBE]) == 441); /* 1^3 + ... + 6^3 = 21^2 */
    CU_ASSERT_EQUAL(r.prev.imin, 1);
    CU_ASSERT_EQUAL(r.prev.imax, 6);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"int64 records: round trip, merged in any order", test_int_roundtrip},
        {"float64 records: round trip, bit-identical sums", test_float_roundtrip},
        {"layout: documented offsets, little-endian, checksum", test_layout},
        {"damaged or foreign records are refused", test_refusals},
        {"take-over: per-session counts and merged reductions", test_take},
    };
    return sq_unit_run("chunkrec", tests, sizeof tests / sizeof tests[0]);
}
