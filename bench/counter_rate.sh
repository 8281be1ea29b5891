#!/usr/bin/env bash
# The work queue's counter alone (bench_counter_rate, bench/counter_rate.c) under full contention,
# at 2..32 ranks (oversubscribed beyond the cores), with Open MPI's default one-sided component
# and with osc/rdma, osc/pt2pt (what --schedule dynamic needs over TCP between hosts) and osc/sm
# forced: the service time per fetch-and-add at rank 0 (q_srv in docs/scaling.md).
#   nice -n 10 bash bench/counter_rate.sh [CSV] [OPS]   (default bench/results/scaling_counter.csv,
#                                                       5000 operations per rank)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CSV=${1:-$ROOT/bench/results/scaling_counter.csv}
OPS=${2:-5000}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_rmaps_base_oversubscribe=1
cmake --build "$BUILD" --target bench_counter_rate >/dev/null
mkdir -p "$(dirname "$CSV")"
echo "ranks,osc,ops_per_rank,seconds,ops_per_s" >"$CSV"
for osc in default rdma pt2pt sm; do
    for np in 2 4 8 16 32; do
        env=()
        [ "$osc" = default ] || env=(-x OMPI_MCA_osc="$osc")
        line=$(mpirun -np "$np" --bind-to none "${env[@]}" "$BUILD/bench_counter_rate" "$OPS")
        # "ranks P, OPS ops each: median S s, R ops/s served, ..."
        sed -E "s/^ranks ([0-9]+), ([0-9]+) ops each: median ([0-9.e+-]+) s, ([0-9.e+-]+) ops.*/\\1,$osc,\\2,\\3,\\4/" \
            <<<"$line" >>"$CSV"
    done
done
echo "== counter service rates in $CSV"
