/*
 * test_report.c - CUnit suite for src/report.h: the settings echo, the reductions and the run
 * summary as rank 0 prints them.
 *
 * The values are handed in; the expected text is written out here in full (the chunk arithmetic and
 * the bandwidth worked out by hand in the comments), so a change in what users read fails here.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "unit.h"

/* The text a report function writes, through an in-memory stream. */
typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static FILE *capture_open(capture *c) {
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->f);
    return c->f;
}

static const char *capture_text(capture *c) {
    fclose(c->f);
    c->f = NULL;
    return c->buf;
}

static void provenance(sq_provenance *p, const char *schedule) {
    memset(p, 0, sizeof *p);
    snprintf(p->sqcube_version, sizeof p->sqcube_version, "9.8.7");
    snprintf(p->git_commit, sizeof p->git_commit, "abc123");
    snprintf(p->hosts, sizeof p->hosts, "node1,node2");
    snprintf(p->mpi_thread_level, sizeof p->mpi_thread_level, "MPI_THREAD_FUNNELED");
    snprintf(p->schedule, sizeof p->schedule, "%s", schedule);
    p->ranks = 2;
    p->threads_per_rank = 3;
}

static void test_settings_static(void) {
    sq_provenance prov;
    provenance(&prov, "static");
    /* n = 10, chunk 4: chunks of 4, 4, 2 (last 2); 3 chunks over 2 ranks: at most 2 per rank. */
    const sq_plan plan = {.n = 10, .chunk = 4, .nchunks = 3, .nranks = 2, .max_rounds = 2};
    capture c;
    sq_report_settings(capture_open(&c), &prov, &plan, "in.h5:/x", SQ_DTYPE_INT64, SQ_DTYPE_FLOAT64,
                       "out.h5");
    CU_ASSERT_STRING_EQUAL(capture_text(&c),
                           "sqcube 9.8.7 (abc123): 2 ranks x 3 threads on node1,node2, "
                           "MPI_THREAD_FUNNELED\n"
                           "  input     in.h5:/x (int64, 10 elements)\n"
                           "  output    out.h5 (float64 /square and /cube)\n"
                           "  chunks    3 of 4 elements (last 2), static schedule, at most 2 per "
                           "rank\n");
    free(c.buf);
}

static void test_settings_dynamic_and_empty(void) {
    sq_provenance prov;
    provenance(&prov, "dynamic");
    /* n = 12, chunk 4: three full chunks, the last one 4 long too. */
    sq_plan plan = {.n = 12, .chunk = 4, .nchunks = 3, .nranks = 2, .max_rounds = 2};
    capture c;
    sq_report_settings(capture_open(&c), &prov, &plan, "generate range:12", SQ_DTYPE_INT64,
                       SQ_DTYPE_INT64, "o.h5");
    const char *t = capture_text(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  chunks    3 of 4 elements (last 4), dynamic schedule: "
                                     "taken from a shared counter\n"));
    free(c.buf);
    /* No elements, no chunks: the last chunk is 0 long. */
    provenance(&prov, "static");
    plan = (sq_plan){.n = 0, .chunk = 4, .nchunks = 0, .nranks = 2, .max_rounds = 0};
    sq_report_settings(capture_open(&c), &prov, &plan, "e.h5:/x", SQ_DTYPE_FLOAT64,
                       SQ_DTYPE_FLOAT64, "o.h5");
    t = capture_text(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  input     e.h5:/x (float64, 0 elements)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  chunks    0 of 4 elements (last 0), static schedule, at "
                                     "most 0 per rank\n"));
    free(c.buf);
}

static void test_reductions_integer(void) {
    /* x = 1..4: sums 10, 30, 100; exact sums printed next to the float64 ones. */
    sq_summary s;
    memset(&s, 0, sizeof s);
    s.count = 4;
    s.input_type = SQ_DTYPE_INT64;
    s.sum[0] = 10;
    s.sum[1] = 30;
    s.sum[2] = 100;
    s.has_exact = 1;
    snprintf(s.exact[0], sizeof s.exact[0], "10");
    snprintf(s.exact[1], sizeof s.exact[1], "30");
    snprintf(s.exact[2], sizeof s.exact[2], "100");
    s.has_minmax = 1;
    s.imin = 1;
    s.imax = 4;
    capture c;
    sq_report_reductions(capture_open(&c), &s);
    CU_ASSERT_STRING_EQUAL(capture_text(&c), "  count            4\n"
                                             "  sum              10 (exact 10)\n"
                                             "  sum_sq           30 (exact 30)\n"
                                             "  sum_cube         100 (exact 100)\n"
                                             "  min, max         1, 4\n"
                                             "  nonfinite_count  0\n");
    free(c.buf);
}

static void test_reductions_float(void) {
    /* 17 significant digits: 0.1 prints as 0.10000000000000001, so the text round-trips. */
    sq_summary s;
    memset(&s, 0, sizeof s);
    s.count = 3;
    s.nonfinite = 1;
    s.input_type = SQ_DTYPE_FLOAT64;
    s.sum[0] = 0.1;
    s.sum[1] = 0.5;
    s.sum[2] = -2.0;
    s.has_minmax = 1;
    s.fmin = -0.25;
    s.fmax = 0.1;
    capture c;
    sq_report_reductions(capture_open(&c), &s);
    CU_ASSERT_STRING_EQUAL(capture_text(&c), "  count            3\n"
                                             "  sum              0.10000000000000001\n"
                                             "  sum_sq           0.5\n"
                                             "  sum_cube         -2\n"
                                             "  min, max         -0.25, 0.10000000000000001\n"
                                             "  nonfinite_count  1\n");
    free(c.buf);
    /* Every element NaN: no min or max, and the line says why. */
    s.has_minmax = 0;
    s.nonfinite = 3;
    s.sum[0] = s.sum[1] = s.sum[2] = NAN;
    sq_report_reductions(capture_open(&c), &s);
    const char *t = capture_text(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  min, max         nan, nan (no element is a number)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "  sum              nan\n"));
    free(c.buf);
}

static void test_summary(void) {
    sq_summary s;
    memset(&s, 0, sizeof s);
    s.count = 1;
    s.input_type = SQ_DTYPE_INT64;
    s.has_minmax = 1;
    s.sum[0] = s.sum[1] = s.sum[2] = 1;
    const double mn[SQ_NPHASES] = {0.5, 0.25, 0, 0.125, 1.5};
    const double av[SQ_NPHASES] = {0.75, 0.25, 0, 0.25, 1.75};
    const double mx[SQ_NPHASES] = {1, 0.25, 0.0001, 0.5, 2};
    capture c;
    /* 3e9 bytes in the slowest rank's 2 s: 1.5 GB/s. */
    sq_report_summary(capture_open(&c), &s, mn, av, mx, 3e9, "/abs/out.h5");
    const char *t = capture_text(&c);
    CU_ASSERT_EQUAL(strncmp(t, "results\n  count            1\n", 27), 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(t, "time per phase over ranks (s)      min        avg        max\n"
                  "  read                               0.5000     0.7500     1.0000\n"
                  "  compute                            0.2500     0.2500     0.2500\n"
                  "  reduce                             0.0000     0.0000     0.0001\n"
                  "  write                              0.1250     0.2500     0.5000\n"
                  "  total                              1.5000     1.7500     2.0000\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "bandwidth  1.500 GB/s effective (3.000 GB read + written in "
                                     "2.0000 s, slowest rank)\n"
                                     "output     /abs/out.h5\n"));
    free(c.buf);
    /* A run too short to time: no division by zero, 0 GB/s. */
    const double zero[SQ_NPHASES] = {0, 0, 0, 0, 0};
    sq_report_summary(capture_open(&c), &s, zero, zero, zero, 48, "/o.h5");
    t = capture_text(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "bandwidth  0.000 GB/s effective (0.000 GB read + written in "
                                     "0.0000 s, slowest rank)\n"));
    free(c.buf);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"settings: static schedule, last chunk", test_settings_static},
        {"settings: dynamic schedule, no elements", test_settings_dynamic_and_empty},
        {"reductions: integer input with exact sums", test_reductions_integer},
        {"reductions: float input, all NaN", test_reductions_float},
        {"summary: phases and bandwidth", test_summary},
    };
    return sq_unit_run("report", tests, sizeof tests / sizeof tests[0]);
}
