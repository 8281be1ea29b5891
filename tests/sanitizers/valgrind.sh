#!/usr/bin/env bash
# Valgrind memcheck over single-rank sqcube runs: a small generated run, a small file input (the
# HDF5 reader), `verify` of each and `info`. Any memory error, or a definite leak that is not one
# of Open MPI's own (tests/sanitizers/valgrind.supp, each entry with its reason), fails the test;
# the outputs are also checked by the independent h5py/numpy checker.
# Usage: valgrind.sh SQCUBE DATA WORKDIR
set -euo pipefail
SQCUBE=$1 DATA=$2 WORK=$3
source "$(dirname "$0")/../lib/common.sh"
SUPP="$(cd "$(dirname "$0")" && pwd)/valgrind.supp"
command -v valgrind >/dev/null || fail "valgrind is not installed (apt-get install valgrind)"
rm -rf "$WORK" && mkdir -p "$WORK"
export OMPI_MCA_pml=ob1 # one process: no other transports to start

vg() { # vg NAME ARGS...: sqcube ARGS on one rank x 2 threads under memcheck
    local name=$1
    shift
    timeout 600 mpirun -np 1 -x OMP_NUM_THREADS=2 valgrind --error-exitcode=99 \
        --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        --track-origins=yes --num-callers=30 --suppressions="$SUPP" \
        --log-file="$WORK/$name.vg.log" "$SQCUBE" "$@" >"$WORK/$name.out" 2>&1 || {
        cat "$WORK/$name.out" "$WORK/$name.vg.log"
        fail "$name: sqcube under valgrind exited $? (99: memcheck found errors)"
    }
    grep -q 'ERROR SUMMARY: 0 errors' "$WORK/$name.vg.log" || { cat "$WORK/$name.vg.log"; fail "$name: memcheck errors"; }
    echo "ok $name: $(grep -o 'ERROR SUMMARY.*' "$WORK/$name.vg.log"); $(grep -o 'definitely lost: .*' "$WORK/$name.vg.log" || echo 'no leaks')"
}
vg run_generate run --generate range:1000 --chunk 100 --output "$WORK/gen.h5" --quiet
vg verify_generate verify "$WORK/gen.h5"
vg run_file run --input "$DATA/sample.h5:/x" --chunk 3 --output "$WORK/file.h5" --quiet
vg verify_file verify "$WORK/file.h5"
vg info info "$WORK/gen.h5"
"$PY" "$LIB/check_output.py" "$WORK/gen.h5" >/dev/null || fail "check_output.py refused gen.h5"
"$PY" "$LIB/check_output.py" "$WORK/file.h5" >/dev/null || fail "check_output.py refused file.h5"
echo "valgrind: 5 runs clean"
