#!/usr/bin/env bash
# Runs one example and checks its output: run_example.sh NAME RANKS EXECUTABLE
# RANKS > 0 runs it under mpirun on that many ranks (unbound and oversubscribed: the test machine
# may have fewer cores), 0 runs it directly. A time limit turns a hang into a failure. The output
# goes to check_output.py NAME RANKS, which knows what each program must print.
set -euo pipefail
name=$1 ranks=$2 exe=$3
HERE=$(cd "$(dirname "$0")" && pwd)
# Root may run mpirun only with these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
if [ "$ranks" -gt 0 ]; then
    timeout 120 mpirun -np "$ranks" --oversubscribe --bind-to none "$exe" >"$out" || rc=$?
else
    timeout 120 "$exe" >"$out" || rc=$?
fi
cat "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: $name exited with status $rc (124: timed out)" >&2; exit 1; }
/usr/bin/python3 "$HERE/check_output.py" "$name" "$ranks" <"$out"
