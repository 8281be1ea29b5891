#!/usr/bin/env bash
# A private single-node Slurm "cluster" for the job-script tests: its own munged, slurmctld and
# slurmd, with every file (config, keys, state, spool, logs, PID files) under DIR in the build
# tree, on ports of its own, so it touches nothing in /etc, /run or /var and does not clash with a
# Slurm that the machine may already run. Clients reach it through SLURM_CONF: tests source
# DIR/env, which exports it.
#   slurm_fixture.sh up DIR     stop a leftover one, start afresh, wait until the node is idle
#   slurm_fixture.sh down DIR   cancel the jobs, stop the daemons, check that nothing lingers
#   slurm_fixture.sh check      exit 0 if a fixture can run here, else 77 with the reason
# Root only (slurmd starts job steps as their user). Exit status 77 (ctest SKIP_RETURN_CODE) with
# one line saying why when not root or when Slurm or munge is not installed.
# Environment: SQCUBE_SLURM_PORT (slurmctld's port; slurmd uses the next; default: the first
# free pair from 16817 on, so that two build trees' fixtures can run at once).
#
# Hard-won details (a machine without systemd):
#   - munged runs as root here on its own socket (AuthInfo=socket=... for both auth and cred);
#     the socket's directory must be searchable by all, or munged refuses to start;
#   - Debian's Open MPI starts under srun --mpi=pmix (MpiDefault=none: the scripts say it);
#   - TaskPlugin=task/affinity binds tasks without cgroups; ProctrackType=proctrack/linuxproc;
#   - a stopped daemon can stay a zombie: "alive" reads /proc/PID/stat, not only kill -0;
#   - every daemon (and so every slurmstepd) carries SQCUBE_SLURM_FIXTURE=DIR in its environment,
#     which is how "down" finds what is left of this cluster and nothing else.
set -euo pipefail
# Called from a shell that sourced DIR/env: start again without the marker, so that no fork of this
# script looks like a process of the cluster to "ours" below.
[ -z "${SQCUBE_SLURM_FIXTURE:-}" ] || exec env -u SQCUBE_SLURM_FIXTURE bash "$0" "$@"
ACTION=${1:-}
DIR=${2:-}
PORT=${SQCUBE_SLURM_PORT:-}
SKIP=77
log() { echo "[slurm_fixture $(date +%T)] $*"; }
die() {
    echo "slurm_fixture: error: $*" >&2
    exit 1
}

check() { # prints the reason and returns 77 when this machine cannot run the fixture
    if [ "$(id -u)" -ne 0 ]; then
        echo "SKIP: the Slurm job tests start their own slurmctld and slurmd, which needs root"
        return $SKIP
    fi
    local p
    for p in munged munge slurmctld slurmd sbatch srun squeue scontrol; do
        if ! command -v "$p" >/dev/null && [ ! -x "/usr/sbin/$p" ]; then
            echo "SKIP: $p not found: install Slurm and munge (bash scripts/install-deps.sh --tests)"
            return $SKIP
        fi
    done
    return 0
}

# alive PIDFILE NAME: the PID in PIDFILE is a live (not zombie) process whose name is NAME
alive() {
    local pid state
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
    state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != Z ]
}

# ours: PIDs of live processes started by this fixture or its jobs (their environment names DIR),
# except this script and its ancestors (a shell that sourced DIR/env carries the name too)
ours() {
    local d pid p mine=" "
    for ((p = $$; p > 1; )); do
        mine+="$p "
        p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || break
        [ -n "$p" ] || break
    done
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [[ $mine == *" $pid "* ]] && continue
        [ "$(awk '{ print $3 }' "$d/stat" 2>/dev/null)" = Z ] && continue
        tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF "SQCUBE_SLURM_FIXTURE=$DIR" && echo "$pid"
    done
    return 0
}

# port_free PORT: nothing listens on TCP PORT (ss from iproute2; assumed free without it)
port_free() {
    command -v ss >/dev/null || return 0
    [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

stop_pid() { # stop_pid PIDFILE NAME: SIGTERM, then SIGKILL after 10 s
    local pid i
    if alive "$1" "$2"; then
        pid=$(cat "$1")
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 100); do
            alive "$1" "$2" || break
            sleep 0.1
        done
        if alive "$1" "$2"; then
            log "$2 (pid $pid) did not stop in 10 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    rm -f "$1"
}

down() {
    [ -d "$DIR/etc" ] || return 0
    export SLURM_CONF=$DIR/etc/slurm.conf
    local jobs i pids
    if alive "$DIR/run/slurmctld.pid" slurmctld; then
        jobs=$(squeue -h -o %i 2>/dev/null | xargs || true)
        if [ -n "$jobs" ]; then
            log "cancelling jobs $jobs"
            scancel $jobs 2>/dev/null || true
            for i in $(seq 40); do
                [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
    fi
    stop_pid "$DIR/run/slurmd.pid" slurmd
    stop_pid "$DIR/run/slurmctld.pid" slurmctld
    stop_pid "$DIR/run/munged.pid" munged
    # Whatever survived (a slurmstepd whose job would not die, its tasks): by PID, from /proc.
    pids=$(ours | xargs)
    if [ -n "$pids" ]; then
        log "killing leftover processes of this cluster: $pids"
        kill -KILL $pids 2>/dev/null || true
        sleep 0.5
    fi
    pids=$(ours | xargs)
    [ -z "$pids" ] || die "processes of the cluster in $DIR still run after SIGKILL: $pids"
    log "down: no daemon of $DIR left"
}

up() {
    # DIR is removed and made afresh: only if it is empty or an earlier fixture's
    if [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && ! grep -qs '^# Written by tests/jobs/slurm_fixture.sh' "$DIR/etc/slurm.conf"; then
        die "$DIR exists and is not a directory this fixture made: refusing to delete it"
    fi
    down
    local node hw mem i st
    rm -rf "$DIR"
    mkdir -p "$DIR"/{etc,munge,munge/socket,state,spool,log,run,pmix}
    chmod 755 "$DIR" "$DIR/munge" "$DIR/munge/socket" # munged: the socket's directory must be searchable by all
    export SQCUBE_SLURM_FIXTURE=$DIR SLURM_CONF=$DIR/etc/slurm.conf

    # munge: a fresh key for this cluster only
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$DIR/munge/munge.key"
    local sock=$DIR/munge/socket/munge.socket
    /usr/sbin/munged --socket="$sock" --key-file="$DIR/munge/munge.key" \
        --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
        --seed-file="$DIR/munge/munged.seed" ||
        die "munged did not start (see $DIR/log/munged.log)"
    for i in $(seq 50); do
        munge -S "$sock" -n </dev/null 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -S "$sock" -n </dev/null | unmunge -S "$sock" >/dev/null ||
        die "munge does not work (see $DIR/log/munged.log)"

    # slurm.conf: this host as the one node, with the CPUs and memory slurmd detects; 90% of the
    # memory is declared, since a node that reports less than RealMemory is drained.
    node=$(hostname -s)
    hw=$(/usr/sbin/slurmd -C 2>/dev/null | head -1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ *UpTime=.*//') || true
    [ -n "$hw" ] || hw="CPUs=$(nproc)"
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    [ -n "$mem" ] && hw=$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/" <<<"$hw")
    if [ -z "$PORT" ]; then
        for ((PORT = 16817; PORT < 16917; PORT += 2)); do
            port_free "$PORT" && port_free $((PORT + 1)) && break
        done
    fi
    cat >"$SLURM_CONF" <<EOF
# Written by tests/jobs/slurm_fixture.sh: a one-node cluster for sqcube's job-script tests.
ClusterName=sqcube-test
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${PORT}
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${sock}
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
ReturnToService=2
SlurmctldPidFile=${DIR}/run/slurmctld.pid
SlurmdPidFile=${DIR}/run/slurmd.pid
StateSaveLocation=${DIR}/state
SlurmdSpoolDir=${DIR}/spool
SlurmctldLogFile=${DIR}/log/slurmctld.log
SlurmdLogFile=${DIR}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# fast turnaround: SIGKILL 5 s after SIGTERM, finished jobs stay visible to squeue for 5 min
KillWait=5
MinJobAge=300
InactiveLimit=0
OverTimeLimit=0
NodeName=${node} NodeAddr=127.0.0.1 ${hw} State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    # srun --mpi=pmix: the PMIx client directories of this cluster, not the shared /tmp
    echo "PMIxCliTmpDirBase=$DIR/pmix" >"$DIR/etc/mpi.conf"
    cat >"$DIR/env" <<EOF
# Sourced by the job tests: the clients (sbatch, squeue, ...) talk to the cluster in $DIR.
export SLURM_CONF=$SLURM_CONF SQCUBE_SLURM_FIXTURE=$DIR
EOF

    /usr/sbin/slurmctld || die "slurmctld did not start (see $DIR/log/slurmctld.log)"
    for i in $(seq 100); do
        scontrol ping 2>/dev/null | grep -q 'is UP' && break
        alive "$DIR/run/slurmctld.pid" slurmctld || sleep 0.2 # it may not have written the file yet
        sleep 0.1
    done
    scontrol ping 2>/dev/null | grep -q 'is UP' ||
        die "slurmctld is not answering: $(tail -3 "$DIR/log/slurmctld.log" | xargs)"
    /usr/sbin/slurmd || die "slurmd did not start (see $DIR/log/slurmd.log)"
    for i in $(seq 120); do
        st=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -1 || true)
        case $st in
        idle | mixed | allocated) break ;;
        esac
        sleep 0.5
    done
    case $st in
    idle | mixed | allocated) ;;
    *) die "node $node is '$st' after 60 s: $(sinfo -h -R 2>/dev/null | xargs); $(tail -3 "$DIR/log/slurmd.log" | xargs)" ;;
    esac
    log "up: $(sinfo -h -o '%P %a %D node(s) %T %N %c CPUs'), config $SLURM_CONF"
}

case $ACTION in
check) check ;;
up | down)
    [ -n "$DIR" ] || die "usage: $0 up|down DIR"
    case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
    reason=$(check) || {
        echo "$reason"
        exit $SKIP
    }
    "$ACTION"
    ;;
*) die "usage: $0 up|down DIR | check" ;;
esac
