#!/usr/bin/env bash
# The benchmark suite: for each N, on the same disk, alternate the commands A B C ... A B C ...
# after one warm-up round, and record every run's wall time, peak resident memory of each process
# (rank) and, for sqcube, its phase times; then bench/suite_report.py writes the markdown tables
# (medians, min-max, ratios to the floor, to the memory-bandwidth probe and to each peer) and the
# PNG plots (time per element and peak memory per rank against N).
#
#   bash bench/suite.sh [-n "1e6 1e7 1e8 1e9"] [-r REPEATS] [-d DIR] [-o RESULTS]
#     -n  element counts (default "1e6 1e7 1e8 1e9")      -r  repeats after the warm-up (3)
#     -d  where the output files are written (/tmp)      -o  results directory (bench/results)
#
# Commands: the memory-bandwidth probe (bench/membw.c, once); the no-HDF5 floor (bench/floor.c,
# 2 threads); the Python peers numpy + h5py (bench/peer_numpy.py) and mpi4py + parallel h5py on
# 2 ranks (bench/peer_mpi4py.py), each skipped at an N whose whole arrays would not fit in half of
# the free memory; sqcube at 1 and 2 ranks x 1 and 2 threads (--generate uniform:N). Every mpirun
# uses OMPI_MCA_pml=ob1, the fastest transport measured on one node (docs/performance.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES="1e6 1e7 1e8 1e9" REPEATS=3 DIR=/tmp RESULTS=$ROOT/bench/results
while getopts "n:r:d:o:h" o; do
    case $o in
    n) SIZES=$OPTARG ;;
    r) REPEATS=$OPTARG ;;
    d) DIR=$OPTARG ;;
    o) RESULTS=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
    esac
done
BUILD=${SQCUBE_BUILD:-$ROOT/build}
PY=/usr/bin/python3
WORK=$(mktemp -d "$DIR/sqcube-suite.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RESULTS"
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
cmake --build "$BUILD" --target sqcube bench >/dev/null
$PY -c "import h5py, numpy, mpi4py" 2>/dev/null ||
    { echo "suite: needs python3-h5py, python3-numpy, python3-mpi4py, python3-h5py-mpi (scripts/install-deps.sh)" >&2; exit 1; }

# rss_wrap PREFIX CMD...: run CMD with its peak RSS (KiB) written to PREFIX.RANK.
rss_wrap() { local prefix=$1; shift; /usr/bin/time -f %M -o "$prefix.${OMPI_COMM_WORLD_RANK:-0}" "$@"; }
export -f rss_wrap
mpi() { # NP THREADS CMD...
    local np=$1 threads=$2
    shift 2
    mpirun -np "$np" --bind-to none -x OMP_NUM_THREADS="$threads" -x OMPI_MCA_pml \
        bash -c 'rss_wrap "$@"' _ "$WORK/rss" "$@"
}
run_one() { # NAME N: one run, files in $WORK
    local name=$1 n=$2
    case $name in
    floor) OMP_NUM_THREADS=2 rss_wrap "$WORK/rss" "$BUILD/bench_floor" "$WORK/floor.bin" "$n" >/dev/null ;;
    numpy_h5py) rss_wrap "$WORK/rss" $PY "$ROOT/bench/peer_numpy.py" "$WORK/peer.h5" "$n" >/dev/null ;;
    mpi4py_h5py_2) mpi 2 1 $PY "$ROOT/bench/peer_mpi4py.py" "$WORK/peer.h5" "$n" >/dev/null ;;
    sqcube_*)
        local r=${name#sqcube_}
        mpi "${r%x*}" "${r#*x}" "$BUILD/sqcube" run --generate "uniform:$n" --output "$WORK/sq.h5" --quiet
        ;;
    esac
}
phases() { # the slowest rank's seconds per phase of $WORK/sq.h5, comma-separated
    $PY -c 'import sys, h5py; t = h5py.File(sys.argv[1], "r")["timing"][:]; print(",".join("%.4f" % v for v in t.max(axis=0)))' "$WORK/sq.h5"
}

CSV=$RESULTS/suite.csv
echo "n,command,repeat,wall_s,peak_rss_kib_per_rank,read_s,compute_s,reduce_s,write_s,total_s" >"$CSV"
OMP_NUM_THREADS=2 "$BUILD/bench_membw" | tee "$RESULTS/membw.txt"
avail_kib=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
for nspec in $SIZES; do
    n=$($PY -c "print(int(float('$nspec')))")
    names=(floor)
    # The peers hold x, x^2 and x^3 whole (24 bytes per element, and temporaries): skip them where
    # that would pass half of the free memory.
    if [ $((n * 24 / 1024)) -lt $((avail_kib / 2)) ]; then
        names+=(numpy_h5py mpi4py_h5py_2)
    else
        echo "suite: N = $n: skipping the Python peers (24 B/element = $((n * 24 / 1048576)) MiB whole arrays)"
    fi
    names+=(sqcube_1x1 sqcube_1x2 sqcube_2x1 sqcube_2x2)
    for rep in $(seq 0 "$REPEATS"); do
        for name in "${names[@]}"; do
            rm -f "$WORK"/*.h5 "$WORK"/*.bin "$WORK"/rss.* # outside the timing: freeing 16 GB takes a while
            t0=$(date +%s.%N)
            run_one "$name" "$n"
            t1=$(date +%s.%N)
            [ "$rep" -eq 0 ] && continue
            wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
            rss=$(cat "$WORK"/rss.* | sort -n | tail -1)
            ph=",,,,"
            [[ $name == sqcube_* ]] && ph=$(phases)
            echo "$n,$name,$rep,$wall,$rss,$ph" | tee -a "$CSV"
        done
    done
done
$PY "$ROOT/bench/suite_report.py" "$CSV" "$RESULTS/membw.txt" "$RESULTS" "$DIR"
