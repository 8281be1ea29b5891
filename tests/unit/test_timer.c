/*
 * test_timer.c - CUnit suite for src/timer.h: the monotonic clock, phase accumulation and names.
 *
 * The clock is compared with clock_gettime(CLOCK_MONOTONIC) read here; the accumulation with sleeps
 * of a known least length (nanosleep never returns early without a signal). Only lower bounds and
 * orderings are asserted, never how fast anything runs.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <time.h>

#include "timer.h"
#include "unit.h"

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void test_now_is_the_monotonic_clock(void) {
    for (int i = 0; i < 1000; ++i) {
        const double a = mono();
        const double t = sq_now();
        const double b = mono();
        CU_ASSERT(a - 1e-6 <= t && t <= b + 1e-6);
    }
}

static void test_now_never_goes_back(void) {
    double prev = sq_now();
    for (int i = 0; i < 100000; ++i) {
        const double t = sq_now();
        CU_ASSERT_FATAL(t >= prev);
        prev = t;
    }
}

static void test_init_zeroes(void) {
    sq_timers t;
    for (int p = 0; p < SQ_NPHASES; ++p)
        t.seconds[p] = t.started[p] = 42.0;
    sq_timers_init(&t);
    for (int p = 0; p < SQ_NPHASES; ++p) {
        CU_ASSERT_EQUAL(t.seconds[p], 0.0);
        CU_ASSERT_EQUAL(t.started[p], 0.0);
    }
}

static void test_phases_accumulate_separately(void) {
    sq_timers t;
    sq_timers_init(&t);
    sq_timer_start(&t, SQ_PHASE_TOTAL);
    sq_timer_start(&t, SQ_PHASE_WRITE);
    sleep_ms(20);
    sq_timer_stop(&t, SQ_PHASE_WRITE);
    const double first = t.seconds[SQ_PHASE_WRITE];
    CU_ASSERT(first >= 0.020);
    sq_timer_start(&t, SQ_PHASE_WRITE);
    sleep_ms(10);
    sq_timer_stop(&t, SQ_PHASE_WRITE);
    /* A second interval adds to the first. */
    CU_ASSERT(t.seconds[SQ_PHASE_WRITE] >= first + 0.010);
    sq_timer_stop(&t, SQ_PHASE_TOTAL);
    /* The enclosing phase covers both intervals; the others never ran. */
    CU_ASSERT(t.seconds[SQ_PHASE_TOTAL] >= t.seconds[SQ_PHASE_WRITE]);
    CU_ASSERT_EQUAL(t.seconds[SQ_PHASE_READ], 0.0);
    CU_ASSERT_EQUAL(t.seconds[SQ_PHASE_COMPUTE], 0.0);
    CU_ASSERT_EQUAL(t.seconds[SQ_PHASE_REDUCE], 0.0);
}

static void test_names(void) {
    /* The names docs/output-format.md gives the columns of /timing. */
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_PHASE_READ), "read");
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_PHASE_COMPUTE), "compute");
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_PHASE_REDUCE), "reduce");
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_PHASE_WRITE), "write");
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_PHASE_TOTAL), "total");
    CU_ASSERT_EQUAL(SQ_NPHASES, 5);
    CU_ASSERT_STRING_EQUAL(sq_phase_name(SQ_NPHASES), "?");
    CU_ASSERT_STRING_EQUAL(sq_phase_name((enum sq_phase) - 1), "?");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"now is the monotonic clock", test_now_is_the_monotonic_clock},
        {"now never goes back", test_now_never_goes_back},
        {"init zeroes every phase", test_init_zeroes},
        {"phases accumulate separately", test_phases_accumulate_separately},
        {"phase names", test_names},
    };
    return sq_unit_run("timer", tests, sizeof tests / sizeof tests[0]);
}
