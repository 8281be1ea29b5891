#!/usr/bin/env bash
# A hybrid MPI + OpenMP run of sqcube on one workstation, bound right:
#   - each rank gets THREADS cores (--map-by slot:PE=THREADS --bind-to core) and its OpenMP
#     threads are spread over those cores (OMP_PLACES=cores, OMP_PROC_BIND=close); when the machine
#     has fewer than RANKS x THREADS cores, nothing is bound (binding would pile threads onto one
#     core), mpirun may oversubscribe, and idle OpenMP threads sleep instead of spinning
#     (OMP_WAIT_POLICY=passive, unless set);
#   - Open MPI's ob1 transport, which starts fastest on one node (docs/performance.md);
#   - Ctrl-C or a SIGTERM to this script becomes a checkpoint: it is passed to the ranks as
#     SIGUSR1 (Open MPI's mpirun would turn it into a teardown), every rank finishes its chunk,
#     OUTPUT.partial keeps the progress, and the script exits 4; rerun it with --resume added.
# Usage:
#   bash jobs/local/hybrid.sh RANKS THREADS OUTPUT (--input FILE[:/DATASET] | --generate SPEC) [sqcube run options]
#   bash jobs/local/hybrid.sh --cores      the cores counted for the choice above (the physical
#                                          cores this process may run on; OMP_NUM_THREADS plays no part)
# Example:
#   bash jobs/local/hybrid.sh 1 2 big.h5 --generate range:1e8
# Environment: SQCUBE (the binary; default build/sqcube next to this script's repository).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SQCUBE=${SQCUBE:-$ROOT/build/sqcube}
# The physical cores this process may run on (what --bind-to core hands out): the CPUs of its
# affinity mask (a cpuset, taskset or an outer job may narrow it), one per core whatever its
# hardware threads. Not `nproc`: GNU nproc honours OMP_NUM_THREADS and OMP_THREAD_LIMIT
# (`OMP_NUM_THREADS=4 nproc` prints 4 on 2 cores), and counts hardware threads, not cores.
cores_here() {
    local list part c lo hi pkg core parts
    local -A seen=()
    list=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>/dev/null || true)
    if [ -z "$list" ] || [ ! -r /sys/devices/system/cpu/cpu0/topology/core_id ]; then
        env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc
        return
    fi
    IFS=, read -r -a parts <<<"$list"
    for part in "${parts[@]}"; do
        lo=${part%-*} hi=${part#*-}
        for ((c = lo; c <= hi; c++)); do
            pkg="?" core=cpu$c
            read -r pkg 2>/dev/null </sys/devices/system/cpu/cpu$c/topology/physical_package_id || true
            read -r core 2>/dev/null </sys/devices/system/cpu/cpu$c/topology/core_id || true
            seen["$pkg:$core"]=1
        done
    done
    echo "${#seen[@]}"
}
if [ "${1:-}" = --cores ]; then # what the binding decision below counts
    cores_here
    exit 0
fi
if [ $# -lt 4 ]; then
    sed -n '2,18p' "$0" >&2
    exit 2
fi
RANKS=$1 THREADS=$2 OUTPUT=$3
shift 3
[[ $RANKS =~ ^[1-9][0-9]*$ && $THREADS =~ ^[1-9][0-9]*$ ]] ||
    { echo "hybrid.sh: RANKS and THREADS must be positive integers (got '$RANKS', '$THREADS')" >&2; exit 2; }
[ -x "$SQCUBE" ] || { echo "hybrid.sh: no sqcube binary at $SQCUBE; build it (bash scripts/build.sh) or set SQCUBE" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "hybrid.sh: mpirun not found; install Open MPI (bash scripts/install-deps.sh)" >&2; exit 1; }
for ((i = 1; i <= $#; i++)); do # an input file must exist before the job starts
    if [ "${!i}" = --input ] || [ "${!i}" = -i ]; then
        j=$((i + 1))
        f=${!j:-}
        f=${f%%:/*}
        [ -r "$f" ] || { echo "hybrid.sh: input file '$f' not found or not readable" >&2; exit 1; }
    fi
done

[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
CORES=$(cores_here) # before OMP_NUM_THREADS is set (cores_here ignores it anyway)
export OMP_NUM_THREADS=$THREADS
if [ "$CORES" -ge $((RANKS * THREADS)) ]; then
    BIND=(--map-by "slot:PE=$THREADS" --bind-to core -x OMP_PLACES=cores -x OMP_PROC_BIND=close)
    export OMP_PLACES=cores OMP_PROC_BIND=close
else
    echo "hybrid.sh: $RANKS x $THREADS is more than the $CORES cores here: running unbound," \
        "with OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}" >&2
    # Threads that spin while they wait take the cores from the other ranks' threads at every
    # chunk: 2 x 2 on the 2-core development machine, uniform:2e6 --chunk 1K, took 15.6 s spinning,
    # 0.29 s passive.
    export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
    BIND=(--bind-to none --oversubscribe -x OMP_WAIT_POLICY)
fi
set -x
mpirun -np "$RANKS" "${BIND[@]}" -x OMP_NUM_THREADS -x OMPI_MCA_pml "$SQCUBE" run --output "$OUTPUT" "$@" &
{ set +x; } 2>/dev/null
MPIRUN=$!
trap 'kill -USR1 "$MPIRUN" 2>/dev/null' TERM INT
status=0
while true; do # wait returns early when a trapped signal arrives: wait again for mpirun itself
    wait "$MPIRUN" && status=0 || status=$?
    kill -0 "$MPIRUN" 2>/dev/null || break
done
exit "$status"
