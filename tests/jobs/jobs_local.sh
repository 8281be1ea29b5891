#!/usr/bin/env bash
# jobs/local/hybrid.sh works as documented: a bound run (1 rank x 1 thread) and an unbound one
# (more ranks x threads than cores) both write a file that `sqcube verify` accepts, with the
# requested ranks and threads recorded; a missing binary or input fails fast with one message.
# Usage: jobs_local.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/common.sh"
# As when this test lived in tests/mpi: mpirun may oversubscribe (the verify runs on 2 ranks).
export OMPI_MCA_rmaps_base_oversubscribe=1
JOB="$JOBS/local/hybrid.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
for rt in "1 1" "2 1" "$(($(nproc) + 1)) 2"; do
    read -r r t <<<"$rt"
    out="$WORK/r${r}t$t.h5"
    SQCUBE=$SQCUBE bash "$JOB" "$r" "$t" "$out" --generate range:10007 --chunk 1000 --quiet \
        >"$WORK/log" 2>&1 || fail "hybrid.sh $r $t exited $?: $(cat "$WORK/log")"
    sq_mpi 2 1 verify "$out" --quiet >/dev/null || fail "verify of $out failed"
    "$PY" "$LIB/check_output.py" "$out" >/dev/null || fail "check_output.py rejects $out"
    got=$("$PY" -c 'import sys, h5py; p = h5py.File(sys.argv[1], "r")["provenance"].attrs; print(p["ranks"], p["threads_per_rank"], p["overlap"])' "$out")
    want="$r $t $([ "$t" -ge 2 ] && echo 1 || echo 0)"
    [ "$got" = "$want" ] || fail "hybrid.sh $r $t: provenance says ranks, threads, overlap = $got, expected $want"
    echo "ok hybrid.sh $r x $t: $got"
done
# Where the machine has the cores, 2 x 1 is bound, one core per rank: --report-affinity's check
# says "placement: ok" (a regression to running unbound, or to binding both ranks to one core,
# says FAIL or warns).
cores=$(bash "$JOB" --cores)
if [ "$cores" -ge 2 ]; then
    out="$WORK/placed.h5"
    SQCUBE=$SQCUBE bash "$JOB" 2 1 "$out" --generate range:10007 --chunk 1000 --report-affinity \
        --progress off >"$WORK/log" 2>&1 || fail "hybrid.sh 2 1 --report-affinity exited $?: $(cat "$WORK/log")"
    ! grep -q "running unbound" "$WORK/log" || fail "hybrid.sh 2 1 ran unbound on $cores cores: $(cat "$WORK/log")"
    grep -q "^placement: ok" "$WORK/log" ||
        fail "hybrid.sh 2 1 --report-affinity on $cores cores: no 'placement: ok': $(cat "$WORK/log")"
    echo "ok hybrid.sh 2 x 1 on $cores cores: placement: ok"
else
    echo "SKIP: the placement check of hybrid.sh 2 x 1 needs 2 cores; this machine has $cores"
fi
# A SIGTERM to the script checkpoints (the ranks get SIGUSR1) and exits 4; --resume finishes it.
# Small chunks (31250 of them) keep the run going long after its first chunk is flagged done in
# the .partial file, which is when the test signals.
out="$WORK/stopped.h5"
SQCUBE=$SQCUBE bash "$JOB" 2 1 "$out" --generate uniform:2e6 --chunk 64 --quiet >"$WORK/log" 2>&1 &
job=$!
wait_chunks "$job" "$out.partial" 1 120 "$WORK/log"
kill -TERM "$job" 2>/dev/null || fail "hybrid.sh ended before the SIGTERM (a run faster than this test expects): $(cat "$WORK/log")"
st=0
wait "$job" || st=$?
[ "$st" -eq 4 ] || fail "hybrid.sh after SIGTERM exited $st, expected 4: $(cat "$WORK/log")"
grep -q "sqcube: stopped: SIGUSR1: " "$WORK/log" || fail "hybrid.sh after SIGTERM: $(cat "$WORK/log")"
[ -f "$out.partial" ] && [ ! -e "$out" ] || fail "hybrid.sh after SIGTERM: expected only $out.partial"
SQCUBE=$SQCUBE bash "$JOB" 1 2 "$out" --generate uniform:2e6 --chunk 64 --quiet --resume \
    >"$WORK/log" 2>&1 || fail "hybrid.sh --resume exited $?: $(cat "$WORK/log")"
sq_mpi 2 1 verify "$out" --quiet >/dev/null || fail "verify of the resumed $out failed"
"$PY" "$LIB/check_output.py" "$out" >/dev/null || fail "check_output.py rejects the resumed $out"
echo "ok hybrid.sh: SIGTERM checkpoints (status 4), --resume finishes and verifies"
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
