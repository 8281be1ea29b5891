/*
 * test_units.c - CUnit suite for src/units.h: the units of x^2 and x^3 from x's, in UDUNITS-2
 * syntax. The expected strings are written out by hand (UDUNITS' udunits2 tool reads each the
 * same as the unit raised: tests/mpi/netcdf.sh checks that on real outputs).
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <string.h>

#include "unit.h"
#include "units.h"

static void expect(const char *in, int power, const char *want) {
    char out[128];
    CU_ASSERT_EQUAL(sq_units_power(in, power, out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_products(void) {
    expect("K", 2, "K2");
    expect("K", 3, "K3");
    expect(" K ", 2, "K2");
    expect("m s-1", 2, "m2 s-2");
    expect("m.s-1", 3, "m3 s-3");
    expect("m*s^-1", 2, "m2 s-2");
    expect("m s**-2", 2, "m2 s-4");
    expect("kg/m2", 2, "kg2 m-4");
    expect("kg/m2 s", 3, "kg3 m-6 s3");
    expect("W m-2", 3, "W3 m-6");
    expect("m2", 3, "m6");
    expect("degC", 2, "degC2");
    expect("1", 3, "1");
    expect("%", 2, "%2");
}

static void test_fallback_and_none(void) {
    expect("0.01 m", 2, "(0.01 m)2");
    expect("(m/s)", 3, "(m/s)3");
    expect("(m) (s)", 2, "((m) (s))2");
    expect("m s-1 @ 5", 2, "(m s-1 @ 5)2");
    char out[16];
    CU_ASSERT_EQUAL(sq_units_power("", 2, out, sizeof out), -1);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(sq_units_power("   ", 2, out, sizeof out), -1);
    CU_ASSERT_EQUAL(sq_units_power("days since 2000-01-01", 2, out, sizeof out), -1);
    CU_ASSERT_EQUAL(sq_units_power("hours since 1970-01-01 00:00:00", 3, out, sizeof out), -1);
    CU_ASSERT_EQUAL(sq_units_power("kg m-2 s-1 W K", 3, out, 8), -1); /* does not fit */
    CU_ASSERT_STRING_EQUAL(out, "");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"products of named units", test_products},
        {"fallback and no units", test_fallback_and_none},
    };
    return sq_unit_run("units", tests, sizeof tests / sizeof tests[0]);
}
