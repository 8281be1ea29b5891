#!/usr/bin/env bash
# Two "hosts" on one machine: two network + UTS namespaces (host names sqh1, sqh2) joined by a veth
# pair (10.211.0.1 <-> 10.211.0.2, no other route), Open MPI launched into them through an
# nsenter agent (no ssh), TCP between the ranks. sqcube runs with one rank on each host writing one
# file (they share this machine's file system, as nodes share a parallel file system), for each of
# --io collective|independent x --schedule static|dynamic, alternating, after a warm-up; reports
# median wall time, the bytes that crossed the link per run, and checks every output with
# `sqcube verify` and that all outputs are identical. Root only; removes the namespaces at the end.
#   bash bench/two_hosts.sh [N] [REPEATS] [THREADS]   (default 2e7 elements, 3 repeats, 1 thread)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-2e7}
REPEATS=${2:-3}
THREADS=${3:-1}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
NETNS_PREFIX=sq NETNS_NET=10.211.0
source "$ROOT/scripts/netns_hosts.sh"
reason=$(netns_hosts_check) || { echo "two_hosts: $reason" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WORK=$(mktemp -d /tmp/sqcube-2h.XXXXXX)
cleanup() {
    netns_hosts_down
    rm -rf "$WORK"
}
trap cleanup EXIT
cmake --build "$BUILD" --target sqcube >/dev/null
# SQCUBE_2H_OSC chooses another RMA component than osc/pt2pt (see scripts/netns_hosts.sh).
NETNS_OSC=${SQCUBE_2H_OSC:-pt2pt}
netns_hosts_up "$WORK"
in_host1() { in_host 1 "$@"; }
link_bytes() { ip netns exec sq_sqh1 cat /sys/class/net/sq_v1/statistics/tx_bytes /sys/class/net/sq_v1/statistics/rx_bytes | awk "{ s += \$1 } END { print s }"; }
MPI=("${NETNS_MPI[@]}" -np 2 -x OMP_NUM_THREADS="$THREADS")
echo "two_hosts: hosts $(in_host1 "${MPI[@]}" hostname | sort | xargs), N = $N, $THREADS thread(s) per rank, $REPEATS runs after a warm-up"
declare -A T B
MODES=("collective static" "collective dynamic" "independent static" "independent dynamic")
for r in $(seq 0 "$REPEATS"); do
    for m in "${MODES[@]}"; do
        read -r io sched <<<"$m"
        out="$WORK/$io-$sched.h5"
        rm -f "$out"
        b0=$(link_bytes)
        t0=$(date +%s.%N)
        in_host1 timeout 300 "${MPI[@]}" "$BUILD/sqcube" run --generate "uniform:$N" --io "$io" \
            --schedule "$sched" --output "$out" --quiet
        t1=$(date +%s.%N)
        b1=$(link_bytes)
        [ "$r" -eq 0 ] && continue
        T[$m]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f ", b - a }')"
        B[$m]=$((b1 - b0))
    done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| --io | --schedule | median wall (s) | runs (s) | bytes over the link (last run) |"
echo "|---|---|---|---|---|"
for m in "${MODES[@]}"; do
    read -r io sched <<<"$m"
    echo "| $io | $sched | $(median "${T[$m]}") | ${T[$m]}| ${B[$m]} |"
done
for m in "${MODES[@]}"; do
    read -r io sched <<<"$m"
    in_host1 "${MPI[@]}" "$BUILD/sqcube" verify "$WORK/$io-$sched.h5" --quiet >/dev/null ||
        { echo "two_hosts: verify failed for $m" >&2; exit 1; }
done
/usr/bin/python3 "$ROOT/tests/lib/compare_outputs.py" "$WORK"/*.h5 | tail -1
/usr/bin/python3 -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r"); print("two_hosts: recorded hosts:", f["provenance"].attrs["hosts"])' "$WORK/collective-static.h5"
