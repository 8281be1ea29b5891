#!/usr/bin/env bash
# A hybrid MPI + OpenMP run of sqcube on one workstation, bound right:
#   - each rank gets THREADS cores (--map-by slot:PE=THREADS --bind-to core) and its OpenMP
#     threads are spread over those cores (OMP_PLACES=cores, OMP_PROC_BIND=close); when the machine
#     has fewer than RANKS x THREADS cores, nothing is bound (binding would pile threads onto one
#     core) and mpirun may oversubscribe;
#   - Open MPI's ob1 transport, which starts fastest on one node (docs/performance.md);
#   - Ctrl-C or a SIGTERM to this script becomes a checkpoint: it is passed to the ranks as
#     SIGUSR1 (Open MPI's mpirun would turn it into a teardown), every rank finishes its chunk,
#     OUTPUT.partial keeps the progress, and the script exits 4; rerun it with --resume added.
# Usage:
#   bash jobs/local/hybrid.sh RANKS THREADS OUTPUT (--input FILE[:/DATASET] | --generate SPEC) [sqcube run options]
# Example:
#   bash jobs/local/hybrid.sh 1 2 big.h5 --generate range:1e8
# Environment: SQCUBE (the binary; default build/sqcube next to this script's repository).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SQCUBE=${SQCUBE:-$ROOT/build/sqcube}
if [ $# -lt 4 ]; then
    sed -n '2,13p' "$0" >&2
    exit 2
fi
RANKS=$1 THREADS=$2 OUTPUT=$3
shift 3
[[ $RANKS =~ ^[1-9][0-9]*$ && $THREADS =~ ^[1-9][0-9]*$ ]] ||
    { echo "hybrid.sh: RANKS and THREADS must be positive integers (got '$RANKS', '$THREADS')" >&2; exit 2; }
[ -x "$SQCUBE" ] || { echo "hybrid.sh: no sqcube binary at $SQCUBE; build it (bash scripts/build.sh) or set SQCUBE" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "hybrid.sh: mpirun not found; install Open MPI (bash scripts/install-deps.sh)" >&2; exit 1; }
for ((i = 1; i <= $#; i++)); do # an input file must exist before the job starts
    if [ "${!i}" = --input ] || [ "${!i}" = -i ]; then
        j=$((i + 1))
        f=${!j:-}
        f=${f%%:/*}
        [ -r "$f" ] || { echo "hybrid.sh: input file '$f' not found or not readable" >&2; exit 1; }
    fi
done

[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
export OMP_NUM_THREADS=$THREADS
if [ "$(nproc)" -ge $((RANKS * THREADS)) ]; then
    BIND=(--map-by "slot:PE=$THREADS" --bind-to core -x OMP_PLACES=cores -x OMP_PROC_BIND=close)
    export OMP_PLACES=cores OMP_PROC_BIND=close
else
    echo "hybrid.sh: $RANKS x $THREADS is more than the $(nproc) cores here: running unbound" >&2
    BIND=(--bind-to none --oversubscribe)
fi
set -x
mpirun -np "$RANKS" "${BIND[@]}" -x OMP_NUM_THREADS -x OMPI_MCA_pml "$SQCUBE" run --output "$OUTPUT" "$@" &
{ set +x; } 2>/dev/null
MPIRUN=$!
trap 'kill -USR1 "$MPIRUN" 2>/dev/null' TERM INT
status=0
while true; do # wait returns early when a trapped signal arrives: wait again for mpirun itself
    wait "$MPIRUN" && status=0 || status=$?
    kill -0 "$MPIRUN" 2>/dev/null || break
done
exit "$status"
