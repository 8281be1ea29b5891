#!/usr/bin/env bash
# jobs/pbs/hybrid.pbs without PBS: run as PBS Pro would run it, with PBS_NODEFILE (this host listed
# once per rank), PBS_O_WORKDIR, PBS_JOBID, NCPUS and OMP_NUM_THREADS set, as 2 ranks x 1 thread
# (generated input) and 1 rank x 2 threads (threads from NCPUS; an HDF5 input file). Each result
# must pass `sqcube verify` and record those ranks and threads; each rank must be bound to as many
# cores as it has threads, no two ranks to the same ones (mpirun --report-bindings). A missing
# binary, a missing input, and no PBS job each fail at once with one line and no output.
# Usage: pbs_hybrid.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/common.sh"
[ "$(nproc)" -ge 2 ] || skip "needs 2 cores for 1 rank x 2 threads bound (this machine has $(nproc))"
command -v mpirun >/dev/null || fail "mpirun not found"
SCRIPT=$JOBS/pbs/hybrid.pbs
rm -rf "$WORK" && mkdir -p "$WORK/run"
cd "$WORK"
"$PY" -c 'import sys, h5py, numpy as np; h5py.File(sys.argv[1], "w")["x"] = np.linspace(-3, 3, 5001)' in.h5

# pbs NAME NODEFILE_LINES ENV...: the script as PBS would start it, from another directory
pbs() {
    local name=$1 lines=$2
    shift 2
    printf 'localhost\n%.0s' $(seq "$lines") >"$WORK/$name.nodes"
    (cd / && env -u OMP_NUM_THREADS -u NCPUS PBS_NODEFILE="$WORK/$name.nodes" PBS_O_WORKDIR="$WORK/run" \
        PBS_JOBID="$name.pbs-test" SQCUBE="$SQCUBE" MPIRUN_ARGS=--report-bindings "$@" \
        timeout 120 bash "$SCRIPT" --chunk 1000)
}
# bindings LOG RANKS THREADS: every rank bound to THREADS cores, the ranks to different cores
bindings() {
    "$PY" - "$@" "$(nproc)" <<'PY'
import re, sys
log, ranks, threads, ncpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
masks = {}
for line in open(log):
    m = re.search(r"MCW rank (\d+) (bound to .*: (\S+)|is not bound)", line)
    if m:
        masks[int(m.group(1))] = m.group(3) or "B" * ncpu  # "not bound (or bound to all)": every core
assert sorted(masks) == list(range(ranks)), f"binding reports for ranks {sorted(masks)}"
for r, mask in masks.items():
    assert mask.count("B") == threads, f"rank {r} bound to {mask}, expected {threads} core(s)"
assert len(set(masks.values())) == ranks, f"ranks share cores: {masks}"
print("bindings", " ".join(f"{r}:{m}" for r, m in sorted(masks.items())))
PY
}

st=0
pbs r2t1 2 OMP_NUM_THREADS=1 NCPUS=2 GENERATE=range:20001 >r2t1.log 2>&1 || st=$?
[ "$st" -eq 0 ] || fail "2 x 1 exited $st: $(cat r2t1.log)"
check_result run/sqcube-r2t1.pbs-test.h5 2 1 1000
b=$(bindings r2t1.log 2 1) || fail "2 x 1: ranks not bound as asked: $(cat r2t1.log)"
echo "ok 2 x 1: verified, $b"
pbs r1t2 1 NCPUS=2 INPUT="$WORK/in.h5:/x" >r1t2.log 2>&1 || st=$?
[ "$st" -eq 0 ] || fail "1 x 2 exited $st: $(cat r1t2.log)"
check_result run/sqcube-r1t2.pbs-test.h5 1 2 1000
b=$(bindings r1t2.log 1 2) || fail "1 x 2: rank not bound as asked: $(cat r1t2.log)"
echo "ok 1 x 2: verified, $b"

rm -rf run && mkdir run
st=0 && pbs nobin 1 SQCUBE="$WORK/nope" GENERATE=range:10 >nobin.log 2>&1 || st=$?
expect_fail "$st" nobin.log "error: sqcube binary '$WORK/nope' not found" "missing binary"
st=0 && pbs noinput 1 INPUT="$WORK/missing.h5:/x" >noinput.log 2>&1 || st=$?
expect_fail "$st" noinput.log "error: input file '$WORK/missing.h5' not found" "missing input"
st=0 && (env -u PBS_NODEFILE SQCUBE="$SQCUBE" GENERATE=range:10 bash "$SCRIPT") >nopbs.log 2>&1 || st=$?
expect_fail "$st" nopbs.log "error: not inside a PBS job" "outside PBS"
[ -z "$(ls run)" ] || fail "a failed run left $(ls run)"
echo "ok fail fast: missing binary, missing input, outside PBS: exit 1, one line each"
echo "pbs_hybrid: all checks passed"
