/*
 * test_stop.c - CUnit suite for src/stop.h: stop requests from SIGTERM, SIGINT, SIGUSR1 and the
 * SQCUBE_STOP_AFTER test hook.
 *
 * The module keeps process-wide state (the first signal seen), so each case runs in a child
 * process of its own and reports through its exit status: 0 as expected, else the number of the
 * first check that failed.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stop.h"
#include "unit.h"

/* Runs scenario in a child; returns its exit status (-1 when it died of a signal). */
static int in_child(int (*scenario)(void)) {
    fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0)
        _exit(scenario());
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -2;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int no_request_without_signal(void) {
    unsetenv("SQCUBE_STOP_AFTER");
    if (sq_stop_install() != 0)
        return 1;
    for (int i = 0; i < 1000; ++i)
        if (sq_stop_requested() != 0)
            return 2;
    return 0;
}

/* sig is caught (the process lives on) and is the request; a later signal does not replace it. */
static int first_signal_wins(int sig, int later) {
    unsetenv("SQCUBE_STOP_AFTER");
    if (sq_stop_install() != 0 || sq_stop_install() != 0) /* idempotent */
        return 1;
    if (raise(sig) != 0)
        return 2;
    if (sq_stop_requested() != sig)
        return 3;
    if (sq_stop_requested() != sig) /* polling does not consume the request */
        return 4;
    raise(later);
    if (sq_stop_requested() != sig)
        return 5;
    return 0;
}
static int term_then_int(void) {
    return first_signal_wins(SIGTERM, SIGINT);
}
static int int_then_usr1(void) {
    return first_signal_wins(SIGINT, SIGUSR1);
}
static int usr1_then_term(void) {
    return first_signal_wins(SIGUSR1, SIGTERM);
}

/* SQCUBE_STOP_AFTER=3: three polls say nothing, the fourth reports SIGUSR1, and it stays. */
static int stop_after_three(void) {
    setenv("SQCUBE_STOP_AFTER", "3", 1);
    if (sq_stop_install() != 0)
        return 1;
    for (int i = 0; i < 3; ++i)
        if (sq_stop_requested() != 0)
            return 2;
    if (sq_stop_requested() != SIGUSR1)
        return 3;
    if (sq_stop_requested() != SIGUSR1)
        return 4;
    return 0;
}

/* SQCUBE_STOP_AFTER=0: the very first poll stops. */
static int stop_after_zero(void) {
    setenv("SQCUBE_STOP_AFTER", "0", 1);
    if (sq_stop_install() != 0)
        return 1;
    return sq_stop_requested() == SIGUSR1 ? 0 : 2;
}

/* Values that are not a count of 0 or more are ignored: no stop ever. */
static int stop_after_ignores_bad_values(void) {
    static const char *const bad[] = {"-1", "abc", "3x", ""};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        const pid_t pid = fork();
        if (pid == 0) {
            setenv("SQCUBE_STOP_AFTER", bad[k], 1);
            if (sq_stop_install() != 0)
                _exit(1);
            for (int i = 0; i < 100; ++i)
                if (sq_stop_requested() != 0)
                    _exit(2);
            _exit(0);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 10 + (int)k;
    }
    return 0;
}

static void test_no_request_without_signal(void) {
    CU_ASSERT_EQUAL(in_child(no_request_without_signal), 0);
}

static void test_signals_are_caught_and_the_first_wins(void) {
    CU_ASSERT_EQUAL(in_child(term_then_int), 0);
    CU_ASSERT_EQUAL(in_child(int_then_usr1), 0);
    CU_ASSERT_EQUAL(in_child(usr1_then_term), 0);
}

static void test_stop_after(void) {
    CU_ASSERT_EQUAL(in_child(stop_after_three), 0);
    CU_ASSERT_EQUAL(in_child(stop_after_zero), 0);
    CU_ASSERT_EQUAL(in_child(stop_after_ignores_bad_values), 0);
}

static void test_names(void) {
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGTERM), "SIGTERM");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGINT), "SIGINT");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGUSR1), "SIGUSR1");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGHUP), "a signal");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(0), "a signal");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"no request without a signal", test_no_request_without_signal},
        {"TERM, INT, USR1 are caught; the first wins", test_signals_are_caught_and_the_first_wins},
        {"SQCUBE_STOP_AFTER: K polls, 0, bad values", test_stop_after},
        {"signal names", test_names},
    };
    return sq_unit_run("stop", tests, sizeof tests / sizeof tests[0]);
}
