#!/usr/bin/env bash
# The benchmark suite (first part): on the same N and the same disk, alternate the commands
# A B C ... A B C ... after one warm-up round, and report medians and min-max of the wall time,
# with ratios to the floor and to the numpy + h5py peer, as a markdown table.
#   bash bench/suite.sh [N] [REPEATS] [DIR]   (default 1e8 elements, 3 repeats, /tmp)
# Commands: the no-HDF5 floor (bench/floor.c, 2 threads), the numpy + h5py peer
# (bench/peer_numpy.py), and sqcube at 1 and 2 ranks x 1 and 2 threads (--generate uniform:N).
# The memory-bandwidth probe (bench/membw.c) runs once first. Results go to stdout and to
# DIR/sqcube-suite.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100000000}
REPEATS=${2:-3}
DIR=${3:-/tmp}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
WORK=$(mktemp -d "$DIR/sqcube-suite.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cmake --build "$BUILD" --target sqcube bench >/dev/null
NINT=$(/usr/bin/python3 -c "print(int(float('$N')))")

NAMES=(floor numpy_h5py sqcube_1x1 sqcube_1x2 sqcube_2x1 sqcube_2x2)
cmd() { # NAME -> runs it once, writing into $WORK
    rm -f "$WORK"/*.h5 "$WORK"/*.bin
    case $1 in
    floor) OMP_NUM_THREADS=2 "$BUILD/bench_floor" "$WORK/floor.bin" "$NINT" >/dev/null ;;
    numpy_h5py) /usr/bin/python3 "$ROOT/bench/peer_numpy.py" "$WORK/peer.h5" "$NINT" >/dev/null ;;
    sqcube_*)
        local r=${1#sqcube_}
        local ranks=${r%x*} threads=${r#*x}
        mpirun -np "$ranks" --bind-to none -x OMP_NUM_THREADS="$threads" "$BUILD/sqcube" run \
            --generate "uniform:$NINT" --output "$WORK/sq.h5" --quiet
        ;;
    esac
}
declare -A T
for r in $(seq 0 "$REPEATS"); do
    for name in "${NAMES[@]}"; do
        t0=$(date +%s.%N)
        cmd "$name"
        t1=$(date +%s.%N)
        [ "$r" -gt 0 ] && T[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f ", b - a }')"
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%s - %s", v[1], v[NR] }'; }
floor_m=$(median "${T[floor]}")
numpy_m=$(median "${T[numpy_h5py]}")
{
    echo "bench/suite.sh: N = $NINT, $REPEATS alternating repeats after a warm-up, files in $DIR"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%FT%TZ)"
    OMP_NUM_THREADS=2 "$BUILD/bench_membw" | sed 's/^/probe: /'
    echo
    echo "| command | median wall (s) | min - max (s) | / floor | numpy / this |"
    echo "|---|---|---|---|---|"
    for name in "${NAMES[@]}"; do
        m=$(median "${T[$name]}")
        awk -v n="$name" -v m="$m" -v r="$(range "${T[$name]}")" -v f="$floor_m" -v p="$numpy_m" \
            'BEGIN { printf "| %s | %.3f | %s | %.2f | %.2f |\n", n, m, r, m / f, p / m }'
    done
} | tee "$DIR/sqcube-suite.md"
