#!/usr/bin/env bash
# Every script in jobs/ parses (bash -n), sets `set -euo pipefail`, and the batch scripts refuse to
# run outside their scheduler with one line saying how to submit them. Needs neither root nor a
# scheduler, so it runs everywhere.
# Usage: syntax.sh WORKDIR
set -euo pipefail
WORK=$1
source "$(dirname "$0")/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
n=0
for f in "$JOBS"/*/*.sh "$JOBS"/*/*.sbatch "$JOBS"/*/*.pbs; do
    [ -e "$f" ] || continue
    bash -n "$f" || fail "$f does not parse"
    grep -qx 'set -euo pipefail' "$f" || fail "$f lacks 'set -euo pipefail'"
    n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "found only $n job scripts in $JOBS"
for f in "$JOBS"/slurm/*.sbatch; do
    st=0
    (env -u SLURM_JOB_ID bash "$f") >"$WORK/out" 2>&1 || st=$?
    expect_fail "$st" "$WORK/out" "error: not inside a Slurm job: submit this script with sbatch" "$f outside Slurm"
done
echo "jobs_syntax: $n scripts parse; the Slurm ones refuse to run outside a job"
