#!/usr/bin/env bash
# jobs/local/hybrid.sh works as documented: a bound run (1 rank x 1 thread) and an unbound one
# (more ranks x threads than cores) both write a file that `sqcube verify` accepts, with the
# requested ranks and threads recorded; a missing binary or input fails fast with one message.
# Usage: jobs_local.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/common.sh"
JOB="$HERE/../../jobs/local/hybrid.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
for rt in "1 1" "2 1" "$(($(nproc) + 1)) 2"; do
    read -r r t <<<"$rt"
    out="$WORK/r${r}t$t.h5"
    SQCUBE=$SQCUBE bash "$JOB" "$r" "$t" "$out" --generate range:10007 --chunk 1000 --quiet \
        >"$WORK/log" 2>&1 || fail "hybrid.sh $r $t exited $?: $(cat "$WORK/log")"
    sq_mpi 2 1 verify "$out" --quiet >/dev/null || fail "verify of $out failed"
    got=$("$PY" -c 'import sys, h5py; p = h5py.File(sys.argv[1], "r")["provenance"].attrs; print(p["ranks"], p["threads_per_rank"], p["overlap"])' "$out")
    want="$r $t $([ "$t" -ge 2 ] && echo 1 || echo 0)"
    [ "$got" = "$want" ] || fail "hybrid.sh $r $t: provenance says ranks, threads, overlap = $got, expected $want"
    echo "ok hybrid.sh $r x $t: $got"
done
set +e
SQCUBE=$SQCUBE bash "$JOB" 1 1 "$WORK/x.h5" --input "$WORK/missing.h5:/x" 2>"$WORK/err"
st=$?
set -e
[ "$st" -eq 1 ] && grep -q "input file .*missing.h5' not found" "$WORK/err" || fail "missing input: status $st, $(cat "$WORK/err")"
set +e
SQCUBE=$WORK/nope bash "$JOB" 1 1 "$WORK/x.h5" --generate range:10 2>"$WORK/err"
st=$?
set -e
[ "$st" -eq 1 ] && grep -q "no sqcube binary" "$WORK/err" || fail "missing binary: status $st, $(cat "$WORK/err")"
[ ! -e "$WORK/x.h5" ] || fail "a failed job left $WORK/x.h5"
echo "jobs_local: all checks passed"
