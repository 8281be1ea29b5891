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
