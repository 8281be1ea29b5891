#!/usr/bin/env bash
# Quick start: install what is missing, build, run the default job on 2 MPI ranks with OpenMP
# threads, verify the result, and say where the output went.
#   bash scripts/quickstart.sh
# Environment: OMP_NUM_THREADS (default: half the cores, at least 1, so that each thread has a core
# of its own), SQCUBE_N (default 1e7 elements), SQCUBE_OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/build.sh" "$ROOT/build" >/dev/null
echo "quickstart: built $ROOT/build/sqcube"

# The physical cores this process may run on, counted by the job script (not `nproc`, which
# honours OMP_NUM_THREADS); by default each of the 2 ranks gets half of them as threads.
CORES=$(bash "$ROOT/jobs/local/hybrid.sh" --cores)
THREADS=${OMP_NUM_THREADS:-$((CORES >= 2 ? CORES / 2 : 1))}
N=${SQCUBE_N:-1e7}
OUT=${SQCUBE_OUT:-$ROOT/out/quickstart.h5}
mkdir -p "$(dirname "$OUT")"
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's ob1 transport starts about 0.2 s sooner than the default (UCX) here, for
# the same run (docs/performance.md). Across nodes leave the choice to the MPI library.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
# Each rank gets THREADS cores when the machine has them; on a smaller one, no binding (binding
# a rank to one core would pile its threads onto it) and idle threads sleep instead of spinning
# (spinning threads of one rank take the cores from the other's: jobs/local/hybrid.sh).
if [ "$CORES" -ge $((2 * THREADS)) ]; then
    BIND=(--map-by "slot:PE=$THREADS" --bind-to core)
else
    echo "quickstart: 2 x $THREADS is more than the $CORES cores here: running unbound" >&2
    export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
    BIND=(--bind-to none --oversubscribe -x OMP_WAIT_POLICY)
fi
export OMP_NUM_THREADS=$THREADS
set -x
mpirun -np 2 "${BIND[@]}" -x OMP_NUM_THREADS "$ROOT/build/sqcube" run --generate "range:$N" \
    --output "$OUT" --force
mpirun -np 2 "${BIND[@]}" -x OMP_NUM_THREADS "$ROOT/build/sqcube" verify "$OUT"
{ set +x; } 2>/dev/null
echo "quickstart: the result is $OUT (inspect it: $ROOT/build/sqcube info $OUT, or h5dump -H $OUT)"
