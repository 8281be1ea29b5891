#!/usr/bin/env bash
# sqcube affinity, --report-affinity, /provenance/affinity and sqcube doctor, on real launches:
# a clean binding passes, threads piled onto one core are caught (affinity says FAIL, doctor exits
# 1), every rank and thread is in the table and in the output file, doctor's checks pass in a good
# directory and fail in a missing one, leave no probe file behind, and its launch lines follow the
# allocation it finds (a Slurm environment is simulated with SLURM_* variables).
# Usage: affinity_doctor.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
rm -rf "$WORK" && mkdir -p "$WORK"
HOST=$(hostname)

# mpirun_raw NP BIND THREADS ARGS...: like sq_mpi, with a binding of our choice.
mpirun_raw() {
    local np=$1 bind=$2 threads=$3
    shift 3
    timeout 120 mpirun -np "$np" --oversubscribe --bind-to "$bind" -x OMP_NUM_THREADS="$threads" \
        "$SQCUBE" "$@"
}

# One rank per core, one thread each: every row present, and the placement is clean.
mpirun_raw 2 core 1 affinity >"$WORK/a1" 2>&1 || fail "affinity (bound) exited $?: $(cat "$WORK/a1")"
rows=$(awk '$1 ~ /^[0-9]+$/' "$WORK/a1" | wc -l)
[ "$rows" -eq 2 ] || fail "affinity: $rows rows for 2 ranks x 1 thread: $(cat "$WORK/a1")"
for r in 0 1; do
    awk -v r="$r" -v h="$HOST" '$1 == r && $2 == 0 && $3 == h' "$WORK/a1" | grep -q . ||
        fail "affinity: no row for rank $r thread 0 on $HOST"
done
grep -q "^placement: ok: " "$WORK/a1" || fail "a bound run should place cleanly: $(cat "$WORK/a1")"
echo "ok affinity, 2 ranks bound to a core each: clean"

# The classic mistake: one rank bound to one core with 2 threads.
mpirun_raw 1 core 2 affinity >"$WORK/a2" 2>&1 || fail "affinity (piled) exited $?"
[ "$(awk '$1 == 0' "$WORK/a2" | wc -l)" -eq 2 ] || fail "affinity: expected 2 thread rows: $(cat "$WORK/a2")"
grep -q "^placement: FAIL: rank 0 on $HOST runs 2 threads on 1 CPU(s)" "$WORK/a2" ||
    fail "piled threads not caught: $(cat "$WORK/a2")"
st=0
mpirun_raw 1 core 2 doctor --output "$WORK/out.h5" >"$WORK/d1" 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "doctor with piled threads exited $st, expected 1: $(cat "$WORK/d1")"
grep -q "^  FAIL  OpenMP threads .*runs 2 threads on 1 CPU(s)" "$WORK/d1" || fail "doctor: $(cat "$WORK/d1")"
grep -q "^sqcube: error: doctor: 1 check(s) failed" "$WORK/d1" || fail "doctor: no error line: $(cat "$WORK/d1")"
echo "ok piled threads: affinity FAIL, doctor exit 1"

# A good setup: every check passes, free space against the expected size, no probe file left.
mpirun_raw 2 none 1 doctor --generate range:1e6 --output "$WORK/out.h5" >"$WORK/d2" 2>&1 ||
    fail "doctor (good) exited $?: $(cat "$WORK/d2")"
for check in "parallel HDF5" "MPI" "file locking" "parallel create" "free space"; do
    grep -q "^  ok    $check " "$WORK/d2" || fail "doctor: '$check' not ok: $(cat "$WORK/d2")"
done
# 16 bytes per element, 4 per chunk, 1 MiB of metadata: 16e6 + 8 + 1048576 bytes = 0.02 GB.
grep -q "the output of 1000000 elements needs 0.02 GB" "$WORK/d2" || fail "doctor: expected size: $(cat "$WORK/d2")"
grep -q "^verdict: 0 check(s) failed" "$WORK/d2" || fail "doctor: verdict: $(cat "$WORK/d2")"
[ -z "$(ls -A "$WORK" | grep -v '^[ad][0-9]$')" ] || fail "doctor left files: $(ls -A "$WORK")"
echo "ok doctor on a good setup: all checks pass, nothing left behind"

# A missing output directory fails the file checks.
st=0
mpirun_raw 1 none 1 doctor --output "$WORK/missing/out.h5" >"$WORK/d3" 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "doctor in a missing directory exited $st"
grep -q "^  FAIL  file locking .*cannot create a file in '$WORK/missing'" "$WORK/d3" || fail "doctor: $(cat "$WORK/d3")"
grep -q "^  FAIL  parallel create " "$WORK/d3" || fail "doctor: $(cat "$WORK/d3")"
echo "ok doctor in a missing directory: file checks fail"

# Launch lines follow the allocation: a Slurm job of 4 tasks x 2 CPUs on 2 nodes.
SLURM_JOB_ID=1 SLURM_NTASKS=4 SLURM_CPUS_PER_TASK=2 SLURM_JOB_NUM_NODES=2 \
    timeout 120 mpirun -np 1 --bind-to none -x SLURM_JOB_ID -x SLURM_NTASKS -x SLURM_CPUS_PER_TASK \
    -x SLURM_JOB_NUM_NODES "$SQCUBE" doctor --output "$WORK/out.h5" >"$WORK/d4" 2>&1 || true
grep -q "Slurm allocation: 4 task(s) on 2 node(s), 2 CPU(s) per task" "$WORK/d4" || fail "doctor launch: $(cat "$WORK/d4")"
grep -q "srun --mpi=pmix -N 2 --ntasks-per-node=2 --cpus-per-task=2 --cpu-bind=cores" "$WORK/d4" ||
    fail "doctor srun line: $(cat "$WORK/d4")"
echo "ok doctor's launch lines follow the Slurm allocation"

# A run prints the table with --report-affinity and always records it in /provenance/affinity.
sq_mpi 3 2 run --generate range:1000 --chunk 100 --output "$WORK/r.h5" --report-affinity >"$WORK/r.log" ||
    fail "run --report-affinity exited $?"
grep -q "^placement: " "$WORK/r.log" || fail "--report-affinity printed no table: $(head "$WORK/r.log")"
[ "$(awk '$1 ~ /^[0-9]+$/ && NF >= 5' "$WORK/r.log" | wc -l)" -eq 6 ] || fail "--report-affinity: expected 6 rows"
"$PY" - "$WORK/r.h5" "$HOST" <<'PYEOF' || fail "/provenance/affinity"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
a = f["provenance/affinity"][...]
pairs = sorted((int(r["rank"]), int(r["thread"])) for r in a)
assert pairs == [(r, t) for r in range(3) for t in range(2)], pairs
assert all(r["host"].decode() == sys.argv[2] for r in a), set(a["host"])
assert all(r["threads"] == 2 and r["mask_cpus"] >= 1 for r in a)
print("ok /provenance/affinity: 3 ranks x 2 threads on", sys.argv[2])
PYEOF
echo "affinity_doctor: all checks passed"
