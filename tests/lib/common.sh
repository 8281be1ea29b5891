# shellcheck shell=bash disable=SC2034 # PY, LIB, SKIP, SQ_SIZE are for the scripts that source this
# Shared helpers for sqcube's test scripts (sourced, not run): the MPI integration tests
# (tests/mpi), the users, sanitizer and fault tests, and through tests/jobs/common.sh the job tests.
# Needs: SQCUBE (the binary), and mpirun on PATH for sq_mpi.
#   LIB        this folder: the result checkers "$PY" "$LIB/check_output.py", compare_outputs.py
#   PY         the Python with h5py and numpy
#   SQ_SIZE    quick | full (SQCUBE_TEST_SIZE, default full): how large a test's cases may be
#   fail MSG   print "FAIL: MSG" and exit 1;  skip MSG   print "SKIP: MSG" and exit 77 (ctest skip)
#   sq_mpi NP THREADS ARGS...   run sqcube under mpirun with a time limit

# Root may run mpirun only with these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# The MPI tests run more ranks than this machine has cores (tests/jobs/common.sh turns this off:
# the job scripts place their ranks themselves).
export OMPI_MCA_rmaps_base_oversubscribe=1
PY=/usr/bin/python3
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SKIP=77 # the tests' SKIP_RETURN_CODE
SQ_SIZE=${SQCUBE_TEST_SIZE:-full}
case $SQ_SIZE in
quick | full) ;;
*)
    echo "FAIL: SQCUBE_TEST_SIZE=$SQ_SIZE: expected quick or full" >&2
    exit 1
    ;;
esac

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: $*"
    exit $SKIP
}

# sq_mpi NP THREADS ARGS...: run sqcube on NP ranks x THREADS OpenMP threads, unbound (the test
# machine has fewer cores than ranks x threads), with a time limit so a hang fails the test.
# SQ_MPI_ENV (an array of NAME=VALUE) is passed to the ranks as well.
SQ_MPI_ENV=()
sq_mpi() {
    local np=$1 threads=$2 e
    shift 2
    local pass=()
    for e in "${SQ_MPI_ENV[@]}"; do pass+=(-x "$e"); done
    timeout 300 mpirun -np "$np" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$threads" \
        "${pass[@]}" "$SQCUBE" "$@"
}

# wait_for SECONDS WHAT CMD...: run CMD every 0.1 s until it succeeds; after SECONDS, fail with
# "timed out after SECONDS s waiting for WHAT". Tests wait for a condition, never a fixed delay.
wait_for() {
    local limit=$1 what=$2 end
    shift 2
    end=$((SECONDS + limit))
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || fail "timed out after $limit s waiting for $what"
        sleep 0.1
    done
}

# chunks_done FILE: how many chunks FILE (an OUTPUT.partial being written) flags in
# /checkpoint/done; 0 while it cannot be read yet. The writers hold the file: no HDF5 locking.
chunks_done() {
    HDF5_USE_FILE_LOCKING=FALSE "$PY" -c 'import sys, h5py
try:
    with h5py.File(sys.argv[1], "r") as f:
        print(int((f["checkpoint/done"][...] != 0).sum()))
except Exception:
    print(0)' "$1" 2>/dev/null || echo 0
}

# wait_chunks PID FILE N SECONDS [LOG]: wait until FILE flags at least N chunks as done. Fails
# when process PID (the run) ends first (the run was too short to be caught mid-way; LOG shows
# its output) or after SECONDS.
wait_chunks() {
    local pid=$1 file=$2 n=$3 limit=$4 log=${5:-/dev/null} end
    end=$((SECONDS + limit))
    while [ "$(chunks_done "$file")" -lt "$n" ]; do
        kill -0 "$pid" 2>/dev/null ||
            fail "the run ended before $file flagged $n chunks as done: $(tail -5 "$log")"
        [ "$SECONDS" -lt "$end" ] ||
            fail "timed out after $limit s waiting for $n chunks done in $file: $(tail -5 "$log")"
        sleep 0.1
    done
}
