#!/usr/bin/env bash
# What --compress costs and saves: sqcube on 2 ranks x 1 thread at N elements, for a compressible
# input (range:N, integers) and an incompressible one (uniform:N, random float64), at levels 0
# (contiguous), 1 and 6; alternating runs after a warm-up; median wall time and the file size.
#   bash bench/compress.sh [N] [REPEATS] [DIR]   (default 2e7, 3, /tmp)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-2e7}
REPEATS=${2:-3}
DIR=${3:-/tmp}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
WORK=$(mktemp -d "$DIR/sqcube-compress.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
cmake --build "$BUILD" --target sqcube >/dev/null
declare -A T S
for r in $(seq 0 "$REPEATS"); do
    for gen in range uniform; do
        for level in 0 1 6; do
            rm -f "$WORK"/*.h5
            t0=$(date +%s.%N)
            mpirun -np 2 --bind-to none -x OMP_NUM_THREADS=1 -x OMPI_MCA_pml "$BUILD/sqcube" run \
                --generate "$gen:$N" --compress "$level" --output "$WORK/c.h5" --quiet
            t1=$(date +%s.%N)
            [ "$r" -eq 0 ] && continue
            T[$gen.$level]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f ", b - a }')"
            S[$gen.$level]=$(stat -c %s "$WORK/c.h5")
        done
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "compress: N = $N, 2 ranks x 1 thread, $REPEATS runs after a warm-up, files in $DIR"
echo "| input | --compress | median wall (s) | runs (s) | file size (MB) | size / level 0 |"
echo "|---|---|---|---|---|---|"
for gen in range uniform; do
    for level in 0 1 6; do
        awk -v g="$gen" -v l="$level" -v m="$(median "${T[$gen.$level]}")" -v t="${T[$gen.$level]}" \
            -v s="${S[$gen.$level]}" -v s0="${S[$gen.0]}" \
            'BEGIN { printf "| %s | %s | %.3f | %s| %.1f | %.3f |\n", g, l, m, t, s / 1e6, s / s0 }'
    done
done
