#!/usr/bin/env bash
# jobs/slurm/long.sbatch under a real Slurm survives a checkpoint signal: the job is signalled
# with USR1 while sqcube runs (as --signal=B:USR1@120 does before the time limit; here at once
# with scancel --batch), the batch shell passes it to srun, every rank checkpoints and sqcube
# exits 4, the job requeues itself, and the requeued job resumes (--resume) and finishes. The
# result must be bit for bit an uninterrupted run's (compare_outputs.py: datasets and every
# reduction), pass `sqcube verify`, and list both sessions in /provenance/runs.
# Usage: slurm_checkpoint.sh SQCUBE FIXTURE_DIR WORKDIR
set -euo pipefail
SQCUBE=$1 FIX=$2 WORK=$3
source "$(dirname "$0")/common.sh"
need_slurm "$FIX"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
# Large enough that the run is still going when the signal lands: with 3e7 elements a run on the
# fast single-node transport could end between the first flagged chunk and the signal.
N=120000000
GEN=uniform:$N:seed=11
CHUNK=65536

# The uninterrupted reference, outside Slurm.
OMPI_MCA_pml=ob1 timeout 300 mpirun -np 2 --oversubscribe --bind-to none "$SQCUBE" run \
    --generate "$GEN" --chunk "$CHUNK" --output "$WORK/ref.h5" --quiet || fail "reference run"

id=$(export GENERATE=$GEN OUTPUT="$WORK/long.h5" SQCUBE="$SQCUBE" &&
    job_submit "$WORK/long.out" --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 \
        "$JOBS/slurm/long.sbatch" --chunk "$CHUNK" --quiet)
[ -n "$id" ] || fail "sbatch gave no job ID"
# Signal only once sqcube has flagged a chunk done (a signal before the srun step starts is not a
# checkpoint).
job_alive() {
    local st
    st=$(job_state "$id")
    case $st in
    "" | COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL)
        fail "job $id ended (state '$st') before sqcube flagged a chunk done: $(cat "$WORK/long.out")" ;;
    esac
}
for _ in $(seq 600); do
    job_alive
    [ "$(chunks_done "$WORK/long.h5.partial")" -ge 1 ] && break
    sleep 0.1
done
[ "$(chunks_done "$WORK/long.h5.partial")" -ge 1 ] ||
    fail "timed out waiting for a chunk done in $WORK/long.h5.partial (job $id): $(cat "$WORK/long.out")"
scancel --batch --signal=USR1 "$id" || fail "scancel --batch --signal=USR1 $id"

# The job requeues itself; a requeued job waits about two minutes to be eligible: release it.
restarted=0
for _ in $(seq 600); do
    if scontrol show job "$id" | grep -q "Restarts=[1-9]"; then
        restarted=1
        scontrol update jobid="$id" StartTime=now 2>/dev/null || true
        break
    fi
    [ "$(job_state "$id")" != COMPLETED ] || break
    sleep 0.1
done
[ "$restarted" -eq 1 ] || fail "job $id was not requeued after the checkpoint: $(cat "$WORK/long.out")"
st=0
job_wait "$id" 300 || st=$?
[ "$st" -eq 0 ] || fail "the requeued job $id ended with status $st: $(cat "$WORK/long.out")"

grep -q "USR1 received" "$WORK/long.out" || fail "the batch shell did not see USR1: $(cat "$WORK/long.out")"
grep -q "sqcube: stopped: SIGUSR1: .* chunks are done and saved in '$WORK/long.h5.partial'" "$WORK/long.out" ||
    fail "sqcube did not checkpoint: $(cat "$WORK/long.out")"
grep -q "checkpoint saved in $WORK/long.h5.partial; requeueing job $id" "$WORK/long.out" ||
    fail "the job did not requeue itself: $(cat "$WORK/long.out")"
grep -q "(restart 1) .*: resuming from $WORK/long.h5.partial" "$WORK/long.out" ||
    fail "the requeued job did not resume: $(cat "$WORK/long.out")"
check_result "$WORK/long.h5" 2 1 "$CHUNK"
"$PY" "$LIB/compare_outputs.py" "$WORK/ref.h5" "$WORK/long.h5" >/dev/null ||
    fail "the checkpointed and resumed result differs from the uninterrupted one"
"$PY" - "$WORK/long.h5" "$N" "$CHUNK" <<'PY' || fail "/provenance/runs"
import sys, h5py
runs = h5py.File(sys.argv[1], "r")["provenance/runs"]
rows = sorted((int(g.attrs["session"]), g.attrs["status"], int(g.attrs["chunks_done"])) for g in runs.values())
assert [r[:2] for r in rows] == [(1, "stopped by SIGUSR1"), (2, "complete")], rows
n, chunk = int(sys.argv[2]), int(sys.argv[3])
assert sum(r[2] for r in rows) == (n + chunk - 1) // chunk, rows
print("ok /provenance/runs:", rows)
PY
echo "slurm_checkpoint: all checks passed"
