#!/usr/bin/env bash
# jobs/slurm/hybrid.sbatch under a real Slurm: submitted as 2 ranks x 1 thread (generated input)
# and 1 rank x 2 threads (an HDF5 input file), each result accepted by `sqcube verify`, with the
# ranks and threads the job asked for in /provenance, and each task bound to as many cores as it
# has threads, no two tasks to the same core (the masks srun --cpu-bind=verbose logs).
# Usage: slurm_hybrid.sh SQCUBE FIXTURE_DIR WORKDIR
set -euo pipefail
SQCUBE=$1 FIX=$2 WORK=$3
source "$(dirname "$0")/common.sh"
need_slurm "$FIX"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
"$PY" -c 'import sys, h5py, numpy as np; h5py.File(sys.argv[1], "w")["x"] = np.arange(-5000, 5000, dtype=np.int32).reshape(100, 100)' in.h5

# ranks x threads, and the input: sbatch options on the command line override the #SBATCH lines.
run() { # NAME RANKS THREADS ENV...
    local name=$1 r=$2 t=$3 st=0 m
    shift 3
    (export "$@" OUTPUT="$WORK/$name.h5" SQCUBE="$SQCUBE" && submit "$WORK/$name.out" --nodes=1 \
        --ntasks-per-node="$r" --cpus-per-task="$t" "$JOBS/slurm/hybrid.sbatch" --chunk 1000) || st=$?
    [ "$st" -eq 0 ] || fail "$name: job exited $st: $(cat "$WORK/$name.out")"
    check_result "$WORK/$name.h5" "$r" "$t" 1000
    m=$(masks "$WORK/$name.out" "$r" "$t") || fail "$name: tasks not bound as asked; job log: $(cat "$WORK/$name.out")"
    echo "ok $name: $r x $t, verified, $m"
}
# masks LOG RANKS THREADS: the job log has one core mask per task, each of THREADS cores, disjoint
masks() {
    "$PY" - "$@" <<'PY'
import re, sys
log, ranks, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = {int(t): int(x, 16) for t, x in re.findall(r"cpu-bind=MASK - \S+ task +(\d+) +\d+ \[\d+\]: mask (0x[0-9a-f]+) set", open(log).read())}
assert sorted(m) == list(range(ranks)), f"core masks logged for tasks {sorted(m)}, expected {ranks}"
for t, x in m.items():
    assert bin(x).count("1") == threads, f"task {t} bound to mask {x:#x}, expected {threads} core(s)"
assert bin(sum(m.values())).count("1") == ranks * threads, f"tasks share cores: {m}"
print("masks " + " ".join(f"{t}:{x:#x}" for t, x in sorted(m.items())))
PY
}
run gen_2x1 2 1 GENERATE=range:100003
run file_1x2 1 2 INPUT="$WORK/in.h5:/x"
"$PY" -c 'import sys, h5py; a = h5py.File(sys.argv[1], "r").attrs; assert a["count"] == 10000 and a["min"] == -5000 and a["max"] == 4999, dict(a)' file_1x2.h5 ||
    fail "file_1x2.h5 does not hold the 10000 elements of in.h5"

echo "slurm_hybrid: all checks passed"
