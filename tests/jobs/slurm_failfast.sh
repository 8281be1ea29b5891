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

# case_ NAME SCRIPT PATTERN ENV...: submit SCRIPT with ENV (all cases at once; they are quick),
# expecting exit 1 and one line matching PATTERN; checked by check_cases.
IDS=() NAMES=() PATTERNS=()
case_() {
    local name=$1 script=$2 pattern=$3 id
    shift 3
    id=$(export "$@" && job_submit "$WORK/$name.out" --nodes=1 --ntasks-per-node=1 \
        --cpus-per-task=1 "$JOBS/slurm/$script") && [ -n "$id" ] || fail "$name: sbatch refused the job"
    IDS+=("$id") NAMES+=("$name") PATTERNS+=("$pattern")
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
for i in "${!IDS[@]}"; do
    st=0
    job_wait "${IDS[$i]}" || st=$?
    expect_fail "$st" "$WORK/${NAMES[$i]}.out" "${PATTERNS[$i]}" "${NAMES[$i]} (job ${IDS[$i]})"
    echo "ok ${NAMES[$i]}: $(cat "$WORK/${NAMES[$i]}.out")"
done
[ -z "$(find "$WORK" -name '*.h5*')" ] || fail "a failed job left $(find "$WORK" -name '*.h5*' | xargs)"
echo "slurm_failfast: all checks passed"
