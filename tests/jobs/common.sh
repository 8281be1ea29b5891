# Shared helpers for the job-script tests (sourced, not run): skipping with a reason, submitting to
# the fixture's Slurm and waiting, and checking a result file the way every job test does.
# Needs: SQCUBE (the binary). PY, LIB, SKIP, fail, skip and sq_mpi come from tests/lib/common.sh.

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
unset OMPI_MCA_rmaps_base_oversubscribe # the job scripts decide their own placement
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JOBS=$(cd "$HERE/../../jobs" && pwd)

# need_slurm FIXTURE_DIR: skip (with the fixture's reason) where the fixture cannot run, fail where
# it should have started but did not, then point the Slurm clients at it.
need_slurm() {
    local reason
    reason=$(bash "$HERE/slurm_fixture.sh" check) || skip "${reason#SKIP: }"
    [ -r "$1/env" ] || fail "the Slurm fixture in $1 is not up (the jobs_slurm_up test sets it up)"
    # Run inside a real job (ctest in an allocation), the job's SLURM_*/SBATCH_* settings would
    # leak into the test jobs: start from none of them.
    local v
    for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SRUN|SALLOC)_' || true); do unset "$v"; done
    # shellcheck disable=SC1091
    source "$1/env"
    scontrol ping 2>/dev/null | grep -q 'is UP' || fail "the fixture's slurmctld ($SLURM_CONF) does not answer"
}

# submit LOG SBATCH_ARGS...: sbatch --wait with a time limit, the job's output in LOG; returns the
# job's exit status (sbatch --wait passes it on).
submit() {
    local log=$1
    shift
    timeout 300 sbatch --wait --quiet --time=5 --output="$log" "$@"
}

# job_submit LOG SBATCH_ARGS...: submit without waiting; prints the job ID. For tests that act on
# a running job (signal it, requeue it), then job_wait.
job_submit() {
    local log=$1
    shift
    sbatch --parsable --time=5 --output="$log" "$@" | cut -d';' -f1
}

# job_state ID: the job's state (PENDING, RUNNING, COMPLETED, FAILED, ...), empty once forgotten
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }

# job_wait ID [SECONDS]: wait until the job has ended (default limit 300 s); returns its exit status
# (the batch script's), 124 on time-out. A requeued job counts as not ended.
job_wait() {
    local id=$1 limit=${2:-300} t=0 st
    while :; do
        st=$(job_state "$id")
        case $st in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) break ;;
        esac
        [ "$t" -lt $((limit * 2)) ] || return 124
        sleep 0.5
        t=$((t + 1))
    done
    st=$(scontrol show job "$id" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p')
    return "${st:-1}"
}

# check_result FILE RANKS THREADS CHUNK: FILE exists under its final name only, `sqcube verify`
# and the independent checker (check_output.py, which shares no code with sqcube) accept it, and
# /provenance records RANKS ranks x THREADS threads per rank and a chunk of CHUNK
# elements (the tests pass --chunk through the script to sqcube: its arguments reach the program).
check_result() {
    local f=$1 ranks=$2 threads=$3 chunk=$4 got
    [ -f "$f" ] || fail "no result file $f"
    [ ! -e "$f.partial" ] || fail "$f.partial is left next to $f"
    "$SQCUBE" verify "$f" --quiet >/dev/null || fail "sqcube verify rejects $f"
    "$PY" "$LIB/check_output.py" "$f" >/dev/null || fail "check_output.py rejects $f"
    got=$("$PY" -c 'import sys, h5py; p = h5py.File(sys.argv[1], "r")["provenance"].attrs; print(p["ranks"], p["threads_per_rank"], p["chunk"])' "$f")
    [ "$got" = "$ranks $threads $chunk" ] ||
        fail "$f: /provenance says ranks, threads_per_rank, chunk = $got; the job asked for $ranks $threads $chunk"
}

# expect_fail STATUS LOG PATTERN WHAT: a job (or script) exited STATUS 1 and LOG says PATTERN.
expect_fail() {
    local st=$1 log=$2 pattern=$3 what=$4
    [ "$st" -eq 1 ] || fail "$what: exit status $st, expected 1; output: $(cat "$log")"
    grep -q -- "$pattern" "$log" || fail "$what: no message matching '$pattern' in: $(cat "$log")"
    [ "$(grep -c . "$log")" -eq 1 ] || fail "$what: expected one line, got: $(cat "$log")"
}
