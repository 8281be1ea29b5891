#!/usr/bin/env bash
# Quick start: install what is missing, build, run the default job on 2 MPI ranks with OpenMP
# threads, verify the result, and say where the output went.
#   bash scripts/quickstart.sh
# Environment: OMP_NUM_THREADS (default 2), SQCUBE_N (default 1e7 elements), SQCUBE_OUT.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/install-deps.sh"
bash "$ROOT/scripts/build.sh" "$ROOT/build" >/dev/null
echo "quickstart: built $ROOT/build/sqcube"

THREADS=${OMP_NUM_THREADS:-2}
N=${SQCUBE_N:-1e7}
OUT=${SQCUBE_OUT:-$ROOT/out/quickstart.h5}
mkdir -p "$(dirname "$OUT")"
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's ob1 transport starts about 0.2 s sooner than the default (UCX) here, for
# the same run (docs/performance.md). Across nodes leave the choice to the MPI library.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
# Each rank gets THREADS cores when the machine has them; on a smaller one, no binding (binding
# a rank to one core would pile its threads onto it).
if [ "$(nproc)" -ge $((2 * THREADS)) ]; then
    BIND=(--map-by "slot:PE=$THREADS" --bind-to core)
else
    BIND=(--bind-to none --oversubscribe)
fi
set -x
OMP_NUM_THREADS=$THREADS mpirun -np 2 "${BIND[@]}" -x OMP_NUM_THREADS \
    "$ROOT/build/sqcube" run --generate "range:$N" --output "$OUT" --force
mpirun -np 2 "${BIND[@]}" "$ROOT/build/sqcube" verify "$OUT"
{ set +x; } 2>/dev/null
echo "quickstart: the result is $OUT (inspect it: $ROOT/build/sqcube info $OUT, or h5dump -H $OUT)"
