#!/usr/bin/env bash
# Large counts, end to end: a dataset of more than 2^31 elements, with chunks of more than 1 GiB
# so that every read and write is split into several HDF5 calls (the same number on every rank),
# on 2 ranks x 1 thread. range:N has closed forms for its sums, which sqcube checks itself; then
# `sqcube verify` recomputes every element. Prints the run's report, the verify verdict, the peak
# resident memory per rank, and removes the output (2 x 8 x N bytes: 35 GB at the default N).
#   bash bench/large.sh [N] [CHUNK] [DIR]   (default 2200000000, 160M, /tmp)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-2200000000}
CHUNK=${2:-160M}
DIR=${3:-/tmp}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
# A private directory (mktemp -d: a new name, mode 0700) for the output and the RSS files, so that
# nothing is written to a fixed name in a shared directory such as /tmp.
WORK=$(mktemp -d "$DIR/sqcube-large.XXXXXX")
OUT=$WORK/large.h5
trap 'rm -rf "$WORK"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
cmake --build "$BUILD" --target sqcube >/dev/null
need=$((N * 16 / 1024))
free=$(df -k --output=avail "$DIR" | tail -1)
[ "$free" -gt $((need + need / 10)) ] || { echo "large: needs $((need / 1048576)) GiB free in $DIR, has $((free / 1048576))"; exit 1; }
echo "large: N = $N (2^31 = 2147483648), --chunk $CHUNK, 2 ranks x 1 thread, output in $DIR"
t0=$(date +%s.%N)
mpirun -np 2 --bind-to none -x OMP_NUM_THREADS=1 -x OMPI_MCA_pml \
    bash -c '/usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$WORK/rss" \
    "$BUILD/sqcube" run --generate "range:$N" --chunk "$CHUNK" --output "$OUT"
t1=$(date +%s.%N)
echo "large: run wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; peak RSS per rank (KiB): $(cat "$WORK"/rss.* | xargs)"
h5dump -a /provenance/max_transfer "$OUT" | grep -A1 "DATA" | tail -1 | sed 's/^ */large: max_transfer /'
t0=$(date +%s.%N)
mpirun -np 2 --bind-to none -x OMP_NUM_THREADS=1 -x OMPI_MCA_pml "$BUILD/sqcube" verify "$OUT"
t1=$(date +%s.%N)
echo "large: verify wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
