/*
 * test_checkpoint.c - CUnit suite for src/checkpoint.h and src/stop.h: the settings text a resumed
 * run must share with its checkpoint, the first difference between two of them, the settings hash,
 * the resume record of a fresh output, and the stop requests.
 *
 * Expected hashes are the published FNV-1a 64 test vectors; expected texts are written out by hand.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "stop.h"
#include "unit.h"

static void test_settings_add(void) {
    char buf[64] = "";
    CU_ASSERT_EQUAL(sq_ckpt_settings_add(buf, sizeof buf, "chunk", "%d", 512), 0);
    CU_ASSERT_EQUAL(sq_ckpt_settings_add(buf, sizeof buf, "shape", "%s", "7 x 13"), 0);
    CU_ASSERT_STRING_EQUAL(buf, "chunk=512;shape=7 x 13");
    /* Full: refused whole, the text as it was. */
    char small[16] = "";
    CU_ASSERT_EQUAL(sq_ckpt_settings_add(small, sizeof small, "a", "%s", "12345"), 0);
    CU_ASSERT_EQUAL(sq_ckpt_settings_add(small, sizeof small, "b", "%s", "123456789"), -1);
    CU_ASSERT_STRING_EQUAL(small, "a=12345");
    CU_ASSERT_EQUAL(sq_ckpt_settings_add(small, sizeof small, "averyveryverylongkey", "%d", 1), -1);
    CU_ASSERT_STRING_EQUAL(small, "a=12345");
}

static void test_settings_diff(void) {
    char key[32], then[64], now[64];
    const char *a = "format=1;chunk=512;shape=10";
    CU_ASSERT_EQUAL(
        sq_ckpt_settings_diff(a, a, key, sizeof key, then, sizeof then, now, sizeof now), 0);
    /* The order of the keys does not matter. */
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff(a, "shape=10;format=1;chunk=512", key, sizeof key, then,
                                          sizeof then, now, sizeof now),
                    0);
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff(a, "format=1;chunk=1024;shape=10", key, sizeof key, then,
                                          sizeof then, now, sizeof now),
                    1);
    CU_ASSERT_STRING_EQUAL(key, "chunk");
    CU_ASSERT_STRING_EQUAL(then, "512");
    CU_ASSERT_STRING_EQUAL(now, "1024");
    /* A key only the current run has. */
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff("format=1", "format=1;compress=6", key, sizeof key, then,
                                          sizeof then, now, sizeof now),
                    1);
    CU_ASSERT_STRING_EQUAL(key, "compress");
    CU_ASSERT_STRING_EQUAL(then, "(none)");
    CU_ASSERT_STRING_EQUAL(now, "6");
    /* A key only the checkpoint has. */
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff("format=1;generate=range:10", "format=1", key, sizeof key,
                                          then, sizeof then, now, sizeof now),
                    1);
    CU_ASSERT_STRING_EQUAL(key, "generate");
    CU_ASSERT_STRING_EQUAL(then, "range:10");
    CU_ASSERT_STRING_EQUAL(now, "(none)");
    /* A key that is a prefix of another is not confused with it; values may hold '=' and ':'. */
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff("input=/a:/x;input_bytes=5", "input_bytes=5;input=/a:/x",
                                          key, sizeof key, then, sizeof then, now, sizeof now),
                    0);
    CU_ASSERT_EQUAL(sq_ckpt_settings_diff("input=/a:/x=1", "input=/a:/x=2", key, sizeof key, then,
                                          sizeof then, now, sizeof now),
                    1);
    CU_ASSERT_STRING_EQUAL(then, "/a:/x=1");
    CU_ASSERT_STRING_EQUAL(now, "/a:/x=2");
    /* Empty texts. */
    CU_ASSERT_EQUAL(
        sq_ckpt_settings_diff("", "", key, sizeof key, then, sizeof then, now, sizeof now), 0);
}

static void test_hash(void) {
    /* FNV-1a 64-bit reference values. */
    CU_ASSERT_EQUAL(sq_ckpt_hash(""), UINT64_C(0xcbf29ce484222325));
    CU_ASSERT_EQUAL(sq_ckpt_hash("a"), UINT64_C(0xaf63dc4c8601ec8c));
    CU_ASSERT_EQUAL(sq_ckpt_hash("foobar"), UINT64_C(0x85944171f73967e8));
    CU_ASSERT_NOT_EQUAL(sq_ckpt_hash("chunk=512"), sq_ckpt_hash("chunk=513"));
}

static void test_resume_fresh(void) {
    sq_resume *r = malloc(sizeof *r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    memset(r, 0xff, sizeof *r);
    sq_resume_fresh(r, SQ_DTYPE_INT64);
    CU_ASSERT_EQUAL(r->session, 1);
    CU_ASSERT_EQUAL(r->resumed, 0);
    CU_ASSERT_EQUAL(r->chunks_done, 0);
    CU_ASSERT_EQUAL(r->prev.count, 0);
    CU_ASSERT_EQUAL(r->prev.type, SQ_DTYPE_INT64);
    for (int32_t s = 0; s < SQ_CKPT_MAX_SESSIONS; ++s)
        CU_ASSERT_FALSE(sq_resume_chunk_done(r, s));
    r->valid[3] = 1;
    CU_ASSERT_TRUE(sq_resume_chunk_done(r, 3));
    CU_ASSERT_FALSE(sq_resume_chunk_done(r, 0)); /* never done */
    CU_ASSERT_FALSE(sq_resume_chunk_done(r, 2)); /* a session without a record */
    CU_ASSERT_FALSE(sq_resume_chunk_done(r, -5));
    CU_ASSERT_FALSE(sq_resume_chunk_done(r, SQ_CKPT_MAX_SESSIONS));
    free(r);
}

/* The stop state is process-wide and sticky: each case runs in a child of its own. */
static int child_sees(int (*body)(void)) {
    const pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(body());
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* SQCUBE_STOP_AFTER=2: the third poll asks to stop, as SIGUSR1, and the request stays. */
static int stop_after_body(void) {
    setenv("SQCUBE_STOP_AFTER", "2", 1);
    if (sq_stop_install() != 0)
        return 10;
    const int a = sq_stop_requested(), b = sq_stop_requested(), c = sq_stop_requested(),
              d = sq_stop_requested();
    return a == 0 && b == 0 && c == SIGUSR1 && d == SIGUSR1 ? 0 : 11;
}

/* A real signal is recorded, not fatal; the first one asked stays. */
static int signal_body(void) {
    unsetenv("SQCUBE_STOP_AFTER");
    if (sq_stop_install() != 0)
        return 10;
    if (sq_stop_requested() != 0)
        return 11;
    raise(SIGTERM);
    if (sq_stop_requested() != SIGTERM)
        return 12;
    raise(SIGUSR1);
    raise(SIGINT);
    return sq_stop_requested() == SIGTERM ? 0 : 13;
}

static void test_stop(void) {
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGTERM), "SIGTERM");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGINT), "SIGINT");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(SIGUSR1), "SIGUSR1");
    CU_ASSERT_STRING_EQUAL(sq_stop_signal_name(0), "a signal");
    CU_ASSERT_EQUAL(child_sees(stop_after_body), 0);
}

static void test_stop_signal(void) {
    CU_ASSERT_EQUAL(child_sees(signal_body), 0);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"settings text: add", test_settings_add},
        {"settings text: first difference", test_settings_diff},
        {"settings hash: FNV-1a 64 vectors", test_hash},
        {"resume record of a fresh output", test_resume_fresh},
        {"stop requests: names and SQCUBE_STOP_AFTER", test_stop},
        {"stop requests: real signals", test_stop_signal},
    };
    return sq_unit_run("checkpoint", tests, sizeof tests / sizeof tests[0]);
}
