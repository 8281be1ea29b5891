# Two "hosts" on one machine, for MPI runs across hosts without a cluster (sourced, not run; root
# only). Each host is a network namespace with its own UTS namespace (so its own host name), with
# lo up and one end of a veth pair: 10.X.Y.1 <-> 10.X.Y.2, no route anywhere else. Open MPI starts
# its daemons in them through an nsenter "rsh agent" (no ssh), and is kept to the veth subnet. The
# hosts share this machine's CPUs, /tmp and file system (as nodes share a parallel file system),
# so ranks are not bound (--bind-to none). Used by bench/two_hosts.sh and tests/jobs/two_hosts.sh.
#
#   NETNS_PREFIX=sq NETNS_NET=10.211.0   # plain assignments, before sourcing
#   source scripts/netns_hosts.sh
#   reason=$(netns_hosts_check) || { echo "skip: $reason"; exit 77; }
#   netns_hosts_up WORKDIR      # hosts ${NETNS_PREFIX}h1, ${NETNS_PREFIX}h2; sets NETNS_MPI
#   in_host 1 "${NETNS_MPI[@]}" -np 2 ./a.out          # mpirun on host 1, one rank on each host
#   netns_hosts_down            # always (trap): removes the namespaces and the UTS mounts
# Different NETNS_PREFIX and NETNS_NET keep two users of this file (a test, a benchmark) apart.
NETNS_PREFIX=${NETNS_PREFIX:-sq}
NETNS_NET=${NETNS_NET:-10.211.0}
NETNS_HOSTS=("${NETNS_PREFIX}h1" "${NETNS_PREFIX}h2")
NETNS_WORK=
NETNS_MPI=()

# netns_hosts_check: prints why two hosts cannot be made here and returns 1, or returns 0.
netns_hosts_check() {
    local c probe=${NETNS_PREFIX}_probe$$
    [ "$(id -u)" -eq 0 ] || { echo "needs root (network and UTS namespaces)"; return 1; }
    for c in ip nsenter unshare mountpoint; do
        command -v "$c" >/dev/null || { echo "needs $c (iproute2, util-linux)"; return 1; }
    done
    ip netns add "$probe" 2>/dev/null || { echo "'ip netns add' is not permitted here (a container without CAP_SYS_ADMIN?)"; return 1; }
    ip netns del "$probe"
    unshare --uts true 2>/dev/null || { echo "'unshare --uts' is not permitted here"; return 1; }
    return 0
}

# in_host I CMD...: run CMD in host I's (1 or 2) network and UTS namespaces
in_host() {
    local h=${NETNS_HOSTS[$(($1 - 1))]}
    shift
    nsenter --net="/run/netns/${NETNS_PREFIX}_$h" --uts="$NETNS_WORK/uts_$h" "$@"
}

# netns_hosts_up WORKDIR: make both hosts; WORKDIR holds the UTS namespace files, the agent and
# the hostfile (one slot per host). Sets NETNS_MPI: mpirun and the options for these hosts.
netns_hosts_up() {
    NETNS_WORK=$1
    mkdir -p "$NETNS_WORK"
    local i h
    for i in 1 2; do
        h=${NETNS_HOSTS[$((i - 1))]}
        ip netns add "${NETNS_PREFIX}_$h"
        ip -n "${NETNS_PREFIX}_$h" link set lo up # Open MPI's daemons talk over lo inside a host
        touch "$NETNS_WORK/uts_$h"
        unshare --uts="$NETNS_WORK/uts_$h" hostname "$h" # a persistent UTS namespace: its own name
    done
    ip link add "${NETNS_PREFIX}_v1" netns "${NETNS_PREFIX}_${NETNS_HOSTS[0]}" type veth \
        peer name "${NETNS_PREFIX}_v2" netns "${NETNS_PREFIX}_${NETNS_HOSTS[1]}"
    for i in 1 2; do
        h=${NETNS_HOSTS[$((i - 1))]}
        ip -n "${NETNS_PREFIX}_$h" addr add "$NETNS_NET.$i/24" dev "${NETNS_PREFIX}_v$i"
        ip -n "${NETNS_PREFIX}_$h" link set "${NETNS_PREFIX}_v$i" up
    done
    cat >"$NETNS_WORK/agent.sh" <<AGENT
#!/bin/bash
# Open MPI's rsh agent: "agent.sh [ssh options] HOST COMMAND..." runs COMMAND in HOST's namespaces.
while [[ \$1 == -* ]]; do shift; done
case \$1 in
$NETNS_NET.1 | ${NETNS_HOSTS[0]}) h=${NETNS_HOSTS[0]} ;;
$NETNS_NET.2 | ${NETNS_HOSTS[1]}) h=${NETNS_HOSTS[1]} ;;
*) echo "agent: unknown host \$1" >&2; exit 255 ;;
esac
shift
exec nsenter --net=/run/netns/${NETNS_PREFIX}_\$h --uts=$NETNS_WORK/uts_\$h /bin/sh -c "\$*"
AGENT
    chmod +x "$NETNS_WORK/agent.sh"
    printf '%s slots=1\n' "$NETNS_NET.1" "$NETNS_NET.2" >"$NETNS_WORK/hosts"
    # Between hosts over TCP, Open MPI 4.1 picks osc/rdma for RMA windows, which cannot create one
    # there (--schedule dynamic then fails with a message saying so); osc/pt2pt works.
    # NETNS_OSC chooses another component.
    NETNS_MPI=(mpirun --mca plm_rsh_agent "$NETNS_WORK/agent.sh" --mca plm_rsh_no_tree_spawn 1
        --mca oob_tcp_if_include "$NETNS_NET.0/24" --mca btl_tcp_if_include "$NETNS_NET.0/24"
        --mca pml ob1 --mca btl tcp,self --mca osc "${NETNS_OSC:-pt2pt}" --bind-to none
        --hostfile "$NETNS_WORK/hosts")
}

# netns_hosts_down: remove both hosts (the veth pair goes with its namespaces); safe to repeat.
netns_hosts_down() {
    local h
    for h in "${NETNS_HOSTS[@]}"; do
        ip netns del "${NETNS_PREFIX}_$h" 2>/dev/null || true
        if [ -n "$NETNS_WORK" ]; then
            umount "$NETNS_WORK/uts_$h" 2>/dev/null || true
            rm -f "$NETNS_WORK/uts_$h"
        fi
    done
}
