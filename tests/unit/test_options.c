/*
 * test_options.c - CUnit suite for src/options.h: the element-count parser, the --input and
 * --generate spec parsers, and the command-line parser.
 *
 * Every failure must be SQ_ERR_USAGE (2) with one non-empty line of text.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "generate.h"
#include "options.h"
#include "unit.h"

#define TWO62 (INT64_C(1) << 62)

/* One line: non-empty, no newline or carriage return. */
static int one_line(const sq_error *err) {
    return err->msg[0] != '\0' && strchr(err->msg, '\n') == NULL &&
           strchr(err->msg, '\r') == NULL && strlen(err->msg) < SQ_ERRMSG_MAX;
}

/* ---- sq_parse_count ------------------------------------------------------------------------ */

static void count_ok(const char *text, int64_t want) {
    sq_error err;
    sq_error_clear(&err);
    int64_t v = -12345;
    const int rc = sq_parse_count(text, "--chunk", &v, &err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(err.status, SQ_OK);
    CU_ASSERT_EQUAL(v, want);
    if (rc != 0 || v != want)
        fprintf(stderr, "\n  sq_parse_count('%s'): rc %d value %lld, expected %lld (%s)\n", text,
                rc, (long long)v, (long long)want, err.msg);
}

static void count_bad(const char *text) {
    sq_error err;
    sq_error_clear(&err);
    int64_t v = -12345;
    const int rc = sq_parse_count(text, "--what-is-it", &v, &err);
    CU_ASSERT_EQUAL(rc, SQ_ERR_USAGE);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    /* The message names the value (`what`) and quotes the text. */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--what-is-it"));
    if (text[0] != '\0')
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, text));
    if (rc != SQ_ERR_USAGE)
        fprintf(stderr, "\n  sq_parse_count('%s') accepted it: %lld\n", text, (long long)v);
}

static void test_count_valid(void) {
    count_ok("0", 0);
    count_ok("1", 1);
    count_ok("1000", 1000);
    count_ok("1K", 1024);
    count_ok("1Ki", 1024);
    count_ok("4Ki", 4096);
    count_ok("0K", 0);
    count_ok("1M", INT64_C(1) << 20);
    count_ok("1Mi", INT64_C(1) << 20);
    count_ok("3M", 3 * (INT64_C(1) << 20));
    count_ok("2G", INT64_C(1) << 31);
    count_ok("1Gi", INT64_C(1) << 30);
    count_ok("1T", INT64_C(1) << 40);
    count_ok("4194304T", TWO62);
    count_ok("1e8", 100000000);
    count_ok("1E3", 1000);
    count_ok("1e0", 1);
    count_ok("2.5e6", 2500000);
    count_ok("1.5e3", 1500);
    count_ok("0.5e1", 5);
    count_ok("1.25e2", 125);
    count_ok("4.611686018427387904e18", TWO62);
    count_ok("4611686018427387904", TWO62);
    count_ok("4611686018427387903", TWO62 - 1);
    count_ok("9007199254740993", INT64_C(9007199254740993)); /* 2^53 + 1: no rounding via double */
    count_ok("0e5", 0);
}

static void test_count_invalid(void) {
    count_bad("4611686018427387905"); /* 2^62 + 1 */
    count_bad("4194305T");
    count_bad("16777216T"); /* 2^64 */
    count_bad("1e19");
    count_bad("5e18");
    count_bad("1e400");
    count_bad("18446744073709551616");
    count_bad("99999999999999999999999");
    count_bad("");
    count_bad("abc");
    count_bad("-5");
    count_bad("-1");
    count_bad("1.5");
    count_bad("1e-1");
    count_bad("2.5e0");
    count_bad("12Q");
    count_bad("1KK");
    count_bad("1KiB");
    count_bad("K");
    count_bad("1e");
    count_bad("e5");
    count_bad(".");
    count_bad(" 1");
    count_bad("1 ");
    count_bad("0x10");
    count_bad("1,000");
    count_bad("1.2.3");
}

static void test_count_messages(void) {
    /* A count that is too large says so; a negative one says it is negative. */
    sq_error err;
    int64_t v;
    sq_error_clear(&err);
    sq_parse_count("1e19", "--generate N", &v, &err);
    CU_ASSERT(one_line(&err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--generate N"));
    sq_error_clear(&err);
    sq_parse_count("-5", "--chunk", &v, &err);
    CU_ASSERT(one_line(&err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "negative"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "0 or more"));
    /* With a minimum, the messages name it, and the minimum itself is accepted. */
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count_min("-5", "--chunk", 1, &v, &err), SQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "give a count of 1 or more"));
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count_min("0", "--chunk", 1, &v, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "give a count of 1 or more"));
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count_min("4", "SQCUBE_MAX_TRANSFER", 8, &v, &err), SQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "SQCUBE_MAX_TRANSFER: '4' is less than 8"));
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count_min("1K", "SQCUBE_MAX_TRANSFER", 8, &v, &err), SQ_OK);
    CU_ASSERT_EQUAL(v, 1024);
    CU_ASSERT_EQUAL(sq_parse_count_min("1", "--chunk", 1, &v, &err), SQ_OK);
    CU_ASSERT_EQUAL(v, 1);
    /* The first failure is kept: a second one does not overwrite it. */
    sq_error_clear(&err);
    sq_parse_count("abc", "first", &v, &err);
    sq_parse_count("xyz", "second", &v, &err);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "first"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "second"));
}

/* Text from the command line with line breaks in it still gives a one-line message. */
static void test_messages_one_line(void) {
    sq_error err;
    int64_t v;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count("1\n2", "--chunk", &v, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_count("12\r", "--chunk", &v, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    sq_gen_spec g;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_gen_spec("nor\nmal:10", &g, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    sq_options o;
    char *argv[] = {"sqcube", "run\nme", NULL};
    CU_ASSERT_EQUAL(sq_options_parse(2, argv, &o, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    char *argv2[] = {"sqcube", "run", "--bo\ngus", NULL};
    CU_ASSERT_EQUAL(sq_options_parse(3, argv2, &o, &err), SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    /* sq_fail itself: the first failure wins, and line breaks become spaces. */
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(err.status, SQ_OK);
    CU_ASSERT_EQUAL(sq_fail(&err, SQ_ERR_RUNTIME, "a\nb %d\r", 7), SQ_ERR_RUNTIME);
    CU_ASSERT_STRING_EQUAL(err.msg, "a b 7 ");
    CU_ASSERT_EQUAL(sq_fail(&err, SQ_ERR_USAGE, "later"), SQ_ERR_RUNTIME);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_RUNTIME);
    CU_ASSERT_STRING_EQUAL(err.msg, "a b 7 ");
}

/* ---- sq_parse_input_spec ------------------------------------------------------------------ */

static void input_ok(const char *text, const char *file, const char *dset) {
    char f[SQ_PATH_MAX], d[SQ_DSET_MAX];
    memset(f, 'x', sizeof f);
    memset(d, 'x', sizeof d);
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_input_spec(text, f, sizeof f, d, sizeof d, &err), 0);
    f[sizeof f - 1] = d[sizeof d - 1] = '\0';
    CU_ASSERT_STRING_EQUAL(f, file);
    CU_ASSERT_STRING_EQUAL(d, dset);
}

static void input_bad(const char *text, size_t flen, size_t dlen) {
    char f[SQ_PATH_MAX], d[SQ_DSET_MAX];
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_input_spec(text, f, flen, d, dlen, &err), SQ_ERR_USAGE);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
}

static void test_input_spec(void) {
    input_ok("f.h5", "f.h5", "");
    input_ok("f.h5:/x", "f.h5", "/x");
    input_ok("dir/f.h5:/g/x", "dir/f.h5", "/g/x");
    input_ok("/abs/path/f.h5:/group/sub/data", "/abs/path/f.h5", "/group/sub/data");
    input_ok("a:b.h5", "a:b.h5", "");        /* a colon without a slash is part of the file name */
    input_ok("f.h5:/g:/x", "f.h5", "/g:/x"); /* split at the first ":/" */
    input_bad(":/x", SQ_PATH_MAX, SQ_DSET_MAX);
    input_bad("", SQ_PATH_MAX, SQ_DSET_MAX);
    /* Too long for the buffers. */
    input_bad("longname.h5", 8, SQ_DSET_MAX);
    input_bad("f.h5:/a/very/long/dataset", SQ_PATH_MAX, 8);
    /* Exactly fitting buffers are fine. */
    char f[5], d[3];
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_parse_input_spec("f.h5:/x", f, sizeof f, d, sizeof d, &err), 0);
    CU_ASSERT_STRING_EQUAL(f, "f.h5");
    CU_ASSERT_STRING_EQUAL(d, "/x");
}

/* ---- sq_parse_gen_spec ---------------------------------------------------------------------- */

static sq_gen_spec gen_ok(const char *text) {
    sq_gen_spec s;
    memset(&s, 0x6B, sizeof s);
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_parse_gen_spec(text, &s, &err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n  sq_parse_gen_spec('%s') failed: %s\n", text, err.msg);
    return s;
}

static void gen_bad(const char *text) {
    sq_gen_spec s;
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_parse_gen_spec(text, &s, &err);
    CU_ASSERT_EQUAL(rc, SQ_ERR_USAGE);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_USAGE);
    CU_ASSERT(one_line(&err));
    if (rc != SQ_ERR_USAGE)
        fprintf(stderr, "\n  sq_parse_gen_spec('%s') accepted it\n", text);
}

static void test_gen_spec_valid(void) {
    sq_gen_spec s = gen_ok("range:1000");
    CU_ASSERT_EQUAL(s.kind, SQ_GEN_RANGE);
    CU_ASSERT_EQUAL(s.n, 1000);
    s = gen_ok("range:1M");
    CU_ASSERT_EQUAL(s.n, INT64_C(1) << 20);
    s = gen_ok("range:0");
    CU_ASSERT_EQUAL(s.n, 0);
    s = gen_ok("range:4611686018427387904");
    CU_ASSERT_EQUAL(s.n, TWO62);
    s = gen_ok("uniform:1e6");
    CU_ASSERT_EQUAL(s.kind, SQ_GEN_UNIFORM);
    CU_ASSERT_EQUAL(s.n, 1000000);
    CU_ASSERT_EQUAL(s.seed, 0);
    CU_ASSERT_EQUAL(s.low, 0.0);
    CU_ASSERT_EQUAL(s.high, 1.0);
    s = gen_ok("uniform:100:seed=5:low=-2:high=3");
    CU_ASSERT_EQUAL(s.n, 100);
    CU_ASSERT_EQUAL(s.seed, 5);
    CU_ASSERT_EQUAL(s.low, -2.0);
    CU_ASSERT_EQUAL(s.high, 3.0);
    s = gen_ok("uniform:10:high=5.5:low=4.25:seed=18446744073709551615");
    CU_ASSERT_EQUAL(s.seed, UINT64_MAX);
    CU_ASSERT_EQUAL(s.low, 4.25);
    CU_ASSERT_EQUAL(s.high, 5.5);
    s = gen_ok("uniform:1K:seed=7");
    CU_ASSERT_EQUAL(s.n, 1024);
    CU_ASSERT_EQUAL(s.seed, 7);
    CU_ASSERT_EQUAL(s.low, 0.0);
    CU_ASSERT_EQUAL(s.high, 1.0);
    s = gen_ok("uniform:10:low=-1e300:high=1e300");
    CU_ASSERT_EQUAL(s.low, -1e300);
    CU_ASSERT_EQUAL(s.high, 1e300);
    s = gen_ok("uniform:10:low=0.1:high=0.30000000000000004");
    CU_ASSERT_EQUAL(s.low, 0.1);
    CU_ASSERT_EQUAL(s.high, 0.30000000000000004);
    s = gen_ok("uniform:10:low=-3:high=-1");
    CU_ASSERT_EQUAL(s.low, -3.0);
    CU_ASSERT_EQUAL(s.high, -1.0);
}

static void test_gen_spec_invalid(void) {
    gen_bad("normal:10"); /* unknown kind */
    gen_bad("Range:10");
    gen_bad("range"); /* missing N */
    gen_bad("uniform");
    gen_bad("range:");
    gen_bad("");
    gen_bad("range:abc");
    gen_bad("range:-1");
    gen_bad("range:1.5");
    gen_bad("range:4611686018427387905");
    gen_bad("range:10:seed=1"); /* range takes no keys */
    gen_bad("range:10:low=0");
    gen_bad("uniform:10:foo=1"); /* bad key */
    gen_bad("uniform:10:seed");
    gen_bad("uniform:10:seed=");
    gen_bad("uniform:10:seed=-1");
    gen_bad("uniform:10:seed=abc");
    gen_bad("uniform:10:seed=18446744073709551616");
    gen_bad("uniform:10:low=");
    gen_bad("uniform:10:low=abc");
    gen_bad("uniform:10:low=1:high=1"); /* low >= high */
    gen_bad("uniform:10:low=2:high=1");
    gen_bad("uniform:10:high=-1"); /* default low 0 >= high */
    gen_bad("uniform:10:low=nan"); /* non-finite */
    gen_bad("uniform:10:high=nan");
    gen_bad("uniform:10:high=inf");
    gen_bad("uniform:10:low=-inf");
    gen_bad("uniform:10:low=-1e308:high=1e308"); /* finite bounds, infinite width */
    gen_bad("uniform:10:low=1e999");
    /* Too long. */
    char longspec[2000];
    memset(longspec, '1', sizeof longspec);
    memcpy(longspec, "range:", 6);
    longspec[sizeof longspec - 1] = '\0';
    gen_bad(longspec);
}

/* ---- sq_options_parse ---------------------------------------------------------------------- */

/* Parses the NULL-terminated arguments after argv[0] = "sqcube". */
static int parse_args(sq_options *opt, sq_error *err, ...) {
    char *argv[64];
    int argc = 0;
    argv[argc++] = "sqcube";
    va_list ap;
    va_start(ap, err);
    for (char *a = va_arg(ap, char *); a != NULL && argc < 63; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    memset(opt, 0x3C, sizeof *opt);
    memset(err, 0x3C, sizeof *err); /* the parser clears the record itself */
    return sq_options_parse(argc, argv, opt, err);
}

#define PARSE(opt, err, ...) parse_args((opt), (err), __VA_ARGS__, (char *)NULL)

/* Expects a usage error with one line of text. */
#define EXPECT_USAGE(...)                                                                          \
    do {                                                                                           \
        sq_options o_;                                                                             \
        sq_error e_;                                                                               \
        const int rc_ = PARSE(&o_, &e_, __VA_ARGS__);                                              \
        CU_ASSERT_EQUAL(rc_, SQ_ERR_USAGE);                                                        \
        CU_ASSERT_EQUAL(e_.status, SQ_ERR_USAGE);                                                  \
        CU_ASSERT(rc_ != SQ_ERR_USAGE || one_line(&e_));                                           \
        if (rc_ != SQ_ERR_USAGE)                                                                   \
            fprintf(stderr, "\n  accepted: %s\n", #__VA_ARGS__);                                   \
    } while (0)

static void test_cli_defaults(void) {
    sq_options o;
    sq_options_defaults(&o);
    CU_ASSERT_EQUAL(o.chunk, INT64_C(1) << 19);
    CU_ASSERT_EQUAL(o.output_type, SQ_OUTPUT_AUTO);
    CU_ASSERT_EQUAL(o.schedule, SQ_SCHEDULE_STATIC);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_NONE);
    CU_ASSERT_FALSE(o.force);
    CU_ASSERT_FALSE(o.quiet);
    CU_ASSERT_STRING_EQUAL(sq_output_type_name(SQ_OUTPUT_AUTO), "auto");
    CU_ASSERT_STRING_EQUAL(sq_output_type_name(SQ_OUTPUT_INT64), "int64");
    CU_ASSERT_STRING_EQUAL(sq_output_type_name(SQ_OUTPUT_FLOAT64), "float64");
    CU_ASSERT_STRING_EQUAL(sq_schedule_name(SQ_SCHEDULE_STATIC), "static");

    /* No arguments: a usage error (exit 2) whose one line names the commands; --help is the
     * overview. */
    sq_error e;
    char *argv[] = {"sqcube", NULL};
    memset(&e, 0x3C, sizeof e);
    CU_ASSERT_EQUAL(sq_options_parse(1, argv, &o, &e), SQ_ERR_USAGE);
    CU_ASSERT_EQUAL(e.status, SQ_ERR_USAGE);
    CU_ASSERT(one_line(&e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "run, verify, info, affinity or doctor"));
    char *help[] = {"sqcube", "--help", NULL};
    CU_ASSERT_EQUAL(sq_options_parse(2, help, &o, &e), SQ_OK);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_HELP);
}

static void test_cli_run(void) {
    sq_options o;
    sq_error e;
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--generate", "range:10", "--output", "o.h5"), 0);
    CU_ASSERT_EQUAL(e.status, SQ_OK);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_RUN);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_GENERATE);
    CU_ASSERT_EQUAL(o.gen.kind, SQ_GEN_RANGE);
    CU_ASSERT_EQUAL(o.gen.n, 10);
    CU_ASSERT_STRING_EQUAL(o.output, "o.h5");
    CU_ASSERT_EQUAL(o.chunk, INT64_C(1) << 19);
    CU_ASSERT_EQUAL(o.output_type, SQ_OUTPUT_AUTO);
    CU_ASSERT_EQUAL(o.schedule, SQ_SCHEDULE_STATIC);
    CU_ASSERT_FALSE(o.force);
    CU_ASSERT_FALSE(o.quiet);
    CU_ASSERT_EQUAL(
        PARSE(&o, &e, "run", "--generate", "range:10", "--output", "o.h5", "--schedule", "dynamic"),
        0);
    CU_ASSERT_EQUAL(o.schedule, SQ_SCHEDULE_DYNAMIC);
    CU_ASSERT_STRING_EQUAL(sq_schedule_name(SQ_SCHEDULE_DYNAMIC), "dynamic");

    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--input", "in.h5:/g/data", "--output", "out.h5",
                          "--chunk", "4K", "--output-type", "float64", "--schedule", "static",
                          "--force", "--quiet"),
                    0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_RUN);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_FILE);
    CU_ASSERT_STRING_EQUAL(o.input_file, "in.h5");
    CU_ASSERT_STRING_EQUAL(o.input_dataset, "/g/data");
    CU_ASSERT_STRING_EQUAL(o.output, "out.h5");
    CU_ASSERT_EQUAL(o.chunk, 4096);
    CU_ASSERT_EQUAL(o.output_type, SQ_OUTPUT_FLOAT64);
    CU_ASSERT_TRUE(o.force);
    CU_ASSERT_TRUE(o.quiet);

    /* --key=value. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--generate=uniform:1e3:seed=9:low=-1:high=2",
                          "--output=x.h5", "--chunk=1e3", "--output-type=int64"),
                    0);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_GENERATE);
    CU_ASSERT_EQUAL(o.gen.kind, SQ_GEN_UNIFORM);
    CU_ASSERT_EQUAL(o.gen.n, 1000);
    CU_ASSERT_EQUAL(o.gen.seed, 9);
    CU_ASSERT_EQUAL(o.gen.low, -1.0);
    CU_ASSERT_EQUAL(o.gen.high, 2.0);
    CU_ASSERT_STRING_EQUAL(o.output, "x.h5");
    CU_ASSERT_EQUAL(o.chunk, 1000);
    CU_ASSERT_EQUAL(o.output_type, SQ_OUTPUT_INT64);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--input=in.h5", "--output=o.h5", "--output-type=auto"),
                    0);
    CU_ASSERT_STRING_EQUAL(o.input_file, "in.h5");
    CU_ASSERT_STRING_EQUAL(o.input_dataset, "");
    CU_ASSERT_EQUAL(o.output_type, SQ_OUTPUT_AUTO);

    /* Short options. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "-g", "range:5", "-o", "s.h5", "-c", "7", "-f", "-q"), 0);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_GENERATE);
    CU_ASSERT_EQUAL(o.gen.n, 5);
    CU_ASSERT_STRING_EQUAL(o.output, "s.h5");
    CU_ASSERT_EQUAL(o.chunk, 7);
    CU_ASSERT_TRUE(o.force);
    CU_ASSERT_TRUE(o.quiet);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "-i", "d/in.h5:/x", "-o", "s.h5"), 0);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_FILE);
    CU_ASSERT_STRING_EQUAL(o.input_file, "d/in.h5");
    CU_ASSERT_STRING_EQUAL(o.input_dataset, "/x");

    /* Options in any order; the largest chunk, SQ_MAX_CHUNK = 2^32, in two spellings. */
    CU_ASSERT_EQUAL(
        PARSE(&o, &e, "run", "--output", "o.h5", "--chunk", "4294967296", "--generate", "range:1"),
        0);
    CU_ASSERT_EQUAL(o.chunk, SQ_MAX_CHUNK);
    CU_ASSERT_EQUAL(o.chunk, INT64_C(1) << 32);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--output", "o.h5", "--chunk=4G", "-g", "range:1"), 0);
    CU_ASSERT_EQUAL(o.chunk, INT64_C(1) << 32);
    /* --compress levels, --sync. */
    CU_ASSERT_EQUAL(o.compress, 0);
    CU_ASSERT_FALSE(o.sync);
    CU_ASSERT_EQUAL(
        PARSE(&o, &e, "run", "-o", "o.h5", "-g", "range:1", "--compress", "9", "--sync"), 0);
    CU_ASSERT_EQUAL(o.compress, 9);
    CU_ASSERT_TRUE(o.sync);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "-o", "o.h5", "-g", "range:1", "--compress=0"), 0);
    CU_ASSERT_EQUAL(o.compress, 0);
    /* The element count itself may reach 2^62. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "-o", "o.h5", "-g", "range:4611686018427387904"), 0);
    CU_ASSERT_EQUAL(o.gen.n, TWO62);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--chunk", "1", "--generate", "range:0", "-o", "o.h5"), 0);
    CU_ASSERT_EQUAL(o.chunk, 1);
    CU_ASSERT_EQUAL(o.gen.n, 0);
}

static void test_cli_verify_info_help(void) {
    sq_options o;
    sq_error e;
    CU_ASSERT_EQUAL(PARSE(&o, &e, "verify", "res.h5"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_VERIFY);
    CU_ASSERT_STRING_EQUAL(o.output, "res.h5");
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_NONE);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "verify", "res.h5", "--input", "in.h5:/x"), 0);
    CU_ASSERT_EQUAL(o.source, SQ_SOURCE_FILE);
    CU_ASSERT_STRING_EQUAL(o.input_file, "in.h5");
    CU_ASSERT_STRING_EQUAL(o.input_dataset, "/x");
    CU_ASSERT_STRING_EQUAL(o.output, "res.h5");
    CU_ASSERT_EQUAL(PARSE(&o, &e, "verify", "--input=in.h5", "-q", "res.h5"), 0);
    CU_ASSERT_STRING_EQUAL(o.output, "res.h5");
    CU_ASSERT_TRUE(o.quiet);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "info", "res.h5"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_INFO);
    CU_ASSERT_STRING_EQUAL(o.output, "res.h5");

    /* help COMMAND. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "help"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "help", "run"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_RUN);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "help", "verify"), 0);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_VERIFY);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "help", "info"), 0);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_INFO);

    /* --help and --version at any position. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "--help"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "-h"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "--version"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_VERSION);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "-V"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_VERSION);
    const char *cmds[] = {"run", "verify", "info"};
    const sq_command ids[] = {SQ_CMD_RUN, SQ_CMD_VERIFY, SQ_CMD_INFO};
    for (int c = 0; c < 3; ++c) {
        char *cmd = (char *)cmds[c];
        CU_ASSERT_EQUAL(PARSE(&o, &e, cmd, "--help"), 0);
        CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
        CU_ASSERT_EQUAL(o.help_command, ids[c]);
        CU_ASSERT_EQUAL(PARSE(&o, &e, cmd, "-h"), 0);
        CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
        CU_ASSERT_EQUAL(o.help_command, ids[c]);
        CU_ASSERT_EQUAL(PARSE(&o, &e, cmd, "--version"), 0);
        CU_ASSERT_EQUAL(o.command, SQ_CMD_VERSION);
    }
    /* In the middle and at the end; before arguments that would be errors. */
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--generate", "range:10", "--help", "--output", "o.h5"),
                    0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_RUN);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--generate", "range:10", "--output", "o.h5", "--help"),
                    0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_RUN);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--help", "--no-such-option"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "-g", "range:1", "-V"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_VERSION);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "verify", "res.h5", "--help"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
    CU_ASSERT_EQUAL(o.help_command, SQ_CMD_VERIFY);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "info", "res.h5", "--version"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_VERSION);
    CU_ASSERT_EQUAL(PARSE(&o, &e, "--help", "run"), 0);
    CU_ASSERT_EQUAL(o.command, SQ_CMD_HELP);
}

static void test_cli_errors(void) {
    /* Commands. */
    EXPECT_USAGE("frobnicate");
    EXPECT_USAGE("RUN", "--generate", "range:1", "--output", "o.h5");
    EXPECT_USAGE("--bogus");
    EXPECT_USAGE("--chunk", "5", "run", "--generate", "range:1", "--output", "o.h5");
    /* run: what it needs. */
    EXPECT_USAGE("run");
    EXPECT_USAGE("run", "--generate", "range:10");
    EXPECT_USAGE("run", "--output", "o.h5");
    EXPECT_USAGE("run", "--input", "a.h5", "--generate", "range:10", "--output", "o.h5");
    EXPECT_USAGE("run", "--generate", "range:10", "--input", "a.h5", "--output", "o.h5");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "extra");
    EXPECT_USAGE("run", "--generate", "range:10", "--output=");
    EXPECT_USAGE("run", "--input", ":/x", "--output", "o.h5");
    EXPECT_USAGE("run", "--generate", "bogus:1", "--output", "o.h5");
    EXPECT_USAGE("run", "--generate", "range:1.5", "--output", "o.h5");
    /* Unknown options and flags given values. */
    EXPECT_USAGE("run", "--bogus", "--generate", "range:10", "--output", "o.h5");
    EXPECT_USAGE("run", "-x", "--generate", "range:10", "--output", "o.h5");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--force=yes");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--quiet=1");
    /* Missing values. */
    EXPECT_USAGE("run", "--generate", "range:10", "--output");
    EXPECT_USAGE("run", "--generate", "range:10", "-o");
    EXPECT_USAGE("run", "--output", "o.h5", "--generate");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--output-type");
    /* Bad values. */
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "0");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk=0");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "-1");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "abc");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "1e30");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk",
                 "4611686018427387905");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk",
                 "4611686018427387904");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "4294967297");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "1T");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk=4097M");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--compress", "10");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--compress", "-1");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--compress", "2x");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--compress", "");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--compress", "1", "--io",
                 "independent");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--sync=yes");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--chunk", "1.5");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--output-type", "int32");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--schedule", "guided");
    EXPECT_USAGE("run", "--generate", "range:10", "--output", "o.h5", "--schedule", "");
    /* verify and info. */
    EXPECT_USAGE("verify");
    EXPECT_USAGE("verify", "a.h5", "b.h5");
    EXPECT_USAGE("verify", "a.h5", "--generate", "range:10");
    EXPECT_USAGE("verify", "a.h5", "--output", "x.h5");
    EXPECT_USAGE("verify", "a.h5", "--chunk", "10");
    EXPECT_USAGE("verify", "a.h5", "--input");
    EXPECT_USAGE("verify", "--quiet");
    EXPECT_USAGE("info");
    EXPECT_USAGE("info", "a.h5", "b.h5");
    EXPECT_USAGE("info", "a.h5", "--input", "x.h5");
    EXPECT_USAGE("info", "a.h5", "--force");

    /* The message quotes what was wrong. */
    sq_options o;
    sq_error e;
    PARSE(&o, &e, "frobnicate");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "frobnicate"));
    PARSE(&o, &e, "run", "--no-such-option", "--generate", "range:10", "--output", "o.h5");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--no-such-option"));
    PARSE(&o, &e, "run", "--generate", "range:10", "--output", "o.h5", "--chunk", "abc");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "abc"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--chunk"));
    PARSE(&o, &e, "run", "--generate", "range:10", "--output", "o.h5", "--chunk", "5G");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--chunk"));
    CU_ASSERT(one_line(&e));

    /* A long but valid output path, and one too long for the buffer. */
    char *path = malloc(SQ_PATH_MAX + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    memset(path, 'p', SQ_PATH_MAX + 15);
    path[SQ_PATH_MAX + 15] = '\0';
    EXPECT_USAGE("run", "--generate", "range:10", "--output", path);
    EXPECT_USAGE("verify", path);
    EXPECT_USAGE("run", "--input", path, "--output", "o.h5");
    path[200] = '\0';
    CU_ASSERT_EQUAL(PARSE(&o, &e, "run", "--generate", "range:10", "--output", path), 0);
    CU_ASSERT_EQUAL(strlen(o.output), 200);
    free(path);
}

/* A command's help text, or NULL. */
static char *help_text(sq_command c) {
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    sq_options_print_help(f, c);
    const long len = ftell(f);
    char *text = len > 0 ? calloc((size_t)len + 1, 1) : NULL;
    rewind(f);
    if (text && fread(text, 1, (size_t)len, f) != (size_t)len) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* A valid value for an option's argument placeholder (the first choice of "a|b|c"); NULL for a
 * placeholder this test does not know (a new one must be added here). */
static const char *valid_value(const char *arg, char *buf, size_t size) {
    static const struct {
        const char *arg, *value;
    } known[] = {
        {"FILE[:/DATASET]", "in.h5"},
        {"KIND:N[:KEY=VALUE...]", "range:1"},
        {"FILE", "o.h5"},
        {"N", "10"},
        {"KEY=VALUE", "cb_nodes=1"},
        {"BYTES", "4096"},
        {"LEVEL", "1"},
        {"SECONDS", "1"},
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; ++k)
        if (strcmp(arg, known[k].arg) == 0)
            return known[k].value;
    const char *bar = strchr(arg, '|');
    if (!bar || (size_t)(bar - arg) >= size)
        return NULL;
    snprintf(buf, size, "%.*s", (int)(bar - arg), arg);
    return buf;
}

/* Parses `sqcube COMMAND [what the command needs] FLAG [VALUE]`; 1 when accepted, 0 when not,
 * with a line on stderr when that is not `want`. */
static int parse_with(sq_command c, const char *name, const char *flag, const char *value,
                      int want) {
    static const char *const words[] = {"run", "verify", "info", "affinity", "doctor"};
    const char *argv[12];
    int argc = 0;
    argv[argc++] = "sqcube";
    argv[argc++] = words[c];
    if (c == SQ_CMD_VERIFY || c == SQ_CMD_INFO)
        argv[argc++] = "r.h5";
    if (c == SQ_CMD_RUN) {
        if (strcmp(name, "input") != 0 && strcmp(name, "generate") != 0) {
            argv[argc++] = "--generate";
            argv[argc++] = "range:1";
        }
        if (strcmp(name, "output") != 0) {
            argv[argc++] = "--output";
            argv[argc++] = "o.h5";
        }
    }
    argv[argc++] = flag;
    if (value)
        argv[argc++] = value;
    argv[argc] = NULL;
    sq_options o;
    sq_error e;
    memset(&e, 0, sizeof e);
    const int ok = sq_options_parse(argc, (char *const *)argv, &o, &e) == 0;
    if (ok != want)
        fprintf(stderr, "\n  sqcube %s ... %s %s: %s\n", words[c], flag, value ? value : "",
                ok ? "accepted" : e.msg);
    return ok;
}

/* Every option of the option table, for every command: in that command's help (its own heading
 * line "  -s, --name ARG") exactly when it applies to the command, and then accepted by the
 * parser in its long and short forms; every option heading in the help names an option of the
 * table that the parser accepts for that command. */
static void test_cli_help_matches_parser(void) {
    const sq_command ids[] = {SQ_CMD_RUN, SQ_CMD_VERIFY, SQ_CMD_INFO, SQ_CMD_AFFINITY,
                              SQ_CMD_DOCTOR};
    size_t noptions = 0;
    sq_option_desc d;
    while (sq_options_describe(noptions, &d))
        ++noptions;
    CU_ASSERT(noptions >= 20); /* run alone has 20 options today */
    for (size_t c = 0; c < sizeof ids / sizeof ids[0]; ++c) {
        char *text = help_text(ids[c]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        /* the table, one way: each option applying to c has its heading and is accepted */
        for (size_t k = 0; k < noptions; ++k) {
            CU_ASSERT_FATAL(sq_options_describe(k, &d) == 1);
            char heading[160], vbuf[64];
            if (d.short_name)
                snprintf(heading, sizeof heading, "\n  -%c, --%s%s%s\n", d.short_name, d.name,
                         d.arg ? " " : "", d.arg ? d.arg : "");
            else
                snprintf(heading, sizeof heading, "\n  --%s%s%s\n", d.name, d.arg ? " " : "",
                         d.arg ? d.arg : "");
            const int applies = (d.commands & (1u << ids[c])) != 0;
            const int in_help = strstr(text, heading) != NULL;
            CU_ASSERT_EQUAL(in_help, applies);
            if (in_help != applies)
                fprintf(stderr, "\n  command %d --%s: in help %d, applies %d\n", (int)ids[c],
                        d.name, in_help, applies);
            const char *value = d.arg ? valid_value(d.arg, vbuf, sizeof vbuf) : NULL;
            CU_ASSERT(!d.arg || value != NULL);
            if (d.arg && !value) {
                fprintf(stderr, "\n  no valid value known for placeholder %s\n", d.arg);
                continue;
            }
            char flag[80], sflag[3] = {'-', d.short_name, '\0'};
            snprintf(flag, sizeof flag, "--%s", d.name);
            CU_ASSERT_EQUAL(parse_with(ids[c], d.name, flag, value, applies), applies);
            if (d.short_name)
                CU_ASSERT_EQUAL(parse_with(ids[c], d.name, sflag, value, applies), applies);
        }
        /* the help, the other way: each option heading names a table option applying to c */
        int headings = 0;
        for (const char *line = strstr(text, "\n  -"); line; line = strstr(line + 1, "\n  -")) {
            const char *name = strstr(line, "--");
            const char *eol = strchr(line + 1, '\n');
            CU_ASSERT_FATAL(name != NULL && eol != NULL && name < eol);
            name += 2;
            const size_t len = strcspn(name, " \n");
            int found = 0;
            for (size_t k = 0; k < noptions; ++k) {
                CU_ASSERT_FATAL(sq_options_describe(k, &d) == 1);
                if (strlen(d.name) == len && strncmp(d.name, name, len) == 0)
                    found = (d.commands & (1u << ids[c])) != 0;
            }
            CU_ASSERT(found);
            if (!found)
                fprintf(stderr, "\n  command %d: help shows --%.*s, not an option of it\n",
                        (int)ids[c], (int)len, name);
            ++headings;
        }
        int applying = 0;
        for (size_t k = 0; k < noptions; ++k)
            applying += sq_options_describe(k, &d) && (d.commands & (1u << ids[c])) != 0;
        CU_ASSERT_EQUAL(headings, applying);
        free(text);
    }
    /* an option no command has is refused by every command */
    for (size_t c = 0; c < sizeof ids / sizeof ids[0]; ++c)
        CU_ASSERT(!parse_with(ids[c], "no-such-option", "--no-such-option", NULL, 0));
    /* The overview names every command. */
    char *text = help_text(SQ_CMD_HELP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *const commands[] = {"run", "verify", "info", "affinity", "doctor"};
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; ++c)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, commands[c]));
    free(text);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"sq_parse_count valid", test_count_valid},
        {"sq_parse_count invalid", test_count_invalid},
        {"sq_parse_count messages", test_count_messages},
        {"messages stay one line", test_messages_one_line},
        {"sq_parse_input_spec", test_input_spec},
        {"sq_parse_gen_spec valid", test_gen_spec_valid},
        {"sq_parse_gen_spec invalid", test_gen_spec_invalid},
        {"defaults and no arguments", test_cli_defaults},
        {"run command lines", test_cli_run},
        {"verify, info, help, version", test_cli_verify_info_help},
        {"usage errors", test_cli_errors},
        {"help lists exactly the accepted options", test_cli_help_matches_parser},
    };
    return sq_unit_run("options", tests, sizeof tests / sizeof tests[0]);
}
