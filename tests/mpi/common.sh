# Shared helpers for sqcube's MPI integration tests (sourced, not run).
# Needs: SQCUBE (the binary), and mpirun on PATH.

# Root may run mpirun only with these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own notices would clutter the logs; sqcube's messages go to stderr regardless.
export OMPI_MCA_rmaps_base_oversubscribe=1
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

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

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
