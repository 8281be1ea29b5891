/*
 * unit.h - what every CUnit suite shares: a table of tests, registered and run verbosely, with the
 * exit status a test runner expects (0 all passed, 1 a failure, 2 CUnit itself failed).
 */
#ifndef SQCUBE_TESTS_UNIT_H
#define SQCUBE_TESTS_UNIT_H

#include <CUnit/Basic.h>
#include <stddef.h>

typedef struct sq_unit_test {
    const char *name;
    CU_TestFunc fn;
} sq_unit_test;

/* An __int128 in decimal, for expected values computed independently of sq_i256 (buf: 41 bytes). */
static inline void sq_unit_i128_dec(__int128 v, char *buf) {
    char tmp[64];
    int n = 0;
    const int neg = v < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    int k = 0;
    if (neg)
        buf[k++] = '-';
    while (n)
        buf[k++] = tmp[--n];
    buf[k] = '\0';
}

static inline int sq_unit_run(const char *suite, const sq_unit_test *tests, size_t n) {
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    int ok = s != NULL;
    for (size_t i = 0; ok && i < n; ++i)
        ok = CU_add_test(s, tests[i].name, tests[i].fn) != NULL;
    if (!ok || (CU_basic_set_mode(CU_BRM_VERBOSE), CU_basic_run_tests()) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    const unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures != 0;
}

#endif
