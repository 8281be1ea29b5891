#!/usr/bin/env bash
# Outputs of every ranks x threads configuration must agree bit for bit: datasets, count, min,
# max, nonfinite_count, and every sum (exact integers, correctly rounded floats).
# Usage: agree.sh MATRIXDIR
set -euo pipefail
MATRIX=$1
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
configs=("$MATRIX"/np*_t*)
[ "${#configs[@]}" -ge 2 ] || { echo "FAIL: fewer than two configurations in $MATRIX"; exit 1; }
n=0
for f in "${configs[0]}"/*.h5; do
    name=$(basename "$f")
    files=()
    for c in "${configs[@]}"; do
        [ -f "$c/$name" ] || { echo "FAIL: $c/$name missing"; exit 1; }
        files+=("$c/$name")
    done
    "$PY" "$HERE/compare_outputs.py" "${files[@]}" || { echo "FAIL: $name differs"; exit 1; }
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no outputs to compare"; exit 1; }
echo "agree: $n cases identical across ${#configs[@]} configurations"
