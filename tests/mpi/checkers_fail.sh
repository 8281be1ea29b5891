#!/usr/bin/env bash
# The checkers can fail: check_output.py, compare_outputs.py and `sqcube verify` are each fed
# copies of a good output with one thing wrong (one element, a sum one ulp off, min, max, count, a
# closed form), made with h5py (r+), and each must exit non-zero with a message naming what is
# wrong. A checker that accepted any of these would pass every other test without checking.
# Usage: checkers_fail.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"

sq_mpi 2 1 run --generate range:1000 --chunk 100 --output int.h5 --quiet || fail "the good integer run"
sq_mpi 2 1 run --generate uniform:1000:seed=3:low=-2:high=3 --chunk 100 --output flt.h5 --quiet ||
    fail "the good float run"
for good in int.h5 flt.h5; do # the checkers accept the good files, or the rest proves nothing
    "$PY" "$LIB/check_output.py" "$good" >/dev/null || fail "check_output.py refuses the good $good"
    "$SQCUBE" verify "$good" --quiet >/dev/null || fail "sqcube verify refuses the good $good"
done
"$PY" "$LIB/compare_outputs.py" int.h5 int.h5 >/dev/null || fail "compare_outputs.py refuses two good files"

# name | good file | Python statement on f (the copy, open r+) | what check_output.py,
# compare_outputs.py and sqcube verify must say (extended regular expressions)
CASES=(
    "element|int.h5|f['square'][123] = f['square'][123] + 1|/square\[123\]: expected 15376, actual 15377|/square\[123\]: 15376 vs 15377|element 123 .*found 15377"
    "sum_ulp|int.h5|f.attrs['sum'] = np.nextafter(f.attrs['sum'], np.inf)|sum = 500500.00000000006, expected 500500.0|sum: 500500.0 vs 500500.00000000006|sum is 500500 \(500500.00000000006\)"
    "sum_sq_ulp_float|flt.h5|f.attrs['sum_sq'] = np.nextafter(f.attrs['sum_sq'], -np.inf)|sum_sq = .*, expected|sum_sq: .* must be bitwise identical|sum_sq is"
    "min|int.h5|f.attrs['min'] = f.attrs['min'] - 1|min = 0, expected 1|min: 1 vs 0|min/max are 0/1000, recomputed 1/1000"
    "max|int.h5|f.attrs['max'] = f.attrs['max'] + 1|max = 1001, expected 1000|max: 1000 vs 1001|min/max are 1/1001, recomputed 1/1000"
    "min_float|flt.h5|f.attrs['min'] = np.nextafter(f.attrs['min'], -np.inf)|min = .*, expected|min: |min/max are"
    "count|int.h5|f.attrs['count'] = f.attrs['count'] - 1|count is 999|count: 1000 vs 999|count is 999, recomputed 1000"
    "closed_form|int.h5|f.attrs['sum_closed_form'] = '499501'|sum_closed_form = '499501', expected '500500'|sum_closed_form: '500500' vs '499501'|sum_closed_form is '499501', but the closed form gives 500500"
)
# What `sqcube verify` does not check yet: such a case prints a SKIP line instead of failing;
# once verify catches it, the case counts like the others (remove it from here). Empty: verify
# compares the closed forms with the file's *_closed_form attributes too.
VERIFY_GAPS=" "

n=0
for entry in "${CASES[@]}"; do
    IFS='|' read -r name good stmt want_check want_compare want_verify <<<"$entry"
    bad="bad_$name.h5"
    cp "$good" "$bad"
    "$PY" -c "import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
$stmt
f.close()" "$bad" || fail "$name: could not modify $bad"

    st=0
    "$PY" "$LIB/check_output.py" "$bad" >check.out 2>&1 || st=$?
    [ "$st" -eq 1 ] || fail "$name: check_output.py exited $st, expected 1: $(cat check.out)"
    grep -Eq -- "$want_check" check.out || fail "$name: check_output.py does not say '$want_check': $(cat check.out)"

    st=0
    "$PY" "$LIB/compare_outputs.py" "$good" "$bad" >compare.out 2>&1 || st=$?
    [ "$st" -eq 1 ] || fail "$name: compare_outputs.py exited $st, expected 1: $(cat compare.out)"
    grep -Eq -- "$want_compare" compare.out || fail "$name: compare_outputs.py does not say '$want_compare': $(cat compare.out)"

    st=0
    "$SQCUBE" verify "$bad" >verify.out 2>&1 || st=$?
    who="check_output.py, compare_outputs.py and sqcube verify"
    if [ "$st" -eq 0 ] && [[ $VERIFY_GAPS == *" $name "* ]]; then
        echo "SKIP: sqcube verify accepts a wrong $name (a known gap, issue 21 item 13)"
        who="check_output.py and compare_outputs.py"
    else
        [ "$st" -eq 3 ] || fail "$name: sqcube verify exited $st, expected 3 (mismatch): $(cat verify.out)"
        grep -Eq -- "$want_verify" verify.out || fail "$name: sqcube verify does not say '$want_verify': $(cat verify.out)"
        [ "$(grep -c '^sqcube: error:' verify.out)" -eq 1 ] || fail "$name: sqcube verify: not one error line: $(cat verify.out)"
    fi
    echo "ok $name: $who refuse it"
    n=$((n + 1))
done
echo "checkers_fail: all $n corrupted copies refused"
