#!/usr/bin/env bash
# The dynamic schedule on a real imbalance: 3 ranks on 2 cores, pinned so that rank 0 has core 0 to
# itself and ranks 1 and 2 share core 1. Static gives each rank a third of the chunks, so the two
# ranks on the shared core finish last; dynamic lets rank 0 take more. Runs alternate static,
# dynamic, static, ... after one warm-up of each; reports median and min-max wall time, and checks
# that the outputs are identical.
#   bash bench/schedule_imbalance.sh [N] [REPEATS] [IO] [SOURCE]
# (default uniform:2e7, 5 repeats, --io independent: with collective I/O every rank meets the
# others in every round, so no schedule can let a faster rank run ahead). SOURCE: generate (the
# default: x made on the fly, a job bound by its writes) or gzip (x read from a shuffle + gzip
# compressed input made first with sqcube --compress 6: a job bound by the ranks' own CPU, as
# decompressing is).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20000000}
REPEATS=${2:-5}
IO=${3:-independent}
SOURCE=${4:-generate}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
DIR=$(mktemp -d "${SQCUBE_BENCH_DIR:-/tmp}/sqcube-imbalance.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
[ "$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)" -ge 2 ] || { echo "schedule_imbalance: needs 2 cores"; exit 1; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cmake --build "$BUILD" --target sqcube >/dev/null
SRC=(--generate "uniform:$N")
if [ "$SOURCE" = gzip ]; then
    mpirun -np 2 --bind-to none -x OMP_NUM_THREADS=1 "$BUILD/sqcube" run --generate "range:$N" \
        --chunk 256K --compress 6 --output "$DIR/input.h5" --quiet
    SRC=(--input "$DIR/input.h5:/square")
fi
cat >"$DIR/rankfile" <<RF
rank 0=localhost slot=0
rank 1=localhost slot=1
rank 2=localhost slot=1
RF
run() { # SCHEDULE OUTPUT -> wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    mpirun -np 3 --rankfile "$DIR/rankfile" --oversubscribe -x OMP_NUM_THREADS=1 \
        "$BUILD/sqcube" run "${SRC[@]}" --chunk 256K --schedule "$1" --io "$IO" --output "$2" \
        --force --quiet
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
declare -A times=([static]="" [dynamic]="")
for r in $(seq 0 "$REPEATS"); do
    for s in static dynamic; do
        t=$(run "$s" "$DIR/$s.h5")
        [ "$r" -gt 0 ] && times[$s]+="$t "
    done
done
stats() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
    printf "median %.3f s  [%.3f - %.3f]", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
echo "schedule_imbalance: ${SRC[*]}, chunk 256K, --io $IO, 3 ranks pinned to cores 0, 1, 1; $REPEATS runs each"
echo "  static   $(stats "${times[static]}")   (${times[static]})"
echo "  dynamic  $(stats "${times[dynamic]}")   (${times[dynamic]})"
/usr/bin/python3 "$ROOT/tests/lib/compare_outputs.py" "$DIR/static.h5" "$DIR/dynamic.h5" | tail -1
