/*
 * test_record.c - CUnit suite for src/record.h's sq_distinct_names (the host list of /provenance):
 * the distinct names in the order of first appearance, the cut at the buffer's size, against a
 * brute-force pairwise search on many random tables.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "record.h"
#include "unit.h"

#define STRIDE 32

/* The obvious O(n^2) version, written independently. */
static int brute(const char *names, int n, char *buf, size_t len) {
    size_t used = 0;
    int distinct = 0, cut = 0;
    buf[0] = '\0';
    for (int r = 0; r < n; ++r) {
        const char *h = names + (size_t)r * STRIDE;
        int seen = 0;
        for (int q = 0; q < r && !seen; ++q)
            seen = strcmp(h, names + (size_t)q * STRIDE) == 0;
        if (seen)
            continue;
        ++distinct;
        if (cut)
            continue;
        const size_t need = strlen(h) + (used ? 2 : 0);
        if (used + need + 5 >= len) {
            snprintf(buf + used, len - used, ", ...");
            cut = 1;
            continue;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", h);
    }
    return distinct;
}

/* /provenance texts that sqcube writes from fixed text must fit their fields whole: the float
 * summation method was once cut at 255 characters ("...rounded once to nearest: the corr"). */
static void test_provenance_texts_fit(void) {
    sq_provenance p;
    const sq_dtype types[] = {SQ_DTYPE_INT64, SQ_DTYPE_FLOAT64};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; ++i) {
        const char *m = sq_stats_method(types[i]);
        CU_ASSERT_TRUE(strlen(m) < sizeof p.summation);
        snprintf(p.summation, sizeof p.summation, "%s", m);
        CU_ASSERT_STRING_EQUAL(p.summation, m);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(sq_stats_method(SQ_DTYPE_FLOAT64),
                                  "the correctly rounded sum, identical for every decomposition"));
    /* The longest shape: SQ_MAX_RANK extents of 19 digits. */
    sq_shape shape = {.rank = SQ_MAX_RANK};
    for (int k = 0; k < SQ_MAX_RANK; ++k)
        shape.dims[k] = INT64_MAX;
    sq_shape_format(&shape, p.input_shape, sizeof p.input_shape);
    CU_ASSERT_EQUAL(strlen(p.input_shape), (size_t)SQ_MAX_RANK * 19 + (SQ_MAX_RANK - 1) * 3);
}

static void test_examples(void) {
    char names[6][STRIDE] = {"nid2", "nid1", "nid2", "nid3", "nid1", "nid2"};
    char buf[64];
    CU_ASSERT_EQUAL(sq_distinct_names(&names[0][0], 6, STRIDE, buf, sizeof buf), 3);
    CU_ASSERT_STRING_EQUAL(buf, "nid2, nid1, nid3");
    CU_ASSERT_EQUAL(sq_distinct_names(&names[0][0], 1, STRIDE, buf, sizeof buf), 1);
    CU_ASSERT_STRING_EQUAL(buf, "nid2");
    CU_ASSERT_EQUAL(sq_distinct_names(&names[0][0], 0, STRIDE, buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    char small[16];
    CU_ASSERT_EQUAL(sq_distinct_names(&names[0][0], 6, STRIDE, small, sizeof small), 3);
    CU_ASSERT_STRING_EQUAL(small, "nid2, nid1, ..."); /* 10 bytes + ", ..." + NUL fit 16 */
}

static void test_random_against_brute_force(void) {
    srand(12345);
    char *names = malloc((size_t)2000 * STRIDE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(names);
    for (int trial = 0; trial < 300; ++trial) {
        const int n = 1 + rand() % 2000, hosts = 1 + rand() % 300;
        for (int r = 0; r < n; ++r)
            snprintf(names + (size_t)r * STRIDE, STRIDE, "host%d", rand() % hosts);
        char got[512], want[512];
        const size_t len = (size_t)(8 + rand() % 500);
        const int a = sq_distinct_names(names, n, STRIDE, got, len);
        const int b = brute(names, n, want, len);
        CU_ASSERT_EQUAL(a, b);
        CU_ASSERT_STRING_EQUAL(got, want);
    }
    free(names);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"provenance texts fit their fields whole", test_provenance_texts_fit},
        {"distinct names: examples and the cut", test_examples},
        {"distinct names: random tables against brute force", test_random_against_brute_force},
    };
    return sq_unit_run("record", tests, sizeof tests / sizeof tests[0]);
}
