/*
 * test_export.c - CUnit suite for src/export.h: JSON string escaping, CSV quoting, and the shape of
 * the --summary-json document and the --log-csv header and row.
 *
 * Expected texts are written out by hand. That the JSON parses and its values equal the result
 * file's is checked on real runs by tests/users/check_summary.py (python3 -m json.tool, h5py).
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "unit.h"

/* Captures what fn writes into a FILE as a NUL-terminated string (free it). */
#define CAPTURE(buf, call)                                                                         \
    do {                                                                                           \
        size_t size_ = 0;                                                                          \
        FILE *out = open_memstream(&(buf), &size_);                                                \
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);                                                         \
        call;                                                                                      \
        fclose(out);                                                                               \
    } while (0)

static void test_json_string(void) {
    char *s = NULL;
    CAPTURE(s, sq_export_json_string(out, "a\"b\\c\nd\te\x01\x1f\x7f caf\xc3\xa9"));
    CU_ASSERT_STRING_EQUAL(s, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f caf\xc3\xa9\"");
    free(s);
    CAPTURE(s, sq_export_json_string(out, ""));
    CU_ASSERT_STRING_EQUAL(s, "\"\"");
    free(s);
}

static void test_csv_field(void) {
    char *s = NULL;
    CAPTURE(s, sq_export_csv_field(out, "plain text/path.h5"));
    CU_ASSERT_STRING_EQUAL(s, "plain text/path.h5");
    free(s);
    CAPTURE(s, sq_export_csv_field(out, "node1, node2"));
    CU_ASSERT_STRING_EQUAL(s, "\"node1, node2\"");
    free(s);
    CAPTURE(s, sq_export_csv_field(out, "say \"hi\""));
    CU_ASSERT_STRING_EQUAL(s, "\"say \"\"hi\"\"\"");
    free(s);
    CAPTURE(s, sq_export_csv_field(out, "two\nlines"));
    CU_ASSERT_STRING_EQUAL(s, "\"two\nlines\"");
    free(s);
}

/* Fields of one CSV line (RFC 4180 quoting), counted. */
static int csv_fields(const char *line) {
    int n = 1, quoted = 0;
    for (const char *p = line; *p && (*p != '\n' || quoted); ++p) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            ++n;
    }
    return n;
}

/* A run of range:3 on 2 ranks x 1 thread, with awkward strings. */
static void fill_record(sq_summary *s, sq_provenance *p, double *t, sq_run_record *r, int floats) {
    memset(s, 0, sizeof *s);
    memset(p, 0, sizeof *p);
    s->count = 3;
    s->input_type = floats ? SQ_DTYPE_FLOAT64 : SQ_DTYPE_INT64;
    s->output_type = s->input_type;
    s->sum[0] = 6;
    s->sum[1] = 14;
    s->sum[2] = 36;
    if (!floats) {
        s->has_exact = 1;
        snprintf(s->exact[0], sizeof s->exact[0], "6");
        snprintf(s->exact[1], sizeof s->exact[1], "14");
        snprintf(s->exact[2], sizeof s->exact[2], "36");
        s->has_minmax = 1;
        s->imin = 1;
        s->imax = 3;
    }
    snprintf(p->input_kind, sizeof p->input_kind, "generate");
    snprintf(p->generator, sizeof p->generator, "range:3");
    snprintf(p->hosts, sizeof p->hosts, "node1, node2");
    snprintf(p->command_line, sizeof p->command_line, "sqcube run --output 'a \"b\".h5'");
    snprintf(p->schedule, sizeof p->schedule, "static");
    snprintf(p->io_mode_requested, sizeof p->io_mode_requested, "collective");
    p->ranks = 2;
    p->threads_per_rank = 1;
    p->input_count = 3;
    for (int i = 0; i < 3 * SQ_NPHASES; ++i)
        t[i] = 0.5;
    t[2 * SQ_NPHASES + SQ_PHASE_TOTAL] = 0.25; /* the max of total: 72 bytes in 0.25 s */
    *r = (sq_run_record){s, p, t, t + SQ_NPHASES, t + 2 * SQ_NPHASES, 72.0, "/out/a \"b\".h5"};
}

static void test_csv_header_and_row(void) {
    sq_summary s;
    sq_provenance p;
    double t[3 * SQ_NPHASES];
    sq_run_record r;
    fill_record(&s, &p, t, &r, 0);
    char *h = NULL, *row = NULL;
    CAPTURE(h, sq_export_csv_header(out));
    CAPTURE(row, sq_export_csv_row(out, &r));
    CU_ASSERT_EQUAL(strncmp(h, "timestamp_utc,", 14), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, ",n,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, ",ranks,threads,cores,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, ",total_max_s,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, ",gb_per_s,"));
    CU_ASSERT_EQUAL(strcmp(h + strlen(h) - 17, ",nonfinite_count\n"), 0);
    /* One line each, with as many fields in the row as in the header. */
    CU_ASSERT_EQUAL(strchr(h, '\n'), h + strlen(h) - 1);
    CU_ASSERT_EQUAL(row[strlen(row) - 1], '\n');
    CU_ASSERT_EQUAL(csv_fields(row), csv_fields(h));
    /* Quoted where needed; the exact sums as decimals; 72 bytes / 0.25 s = 2.88e-7 GB/s (to 17
     * digits). */
    CU_ASSERT_PTR_NOT_NULL(strstr(row, ",\"node1, node2\","));
    CU_ASSERT_PTR_NOT_NULL(strstr(row, ",\"/out/a \"\"b\"\".h5\",range:3,3,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(row, ",2,1,2,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(row, ",2.8799999999999998e-07,3,6,14,36,1,3,0\n"));
    free(h);
    free(row);
}

static void test_csv_row_floats(void) {
    sq_summary s;
    sq_provenance p;
    double t[3 * SQ_NPHASES];
    sq_run_record r;
    fill_record(&s, &p, t, &r, 1);
    s.sum[0] = 0.1;
    s.sum[2] = INFINITY;
    char *row = NULL;
    CAPTURE(row, sq_export_csv_row(out, &r));
    /* Float sums round-trip (17 digits); no number among the elements: min and max are nan. */
    CU_ASSERT_PTR_NOT_NULL(strstr(row, ",3,0.10000000000000001,14,inf,nan,nan,0\n"));
    free(row);
}

static void test_json_document(void) {
    sq_summary s;
    sq_provenance p;
    double t[3 * SQ_NPHASES];
    sq_run_record r;
    fill_record(&s, &p, t, &r, 0);
    char *j = NULL;
    CAPTURE(j, sq_export_json(out, &r));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"format\": \"sqcube-summary\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"output\": \"/out/a \\\"b\\\".h5\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum_exact\": \"6\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum_cube\": 36.0,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum_closed_form\": null"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"min\": 1,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"cores\": 2,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"gb_per_s\": 2.8799999999999998e-07"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"hosts\": \"node1, node2\""));
    /* Braces balance outside strings, and no comma comes right before a closing brace. */
    int depth = 0, quoted = 0, ok = 1;
    char last = 0;
    for (const char *c = j; *c; ++c) {
        if (quoted) {
            if (*c == '\\')
                ++c;
            else if (*c == '"')
                quoted = 0;
            continue;
        }
        if (*c == '"')
            quoted = 1;
        else if (*c == '{')
            ++depth;
        else if (*c == '}') {
            ok &= last != ',';
            --depth;
        }
        if (*c != ' ' && *c != '\n')
            last = *c;
    }
    CU_ASSERT_EQUAL(depth, 0);
    CU_ASSERT_TRUE(ok);
    free(j);
}

static void test_json_non_finite(void) {
    sq_summary s;
    sq_provenance p;
    double t[3 * SQ_NPHASES];
    sq_run_record r;
    fill_record(&s, &p, t, &r, 1);
    s.sum[0] = NAN;
    s.sum[1] = -0.0;
    char *j = NULL;
    CAPTURE(j, sq_export_json(out, &r));
    /* JSON has no NaN: null. -0.0 keeps its sign and stays a float. No exact sums for floats. */
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum\": null,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum_sq\": -0.0,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"sum_exact\": null,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"min\": null,"));
    free(j);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"JSON string escaping", test_json_string},
        {"CSV field quoting", test_csv_field},
        {"CSV header and row", test_csv_header_and_row},
        {"CSV row of float input", test_csv_row_floats},
        {"JSON document", test_json_document},
        {"JSON non-finite values", test_json_non_finite},
    };
    return sq_unit_run("export", tests, sizeof tests / sizeof tests[0]);
}
