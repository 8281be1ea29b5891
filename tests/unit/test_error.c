/*
 * test_error.c - CUnit suite for src/error.h: the one-line error record.
 *
 * Expected texts are written out here; the exit statuses are those docs/cli.md documents.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "unit.h"

static void test_statuses_are_the_documented_exit_codes(void) {
    /* docs/cli.md: 0 success, 1 runtime, 2 usage, 3 verification mismatch, 4 stopped. */
    CU_ASSERT_EQUAL(SQ_OK, 0);
    CU_ASSERT_EQUAL(SQ_ERR_RUNTIME, 1);
    CU_ASSERT_EQUAL(SQ_ERR_USAGE, 2);
    CU_ASSERT_EQUAL(SQ_ERR_MISMATCH, 3);
    CU_ASSERT_EQUAL(SQ_STOPPED, 4);
}

static void test_clear(void) {
    sq_error err;
    memset(&err, 'x', sizeof err);
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(err.status, SQ_OK);
    CU_ASSERT_STRING_EQUAL(err.msg, "");
}

static void test_fail_formats_and_returns_status(void) {
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_fail(&err, SQ_ERR_USAGE, "--chunk %s: give %d or more", "-5", 1), 2);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--chunk -5: give 1 or more");
}

static void test_first_failure_wins(void) {
    sq_error err;
    sq_error_clear(&err);
    sq_fail(&err, SQ_ERR_RUNTIME, "disk full writing %s", "out.h5");
    /* A later consequence returns the first status and leaves the text alone. */
    CU_ASSERT_EQUAL(sq_fail(&err, SQ_ERR_USAGE, "something else"), SQ_ERR_RUNTIME);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_RUNTIME);
    CU_ASSERT_STRING_EQUAL(err.msg, "disk full writing out.h5");
    /* After a clear the record takes a new failure. */
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_fail(&err, SQ_ERR_MISMATCH, "x"), SQ_ERR_MISMATCH);
    CU_ASSERT_STRING_EQUAL(err.msg, "x");
}

static void test_one_line_whatever_the_text(void) {
    sq_error err;
    sq_error_clear(&err);
    sq_fail(&err, SQ_ERR_RUNTIME, "HDF5 says:\nline two\r\nline three\n");
    CU_ASSERT_STRING_EQUAL(err.msg, "HDF5 says: line two  line three ");
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
}

static void test_long_text_is_cut_and_terminated(void) {
    static char big[3 * SQ_ERRMSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sq_error err;
    sq_error_clear(&err);
    sq_fail(&err, SQ_ERR_RUNTIME, "%s", big);
    CU_ASSERT_EQUAL(strlen(err.msg), (size_t)SQ_ERRMSG_MAX - 1);
    CU_ASSERT_EQUAL(err.msg[0], 'a');
    CU_ASSERT_EQUAL(err.msg[SQ_ERRMSG_MAX - 2], 'a');
}

/* What sq_error_print writes to stderr, captured through a temporary file. */
static void printed(const sq_error *err, char *buf, size_t len) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    const int saved = dup(fileno(stderr));
    CU_ASSERT_FATAL(saved >= 0);
    CU_ASSERT_FATAL(dup2(fileno(tmp), fileno(stderr)) >= 0);
    sq_error_print(err);
    fflush(stderr);
    dup2(saved, fileno(stderr));
    close(saved);
    rewind(tmp);
    const size_t n = fread(buf, 1, len - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
}

static void test_print(void) {
    char out[2 * SQ_ERRMSG_MAX];
    sq_error err;
    sq_error_clear(&err);
    sq_fail(&err, SQ_ERR_RUNTIME, "input file 'a.h5' not found");
    printed(&err, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "sqcube: error: input file 'a.h5' not found\n");
    /* A stop on a signal is not an error: it says "stopped". */
    sq_error_clear(&err);
    sq_fail(&err, SQ_STOPPED, "SIGUSR1: checkpoint saved");
    printed(&err, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "sqcube: stopped: SIGUSR1: checkpoint saved\n");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"statuses are the documented exit codes", test_statuses_are_the_documented_exit_codes},
        {"clear", test_clear},
        {"fail formats and returns the status", test_fail_formats_and_returns_status},
        {"the first failure wins", test_first_failure_wins},
        {"one line whatever the text", test_one_line_whatever_the_text},
        {"a long text is cut and terminated", test_long_text_is_cut_and_terminated},
        {"print: error and stopped", test_print},
    };
    return sq_unit_run("error", tests, sizeof tests / sizeof tests[0]);
}
