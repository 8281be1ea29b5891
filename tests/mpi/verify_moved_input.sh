#!/usr/bin/env bash
# verify reads the input recorded in the result; when the input moved, it says so and --input
# points it at the new place; an --input of another size or type is a mismatch (status 3).
# Usage: verify_moved_input.sh SQCUBE DATA WORKDIR
set -euo pipefail
SQCUBE=$1 DATA=$2 WORK=$3
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK/moved"
cp "$DATA/sample.h5" "$WORK/input.h5"
sq_mpi 2 1 run --input "$WORK/input.h5:/x" --output "$WORK/out.h5" --quiet
sq_mpi 2 1 verify "$WORK/out.h5" --quiet || fail "verify of a fresh result failed"

mv "$WORK/input.h5" "$WORK/moved/input.h5"
set +e
sq_mpi 2 1 verify "$WORK/out.h5" 2>"$WORK/stderr" >/dev/null
status=$?
set -e
[ "$status" -eq 1 ] || fail "verify with the input moved away exited $status, expected 1"
grep -q "pass --input FILE" "$WORK/stderr" || fail "no hint about --input: $(cat "$WORK/stderr")"

sq_mpi 3 1 verify "$WORK/out.h5" --input "$WORK/moved/input.h5" >"$WORK/stdout" \
    || fail "verify --input at the new place failed"
grep -q "verify: OK" "$WORK/stdout" || fail "no 'verify: OK' in: $(cat "$WORK/stdout")"

sq_mpi 1 1 run --generate range:5 --output "$WORK/other.h5" --quiet
set +e
sq_mpi 2 1 verify "$WORK/out.h5" --input "$WORK/other.h5:/square" 2>"$WORK/stderr" >/dev/null
status=$?
set -e
[ "$status" -eq 3 ] || fail "verify against an input of another size exited $status, expected 3"
grep -q "has 5 int64 elements" "$WORK/stderr" || fail "unexpected message: $(cat "$WORK/stderr")"
echo "verify_moved_input: all checks passed"
