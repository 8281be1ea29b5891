#!/usr/bin/env bash
# jobs/slurm/hybrid.sbatch under a real Slurm: submitted as 2 ranks x 1 thread (generated input)
# and 1 rank x 2 threads (an HDF5 input file), each result accepted by `sqcube verify`, with the
# ranks and threads the job asked for in /provenance, and the threads pinned as the script says.
# Usage: slurm_hybrid.sh SQCUBE FIXTURE_DIR WORKDIR
set -euo pipefail
SQCUBE=$1 FIX=$2 WORK=$3
source "$(dirname "$0")/common.sh"
need_slurm "$FIX"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
"$PY" -c 'import sys, h5py, numpy as np; h5py.File(sys.argv[1], "w")["x"] = np.arange(-5000, 5000, dtype=np.int32).reshape(100, 100)' in.h5

# ranks x threads, and the input: sbatch options on the command line override the #SBATCH lines.
run() { # NAME RANKS THREADS ENV...
    local name=$1 r=$2 t=$3 st=0
    shift 3
    (export "$@" OUTPUT="$WORK/$name.h5" SQCUBE="$SQCUBE" && submit "$WORK/$name.out" --nodes=1 \
        --ntasks-per-node="$r" --cpus-per-task="$t" "$JOBS/slurm/hybrid.sbatch" --chunk 1000) || st=$?
    [ "$st" -eq 0 ] || fail "$name: job exited $st: $(cat "$WORK/$name.out")"
    check_result "$WORK/$name.h5" "$r" "$t"
    echo "ok $name: $r x $t, verified"
}
run gen_2x1 2 1 GENERATE=range:100003
run file_1x2 1 2 INPUT="$WORK/in.h5:/x"
"$PY" -c 'import sys, h5py; a = h5py.File(sys.argv[1], "r").attrs; assert a["count"] == 10000 and a["min"] == -5000 and a["max"] == 4999, dict(a)' file_1x2.h5 ||
    fail "file_1x2.h5 does not hold the 10000 elements of in.h5"

# The binding the script promises: with 2 cores, 1 x 2 gives the task both cores and 2 x 1 one core
# each; checked from inside a step started exactly as the script starts sqcube.
if [ "$(nproc)" -ge 2 ]; then
    cat >probe.sh <<'EOF'
#!/bin/bash
export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK SRUN_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK
srun --mpi=pmix --cpu-bind=cores bash -c 'echo "task $SLURM_PROCID cpus $(taskset -pc $$ | sed "s/.*: //")"'
EOF
    # (submitted both at once: they queue one after the other on a 2-core node)
    j12=$(job_submit probe_1x2.out --nodes=1 --ntasks-per-node=1 --cpus-per-task=2 probe.sh)
    j21=$(job_submit probe_2x1.out --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 probe.sh)
    job_wait "$j12" || fail "probe 1x2 (job $j12) exited $?: $(cat probe_1x2.out)"
    job_wait "$j21" || fail "probe 2x1 (job $j21) exited $?: $(cat probe_2x1.out)"
    grep -Eq '^task 0 cpus [0-9]+[-,][0-9]+$' probe_1x2.out || fail "1 x 2: the task is not given 2 cores: $(cat probe_1x2.out)"
    [ "$(grep -Ec '^task [01] cpus [0-9]+$' probe_2x1.out)" -eq 2 ] &&
        [ "$(awk '{ print $4 }' probe_2x1.out | sort -u | wc -l)" -eq 2 ] ||
        fail "2 x 1: the tasks are not on one core each, distinct: $(cat probe_2x1.out)"
    echo "ok binding: $(xargs <probe_1x2.out); $(sort probe_2x1.out | xargs)"
fi
echo "slurm_hybrid: all checks passed"
