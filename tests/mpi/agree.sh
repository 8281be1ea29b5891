#!/usr/bin/env bash
# Outputs of every ranks x threads configuration must agree bit for bit: datasets, count, min,
# max, nonfinite_count, and every sum (exact integers, correctly rounded floats).
# Usage: agree.sh MATRIXDIR
set -euo pipefail
MATRIX=$1
source "$(dirname "$0")/../lib/common.sh"
configs=("$MATRIX"/np*_t*)
[ "${#configs[@]}" -ge 2 ] || { echo "FAIL: fewer than two configurations in $MATRIX"; exit 1; }
# Full size: every configuration ran every case. Quick size (run_config.sh): each case ran in
# two configurations, and those two must agree; no case may be missing everywhere.
n=0
names=$(for c in "${configs[@]}"; do ls "$c"; done | grep '\.h5$' | sort -u)
for name in $names; do
    files=()
    for c in "${configs[@]}"; do
        if [ -f "$c/$name" ]; then
            files+=("$c/$name")
        elif [ "$SQ_SIZE" = full ]; then
            echo "FAIL: $c/$name missing"
            exit 1
        fi
    done
    [ "${#files[@]}" -ge 2 ] || { echo "FAIL: $name ran in ${#files[@]} configuration(s), expected 2 or more"; exit 1; }
    "$PY" "$LIB/compare_outputs.py" "${files[@]}" || { echo "FAIL: $name differs"; exit 1; }
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no outputs to compare"; exit 1; }
echo "agree: $n cases identical across ${#configs[@]} configurations"
# The dynamic schedule, independent transfers, compressed storage and split transfers must give
# what the static schedule with collective, contiguous, whole transfers gives, in every
# configuration: a case NAME_dynamic, NAME_independent, NAME_compress or NAME_split (or a
# combination) is compared with NAME (or NAME_c5 for the shape cases, named by chunk size).
pairs=0
for c in "${configs[@]}"; do
    for d in "$c"/*_dynamic.h5 "$c"/*_independent.h5 "$c"/*_compress.h5 "$c"/*_split.h5; do
        [ -e "$d" ] || continue
        s=${d%.h5}
        while [[ $s =~ _(dynamic|independent|compress|split)$ ]]; do s=${s%_*}; done
        s=$s.h5
        [ -e "$s" ] || s=${s%.h5}_c5.h5
        [ -e "$s" ] || { echo "FAIL: no twin for $d"; exit 1; }
        "$PY" "$LIB/compare_outputs.py" "$s" "$d" >/dev/null || { echo "FAIL: $d differs from $s"; exit 1; }
        pairs=$((pairs + 1))
    done
done
[ "$pairs" -gt 0 ] || { echo "FAIL: no twins compared"; exit 1; }
echo "agree: $pairs dynamic, independent, compressed or split-transfer outputs identical to their twins"
