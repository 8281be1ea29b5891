#!/usr/bin/env bash
# What exact, reproducible float sums cost, as a share of an end-to-end sqcube run.
#   bash bench/reduction_cost.sh [N] [REPEATS]      (default N = 1e8 elements, 5 repeats)
# 1. bench_reduction_cost: sqcube's float kernel (exact sums) against the same loop with a plain
#    OpenMP reduction, on the same data in memory, alternating A B A B, medians;
# 2. sqcube run --generate uniform:N on 2 ranks x 1 thread into /tmp, after one warm-up run:
#    the median wall time and the median of the run's own "total" phase (slowest rank);
# 3. the cost of the exact sums as a share of each.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100000000}
REPEATS=${2:-5}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
WORK=$(mktemp -d "${SQCUBE_BENCH_DIR:-/tmp}/sqcube-bench.XXXXXX") # private: no fixed name in /tmp
trap 'rm -rf "$WORK"' EXIT
OUT=$WORK/bench.h5
cmake --build "$BUILD" --target sqcube bench >/dev/null
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== machine: $(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
echo "== kernel only: N = $N"
cost_line=$(OMP_NUM_THREADS=2 "$BUILD/bench_reduction_cost" "$N" 9 | tee /dev/stderr | grep "cost of exact sums")
cost=$(sed -E 's/.*ns\/element, \+?(-?[0-9.]+) s per 1e8.*/\1/' <<<"$cost_line")
cost=$(awk -v c="$cost" -v n="$N" 'BEGIN { printf "%.4f", c * n / 1e8 }')

echo "== end to end: sqcube run --generate uniform:$N on 2 ranks x 1 thread, $REPEATS runs after a warm-up"
walls=() totals=()
for r in $(seq 0 "$REPEATS"); do
    rm -f "$OUT"
    t0=$(date +%s.%N)
    log=$(mpirun -np 2 -x OMP_NUM_THREADS=1 "$BUILD/sqcube" run --generate "uniform:$N" --output "$OUT")
    t1=$(date +%s.%N)
    [ "$r" -eq 0 ] && continue
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
    totals+=("$(awk '$1 == "total" { print $4 }' <<<"$log")")
done
rm -f "$OUT"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall=$(median "${walls[@]}")
total=$(median "${totals[@]}")
echo "   wall times: ${walls[*]} s (median $wall)"
echo "   total phase: ${totals[*]} s (median $total)"
awk -v c="$cost" -v w="$wall" -v t="$total" 'BEGIN {
    printf "== exact sums cost %.3f s at this N: %.1f%% of the wall time, %.1f%% of the run phase\n",
           c, 100 * c / w, 100 * c / t }'
