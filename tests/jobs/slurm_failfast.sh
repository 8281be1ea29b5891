#!/usr/bin/env bash
# Every jobs/slurm/ script, submitted with something missing, fails at once: the job exits 1 with
# one line naming what is missing and what to do, no rank is started, and no output file appears.
# Missing: the binary (all three), the input file (hybrid, long), h5py for the CSV (scaling).
# Usage: slurm_failfast.sh SQCUBE FIXTURE_DIR WORKDIR
set -euo pipefail
SQCUBE=$1 FIX=$2 WORK=$3
source "$(dirname "$0")/common.sh"
need_slurm "$FIX"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"

# case NAME SCRIPT PATTERN ENV...: submit SCRIPT with ENV, expect exit 1 and one line matching PATTERN
case_() {
    local name=$1 script=$2 pattern=$3 st=0
    shift 3
    (export "$@" && submit "$WORK/$name.out" --nodes=1 --ntasks-per-node=1 --cpus-per-task=1 \
        "$JOBS/slurm/$script") || st=$?
    expect_fail "$st" "$WORK/$name.out" "$pattern" "$name"
    [ -z "$(find "$WORK" -name '*.h5*')" ] || fail "$name: a failed job left $(find "$WORK" -name '*.h5*')"
    echo "ok $name: $(cat "$WORK/$name.out")"
}
for s in hybrid long; do
    case_ "$s-no-binary" "$s.sbatch" "error: sqcube binary '$WORK/nope' not found" \
        SQCUBE="$WORK/nope" GENERATE=range:10 OUTPUT="$WORK/$s.h5"
    case_ "$s-no-input" "$s.sbatch" "error: input file '$WORK/missing.h5' not found" \
        SQCUBE="$SQCUBE" INPUT="$WORK/missing.h5:/x" OUTPUT="$WORK/$s.h5"
done
case_ scaling-no-binary scaling.sbatch "error: sqcube binary 'nope-sqcube' not found" \
    SQCUBE=nope-sqcube OUTDIR="$WORK/sc"
case_ scaling-no-h5py scaling.sbatch "error: '/bin/false' cannot import h5py" \
    SQCUBE="$SQCUBE" PYTHON=/bin/false OUTDIR="$WORK/sc"
echo "slurm_failfast: all checks passed"
