#!/usr/bin/env bash
# What the per-chunk checkpoint records cost: the same run with an sqcube built without them (OLD,
# e.g. commit 88c2efd) and with them (NEW), alternated OLD NEW OLD NEW, medians of the slowest
# rank's `total` phase, of the whole command's wall time and of its CPU time (user + system of
# mpirun and the ranks: the least disturbed by other jobs on a shared machine). Default chunk (512K), uniform float64
# data (the larger, 1040-byte float record encoding), outputs on the file system of WORKDIR.
#   bash bench/chunkrec_cost.sh OLD_SQCUBE NEW_SQCUBE [N] [REPEATS] [RANKS] [THREADS] [WORKDIR]
#   (defaults: N 1e8, 5 repeats, 2 ranks x 1 thread, a fresh directory under /tmp)
set -euo pipefail
OLD=$(realpath "$1") NEW=$(realpath "$2")
N=${3:-1e8} REPEATS=${4:-5} RANKS=${5:-2} THREADS=${6:-1}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
WORK=${7:-$(mktemp -d)}
mkdir -p "$WORK"
trap 'rm -f "$WORK"/c.h5 "$WORK"/c.json "$WORK"/c.err "$WORK"/c.time' EXIT
run() { # SQCUBE -> "total_max wall cpu" (cpu: user + system seconds of mpirun and its ranks)
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -o "$WORK/c.time" -f "%U %S" mpirun -np "$RANKS" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$THREADS" "$1" run \
        --generate "uniform:$N:seed=1" --output "$WORK/c.h5" --force --progress off \
        --summary-json "$WORK/c.json" >/dev/null 2>"$WORK/c.err"
    t1=$(date +%s.%N)
    rm -f "$WORK/c.h5"
    read -r user sys <"$WORK/c.time"
    /usr/bin/python3 -c "import json; print(json.load(open('$WORK/c.json'))['timing']['total']['max'], $t1 - $t0, $user + $sys)"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "N=$N default chunk, $RANKS ranks x $THREADS threads, $REPEATS pairs (old new alternated), on $(hostname), $(nproc) CPUs"
: >"$WORK/old" && : >"$WORK/new"
for i in $(seq "$REPEATS"); do
    o=$(run "$OLD") n=$(run "$NEW")
    echo "pair $i: old total/wall/cpu $o   new total/wall/cpu $n"
    echo "$o" >>"$WORK/old"
    echo "$n" >>"$WORK/new"
done
names=("" "total (slowest rank)" "wall (mpirun)" "cpu (user + sys)")
for col in 1 2 3; do
    name=${names[col]}
    o=$(awk -v c="$col" '{print $c}' "$WORK/old" | median)
    n=$(awk -v c="$col" '{print $c}' "$WORK/new" | median)
    printf "%-22s median old %8.3f s  new %8.3f s  new/old %.4f\n" "$name" "$o" "$n" "$(echo "$n / $o" | bc -l)"
done
rm -f "$WORK/old" "$WORK/new"
