#!/usr/bin/env bash
# Measures on this machine what the cost model of docs/scaling.md needs, one series per term, and
# writes one CSV row per run (bench/scaling_fit.py fits the model to it):
#   startup   `mpirun -np P sqcube --version` (launch, MPI_Init, agreement, MPI_Finalize), P = 1..32
#   tiny      `sqcube run --generate range:1000` in one chunk, P = 1..32: start-up plus the fixed
#             costs of a run (resolve, host names, file create, reduction, metadata, close)
#   chunks    range:4M at 1, 2, 4 ranks, chunk 2K .. 4M (2048 .. 1 chunks): the per-round cost
#   elements  range:N, N = 1M .. 32M, at 1 rank x 1 thread, 2 ranks x 1 thread, 1 rank x 2 threads:
#             per-element compute and write costs
#   counter   range:1M in 1K chunks (1024), --io independent, static and dynamic, P = 2..32: the
#             work queue's fetch-and-add per chunk
# and, into CSV's name with _counter, the counter's service rate under full contention
# (bench/counter_rate.sh: bench_counter_rate at 2..32 ranks, each one-sided component).
# Every run is repeated (REPEATS, default 3; the repeats of one series are interleaved, not
# back to back) and every output deleted after its /timing (max over ranks of each phase, the
# slowest rank) is read. Ranks beyond the cores are oversubscribed (--bind-to none): the model
# separates what is this machine's time-slicing from what is the code's.
#   nice -n 10 bash bench/scaling.sh [CSV] [REPEATS]      (default CSV bench/results/scaling.csv)
# Absolute figures depend on the machine's load: run it on a quiet machine and compare medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CSV=${1:-$ROOT/bench/results/scaling.csv}
REPEATS=${2:-3}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
SQ=$BUILD/sqcube
PY=/usr/bin/python3
DIR=$(mktemp -d "${SQCUBE_BENCH_DIR:-/tmp}/sqcube-scaling.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_rmaps_base_oversubscribe=1
cmake --build "$BUILD" --target sqcube >/dev/null
mkdir -p "$(dirname "$CSV")"
RANKS=(1 2 3 4 6 8 12 16 24 32)
CORES=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc) # GNU nproc honours both

echo "series,ranks,threads,n,chunk,schedule,io,rep,wall_s,read_s,compute_s,reduce_s,write_s,total_s,nchunks,cores" >"$CSV"
echo "== $(date -u +%FT%TZ), $CORES cores, load $(cut -d' ' -f1-3 /proc/loadavg), $REPEATS repeats -> $CSV"

# The slowest rank's seconds per phase and nchunks, from an output's /timing and /provenance.
read_timing() {
    "$PY" -c 'import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    t = f["timing"][...]
    print(",".join("%.6f" % v for v in t.max(axis=0)) + ",%d" % f["provenance"].attrs["nchunks"])' "$1"
}

# measure SERIES P THREADS N CHUNK SCHEDULE IO REP: one run, one CSV row.
measure() {
    local series=$1 np=$2 threads=$3 n=$4 chunk=$5 sched=$6 io=$7 rep=$8 t0 t1 phases
    local out="$DIR/out.h5"
    rm -f "$out"
    local cmd=("$SQ" --version)
    [ "$series" = startup ] ||
        cmd=("$SQ" run --generate "range:$n" --chunk "$chunk" --schedule "$sched" --io "$io"
            --output "$out" --quiet)
    t0=$(date +%s.%N)
    mpirun -np "$np" --bind-to none -x OMP_NUM_THREADS="$threads" "${cmd[@]}" >/dev/null
    t1=$(date +%s.%N)
    phases=",,,,,"
    [ "$series" = startup ] || phases=$(read_timing "$out")
    rm -f "$out"
    printf '%s,%d,%d,%d,%d,%s,%s,%d,%.6f,%s,%d\n' "$series" "$np" "$threads" "$n" "$chunk" \
        "$sched" "$io" "$rep" "$(echo "$t1 - $t0" | bc)" "$phases" "$CORES" >>"$CSV"
}

for rep in $(seq 1 "$REPEATS"); do
    echo "-- repeat $rep: startup, tiny"
    for np in "${RANKS[@]}"; do
        measure startup "$np" 1 0 0 static collective "$rep"
        measure tiny "$np" 1 1000 1048576 static collective "$rep"
    done
    echo "-- repeat $rep: chunks"
    for np in 1 2 4; do
        for chunk in 2048 8192 32768 131072 524288 4194304; do
            measure chunks "$np" 1 4194304 "$chunk" static collective "$rep"
        done
    done
    echo "-- repeat $rep: elements"
    for n in 1048576 4194304 8388608 16777216 33554432; do
        measure elements 1 1 "$n" 524288 static collective "$rep"
        measure elements 2 1 "$n" 524288 static collective "$rep"
        measure elements 1 2 "$n" 524288 static collective "$rep"
    done
    echo "-- repeat $rep: counter"
    for np in 2 4 6 8 12 16 24 32; do
        measure counter "$np" 1 1048576 1024 static independent "$rep"
        measure counter "$np" 1 1048576 1024 dynamic independent "$rep"
    done
done
# The work queue's counter alone, under full contention: its service time per fetch-and-add.
bash "$ROOT/bench/counter_rate.sh" "${CSV%.csv}_counter.csv"
echo "== done $(date -u +%FT%TZ): $(($(wc -l <"$CSV") - 1)) runs in $CSV"
