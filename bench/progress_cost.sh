#!/usr/bin/env bash
# What the progress display costs: the same run with --progress off and with the display on (every
# rank's MPI_Accumulate per chunk, rank 0's reads and redraws), alternated A B A B, medians of the
# slowest rank's `total` phase. Small chunks make it a worst case (many accumulates).
#   bash bench/progress_cost.sh [SQCUBE] [N] [CHUNK] [REPEATS] [RANKS]
#   (defaults: build/sqcube 2e7 16K 7 2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SQCUBE=$(realpath "${1:-$ROOT/build/sqcube}")
N=${2:-2e7} CHUNK=${3:-16K} REPEATS=${4:-7} RANKS=${5:-2}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
run() { # MODE SCHEDULE IO
    mpirun -np "$RANKS" --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 "$SQCUBE" run \
        --generate "range:$N" --chunk "$CHUNK" --output "$WORK/p.h5" --force --schedule "$2" \
        --io "$3" --progress "$1" --progress-interval 0.1 --summary-json "$WORK/p.json" \
        >/dev/null 2>"$WORK/p.err"
    /usr/bin/python3 -c "import json; print(json.load(open('$WORK/p.json'))['timing']['total']['max'])"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "N=$N chunk=$CHUNK ranks=$RANKS repeats=$REPEATS"
echo "schedule io          off_s     lines_s   lines/off"
for cfg in "static collective" "dynamic independent"; do
    set -- $cfg
    : >"$WORK/off" && : >"$WORK/on"
    for _ in $(seq "$REPEATS"); do
        run off "$1" "$2" >>"$WORK/off"
        run lines "$1" "$2" >>"$WORK/on"
    done
    off=$(median <"$WORK/off") on=$(median <"$WORK/on")
    printf "%-7s %-11s %9.4f %9.4f %9.3f\n" "$1" "$2" "$off" "$on" "$(echo "$on / $off" | bc -l)"
done
