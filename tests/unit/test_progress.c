/*
 * test_progress.c - CUnit suite for src/progress.h: which display a run gets, when it is due, and
 * what the bar and the plain line read.
 *
 * Times are handed in (no clock); expected rates, ETAs and percentages are worked out by hand in
 * the comments, never with progress.c's formulas.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "progress.h"
#include "unit.h"

/* s starts with the literal prefix. */
#define STARTS_WITH(s, prefix) (strncmp((s), (prefix), strlen(prefix)) == 0)

static void test_choose(void) {
    /* --quiet and --progress off silence everything. */
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_AUTO, true, true, 10), SQ_PROGRESS_OFF);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_BAR, true, true, 10), SQ_PROGRESS_OFF);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_OFF, false, true, 10), SQ_PROGRESS_OFF);
    /* auto: the bar on a terminal, plain lines elsewhere, none with interval 0. */
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_AUTO, false, true, 10), SQ_PROGRESS_BAR);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_AUTO, false, true, 0), SQ_PROGRESS_BAR);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_AUTO, false, false, 10), SQ_PROGRESS_LINES);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_AUTO, false, false, 0), SQ_PROGRESS_OFF);
    /* Explicit requests ignore the terminal. */
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_BAR, false, false, 0), SQ_PROGRESS_BAR);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_LINES, false, true, 2.5), SQ_PROGRESS_LINES);
    CU_ASSERT_EQUAL(sq_progress_choose(SQ_PROGRESS_LINES, false, true, 0), SQ_PROGRESS_OFF);
}

static void test_due(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    sq_progress_init(&p, SQ_PROGRESS_LINES, 1000, 24, 10, 100.0);
    CU_ASSERT_FALSE(sq_progress_due(&p, 100.0));
    CU_ASSERT_FALSE(sq_progress_due(&p, 109.9));
    CU_ASSERT_TRUE(sq_progress_due(&p, 110.0));
    /* A display restarts the interval. */
    CU_ASSERT_TRUE(sq_progress_show(&p, 10, 110.0, false, buf, sizeof buf) > 0);
    CU_ASSERT_FALSE(sq_progress_due(&p, 119.0));
    CU_ASSERT_TRUE(sq_progress_due(&p, 120.5));
    /* The bar: a few times a second, whatever the interval. */
    sq_progress_init(&p, SQ_PROGRESS_BAR, 1000, 24, 10, 0.0);
    CU_ASSERT_FALSE(sq_progress_due(&p, 0.1));
    CU_ASSERT_TRUE(sq_progress_due(&p, SQ_PROGRESS_BAR_SECONDS));
    /* Off: never, and nothing to show. */
    sq_progress_init(&p, SQ_PROGRESS_OFF, 1000, 24, 10, 0.0);
    CU_ASSERT_FALSE(sq_progress_due(&p, 1e9));
    CU_ASSERT_EQUAL(sq_progress_show(&p, 10, 5.0, true, buf, sizeof buf), 0);
}

static void test_line_text(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    /* 1e9 elements from t = 0. At t = 10, 2.5e8 done: 2.5e7 elements/s x 24 bytes = 0.60 GB/s;
     * the rest, 7.5e8, at the average 2.5e7/s takes 30 s. */
    sq_progress_init(&p, SQ_PROGRESS_LINES, 1000000000, 24, 10, 0.0);
    size_t n = sq_progress_show(&p, 250000000, 10.0, false, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sqcube: progress  25.0% (250000000 of 1000000000 elements), "
                                "0.60 GB/s, elapsed 10s, ETA 30s\n");
    CU_ASSERT_EQUAL(n, strlen(buf));
    /* At t = 20, 7e8 done: since the last display 4.5e8 in 10 s = 4.5e7/s x 24 = 1.08 GB/s; the
     * rest, 3e8, at the average 7e8 / 20 s = 3.5e7/s takes 8.57 s, shown as 9s. */
    sq_progress_show(&p, 700000000, 20.0, false, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sqcube: progress  70.0% (700000000 of 1000000000 elements), "
                                "1.08 GB/s, elapsed 20s, ETA 9s\n");
    /* Done at t = 200: 3e8 in 180 s = 1.667e6/s x 24 = 0.04 GB/s; elapsed 3m20s, ETA 0s. */
    sq_progress_show(&p, 1000000000, 200.0, true, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sqcube: progress 100.0% (1000000000 of 1000000000 elements), "
                                "0.04 GB/s, elapsed 3m20s, ETA 0s\n");
    /* A plain line holds no control character but its final newline. */
    for (size_t i = 0; i + 1 < strlen(buf); ++i)
        CU_ASSERT_TRUE((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
    CU_ASSERT_EQUAL(p.shown, 3);
}

static void test_line_no_work_yet(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    /* Nothing done yet: no ETA can be given. */
    sq_progress_init(&p, SQ_PROGRESS_LINES, 1000, 24, 1, 0.0);
    sq_progress_show(&p, 0, 1.0, false, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(
        buf, "sqcube: progress   0.0% (0 of 1000 elements), 0.00 GB/s, elapsed 1s, ETA --\n");
}

static void test_percent_rounds_down_and_clamps(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    sq_progress_init(&p, SQ_PROGRESS_LINES, 10000, 24, 1, 0.0);
    sq_progress_show(&p, 9999, 1.0, false, buf, sizeof buf); /* 99.99%: not yet 100.0 */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 99.9% (9999 of 10000"));
    sq_progress_show(&p, 20000, 2.0, false, buf, sizeof buf); /* more than total: total */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100.0% (10000 of 10000"));
    sq_progress_show(&p, -5, 3.0, false, buf, sizeof buf); /* negative: 0 */
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  0.0% (0 of 10000"));
    /* An empty run is complete. */
    sq_progress_init(&p, SQ_PROGRESS_LINES, 0, 24, 1, 0.0);
    sq_progress_show(&p, 0, 0.5, true, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100.0% (0 of 0 elements)"));
    /* 2^61 of 2^62: 50%, without overflowing done x 1000. */
    sq_progress_init(&p, SQ_PROGRESS_LINES, INT64_C(1) << 62, 24, 1, 0.0);
    sq_progress_show(&p, INT64_C(1) << 61, 1.0, false, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, " 50.0% (2305843009213693952 of 4611686018427387904"));
}

static void test_bar_text(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    sq_progress_init(&p, SQ_PROGRESS_BAR, 1000, 24, 10, 0.0);
    /* 250 of 1000 at t = 1: a quarter of the 20-character bar, 5 '#'. */
    const size_t n = sq_progress_show(&p, 250, 1.0, false, buf, sizeof buf);
    CU_ASSERT_EQUAL(buf[0], '\r');
    CU_ASSERT_TRUE(STARTS_WITH(buf, "\r[#####---------------]  25.0% 250/1000 [1s<3s, "));
    CU_ASSERT_PTR_NULL(strchr(buf, '\n'));
    /* Padded with spaces so that a shorter redraw erases a longer one. */
    CU_ASSERT_TRUE(n >= 80);
    CU_ASSERT_EQUAL(buf[n - 1], ' ');
    /* The final bar is full and ends the line. */
    const size_t m = sq_progress_show(&p, 1000, 2.0, true, buf, sizeof buf);
    CU_ASSERT_TRUE(STARTS_WITH(buf, "\r[####################] 100.0% 1000/1000 [2s<0s, "));
    CU_ASSERT_EQUAL(buf[m - 1], '\n');
    CU_ASSERT_EQUAL(strchr(buf, '\n'), buf + m - 1);
}

static void test_resumed(void) {
    sq_progress p;
    char buf[SQ_PROGRESS_TEXT_MAX];
    /* A resumed run of 1e6 elements, 4e5 done by earlier sessions: the display counts them in and
     * says so. At t = 10 this session has done 1e5: 5e5 of 1e6 (50.0%); rate 1e4/s x 24 = 0.00024
     * GB/s -> 0.00; the rest, 5e5, at this session's average 1e4/s takes 50 s. */
    sq_progress_init(&p, SQ_PROGRESS_LINES, 1000000, 24, 10, 0.0);
    sq_progress_resumed(&p, 400000);
    sq_progress_show(&p, 100000, 10.0, false, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "sqcube: progress  50.0% (500000 of 1000000 elements, resumed at "
                                "400000), 0.00 GB/s, elapsed 10s, ETA 50s\n");
    /* This session's 6e5 complete the file; more is clamped to what was left. */
    sq_progress_show(&p, 700000, 20.0, true, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100.0% (1000000 of 1000000 elements, resumed at 400000)"));
    /* The bar shows the whole file too, marked resumed. */
    sq_progress_init(&p, SQ_PROGRESS_BAR, 1000, 24, 10, 0.0);
    sq_progress_resumed(&p, 500);
    sq_progress_show(&p, 250, 1.0, false, buf, sizeof buf);
    CU_ASSERT_TRUE(STARTS_WITH(buf, "\r[###############-----]  75.0% 750/1000 [1s<1s, "));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "GB/s] resumed"));
}

static void test_small_buffer(void) {
    sq_progress p;
    char buf[16];
    sq_progress_init(&p, SQ_PROGRESS_BAR, 1000, 24, 10, 0.0);
    const size_t n = sq_progress_show(&p, 500, 1.0, true, buf, sizeof buf);
    CU_ASSERT_EQUAL(n, sizeof buf - 1); /* cut, terminated */
    CU_ASSERT_EQUAL(strlen(buf), sizeof buf - 1);
}

static void test_duration(void) {
    char b[16];
    sq_progress_duration(0.0, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "0s");
    sq_progress_duration(59.4, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "59s");
    sq_progress_duration(59.6, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "1m00s");
    sq_progress_duration(187.0, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "3m07s");
    sq_progress_duration(7500.0, b, sizeof b); /* 2 h 5 min */
    CU_ASSERT_STRING_EQUAL(b, "2h05m");
    sq_progress_duration(-1.0, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "--");
    sq_progress_duration(NAN, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "--");
    sq_progress_duration(INFINITY, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "--");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"choose: quiet, off, auto by terminal, interval 0", test_choose},
        {"due: interval, bar rate, off", test_due},
        {"plain line: rate, elapsed, ETA", test_line_text},
        {"plain line before any work", test_line_no_work_yet},
        {"percent rounds down, done clamped, n = 0, n = 2^62", test_percent_rounds_down_and_clamps},
        {"bar: carriage return, fill, padding, final newline", test_bar_text},
        {"a resumed run: the whole file, marked resumed", test_resumed},
        {"bar cut to a small buffer", test_small_buffer},
        {"durations", test_duration},
    };
    return sq_unit_run("progress", tests, sizeof tests / sizeof tests[0]);
}
