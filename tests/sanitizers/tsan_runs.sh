#!/usr/bin/env bash
# ThreadSanitizer + Archer over whole sqcube runs: 2 ranks x 3 threads, so that thread 0 writes
# (MPI/HDF5) while a nested team computes the next chunk, through each schedule and I/O mode and
# `verify`. Any TSan report fails (exit 66). MPI and HDF5 are not instrumented: this checks
# sqcube's threads against each other, not the libraries' insides.
# Usage: tsan_runs.sh SQCUBE DATA WORKDIR ARCHER_LIB SUPPRESSIONS
set -euo pipefail
SQCUBE=$1 DATA=$2 WORK=$3 ARCHER=$4 SUPP=$5
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
SQ_MPI_ENV=("OMP_TOOL_LIBRARIES=$ARCHER" "ARCHER_OPTIONS=verbose=1"
    "TSAN_OPTIONS=exitcode=66 suppressions=$SUPP")
export OMPI_MCA_pml=ob1
n=0
for args in "run --generate range:100000 --chunk 10000 --output $WORK/a.h5" \
    "verify $WORK/a.h5" \
    "run --generate uniform:100000 --chunk 7000 --schedule dynamic --output $WORK/b.h5" \
    "run --generate uniform:100000 --chunk 7000 --io independent --output $WORK/c.h5" \
    "run --input $DATA/sample.h5:/x --chunk 1 --output $WORK/d.h5" \
    "verify $WORK/d.h5"; do
    # shellcheck disable=SC2086 # the arguments split on purpose
    sq_mpi 2 3 $args --quiet >"$WORK/log" 2>&1 || { cat "$WORK/log"; fail "sqcube $args under TSan exited $?"; }
    ! grep -q 'WARNING: ThreadSanitizer' "$WORK/log" || { cat "$WORK/log"; fail "sqcube $args: TSan report"; }
    # Archer must have been loaded on both ranks, or TSan would not see OpenMP's synchronisation.
    [ "$(grep -c 'Archer detected OpenMP application with TSan' "$WORK/log")" -eq 2 ] ||
        { cat "$WORK/log"; fail "sqcube $args: Archer was not active on both ranks"; }
    echo "ok sqcube $args"
    n=$((n + 1))
done
echo "tsan: $n runs without a report"
