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
[ "$(id -u)" -eq 0 ] || { echo "two_hosts: needs root (network namespaces)" >&2; exit 1; }
command -v ip >/dev/null && command -v nsenter >/dev/null || { echo "two_hosts: needs ip (iproute2) and nsenter (util-linux)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WORK=$(mktemp -d /tmp/sqcube-2h.XXXXXX)
HOSTS=(sqh1 sqh2)
cleanup() {
    for h in "${HOSTS[@]}"; do
        ip netns del "sq_$h" 2>/dev/null || true
        umount "$WORK/uts_$h" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
cmake --build "$BUILD" --target sqcube >/dev/null
for i in 1 2; do
    h=${HOSTS[$((i - 1))]}
    ip netns add "sq_$h"
    ip -n "sq_$h" link set lo up
    touch "$WORK/uts_$h"
    unshare --uts="$WORK/uts_$h" hostname "$h"
done
ip link add sq_v1 netns sq_sqh1 type veth peer name sq_v2 netns sq_sqh2
for i in 1 2; do
    ip -n "sq_sqh$i" addr add "10.211.0.$i/24" dev "sq_v$i"
    ip -n "sq_sqh$i" link set "sq_v$i" up
done
cat >"$WORK/agent.sh" <<AGENT
#!/bin/bash
# Open MPI's rsh agent: "agent.sh [ssh options] HOST COMMAND..." runs COMMAND in HOST's namespaces.
while [[ \$1 == -* ]]; do shift; done
case \$1 in 10.211.0.1 | sqh1) h=sqh1 ;; 10.211.0.2 | sqh2) h=sqh2 ;; *) echo "agent: unknown host \$1" >&2; exit 255 ;; esac
shift
exec nsenter --net=/run/netns/sq_\$h --uts=$WORK/uts_\$h /bin/sh -c "\$*"
AGENT
chmod +x "$WORK/agent.sh"
printf '10.211.0.1 slots=1\n10.211.0.2 slots=1\n' >"$WORK/hosts"
in_host1() { nsenter --net=/run/netns/sq_sqh1 --uts="$WORK/uts_sqh1" "$@"; }
link_bytes() { ip netns exec sq_sqh1 cat /sys/class/net/sq_v1/statistics/tx_bytes /sys/class/net/sq_v1/statistics/rx_bytes | awk "{ s += \$1 } END { print s }"; }
# Between hosts over TCP, Open MPI 4.1 picks osc/rdma for RMA windows, which cannot create one
# there (--schedule dynamic then fails with a message saying so); osc/pt2pt works. SQCUBE_2H_OSC
# chooses another component.
OSC=${SQCUBE_2H_OSC:-pt2pt}
MPI=(mpirun --mca plm_rsh_agent "$WORK/agent.sh" --mca plm_rsh_no_tree_spawn 1
    --mca oob_tcp_if_include 10.211.0.0/24 --mca btl_tcp_if_include 10.211.0.0/24
    --mca pml ob1 --mca btl tcp,self --mca osc "$OSC" --bind-to none -np 2 --hostfile "$WORK/hosts"
    -x OMP_NUM_THREADS="$THREADS")
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
/usr/bin/python3 "$ROOT/tests/mpi/compare_outputs.py" "$WORK"/*.h5 | tail -1
/usr/bin/python3 -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r"); print("two_hosts: recorded hosts:", f["provenance"].attrs["hosts"])' "$WORK/collective-static.h5"
