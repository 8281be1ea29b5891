#!/usr/bin/env bash
# What sqcube does about its own launch (src/tune.c, src/startup.c), on real launches:
#   - the one-line oversubscription warning appears exactly when a host's threads outnumber its
#     CPUs (2 x 2 unbound on 2 CPUs; 1 rank bound to one core with 2 threads), not for 2 x 1
#     bound, and never under --quiet;
#   - /provenance/mpi_transport: ob1 chosen when nothing is set; OMPI_MCA_pml=ob1, =^ucx,
#     `mpirun --mca pml ob1` and SQCUBE_TRANSPORT=keep are kept;
#   - /provenance/omp_wait_policy: passive after the re-exec, the user's OMP_WAIT_POLICY and
#     SQCUBE_WAIT_POLICY=keep respected;
#   - the results are bit for bit the same with and without the re-exec (compare_outputs.py and
#     the independent checker check_output.py);
#   - an explicit --report-affinity prints its table and verdict under --quiet, FAIL included.
# No timing is asserted (bench/chunk_overhead.sh and bench/startup.sh measure).
# Usage: launch_tune.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
HOST=$(hostname)
CPUS=$(getconf _NPROCESSORS_ONLN)
# The transport is what this test looks at: no choice of ours in the environment.
unset OMPI_MCA_pml OMPI_MCA_mtl SQCUBE_TRANSPORT SQCUBE_WAIT_POLICY OMP_WAIT_POLICY GOMP_SPINCOUNT \
    KMP_BLOCKTIME OMP_NUM_THREADS
[ "$CPUS" -ge 2 ] || { echo "SKIP: needs 2 CPUs (this host has $CPUS)"; exit 77; }

# launch NP BIND THREADS NAME [mpirun options...] -- ARGS...: sqcube under mpirun; stdout in
# NAME.out, stderr in NAME.err. THREADS "-" leaves OMP_NUM_THREADS unset.
launch() {
    local np=$1 bind=$2 threads=$3 name=$4
    shift 4
    local opts=()
    while [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    [ "$threads" = - ] || opts+=(-x OMP_NUM_THREADS="$threads")
    timeout 300 mpirun -np "$np" --oversubscribe --bind-to "$bind" "${opts[@]}" "$SQCUBE" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" || fail "$name exited $?: $(cat "$WORK/$name.err")"
}
attr() { # attr FILE NAME: a /provenance attribute
    "$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs[sys.argv[2]])' "$1" "$2"
}
warnings() { grep -c '^sqcube: warning: ' "$WORK/$1.err" || true; }
GEN=(run --generate uniform:20000 --chunk 1000)

# 2 x 2 unbound on a 2-CPU host (threads 2 x 2 > CPUs only where CPUs < 4).
if [ "$CPUS" -lt 4 ]; then
    launch 2 none 2 w22 -- "${GEN[@]}" --output "$WORK/w22.h5"
    [ "$(warnings w22)" -eq 1 ] || fail "2 x 2 unbound: expected one warning: $(cat "$WORK/w22.err")"
    grep -q "^sqcube: warning: $HOST runs 4 threads (2 rank(s) x 2) on $CPUS CPU(s)" "$WORK/w22.err" ||
        fail "2 x 2 warning: $(cat "$WORK/w22.err")"
    grep -q "OMP_NUM_THREADS=1 mpirun -np 2 --map-by slot:PE=1 --bind-to core" "$WORK/w22.err" ||
        fail "2 x 2 warning gives no launch line: $(cat "$WORK/w22.err")"
    [ "$(attr "$WORK/w22.h5" mpi_transport)" = "pml ob1, chosen by sqcube: all 2 ranks on one host" ] ||
        fail "transport: $(attr "$WORK/w22.h5" mpi_transport)"
    attr "$WORK/w22.h5" omp_wait_policy | grep -q "^passive, set by sqcube: 2 rank(s) x 2 threads on $CPUS CPU(s)" ||
        fail "wait policy: $(attr "$WORK/w22.h5" omp_wait_policy)"
    echo "ok 2 x 2 unbound: one warning with a launch line; ob1 and passive recorded"

    # OMP_NUM_THREADS unset: each rank takes a thread per CPU; the warning says so.
    launch 2 none - wunset -- "${GEN[@]}" --output "$WORK/wunset.h5"
    grep -q "OMP_NUM_THREADS is unset" "$WORK/wunset.err" || fail "unset: $(cat "$WORK/wunset.err")"
    echo "ok OMP_NUM_THREADS unset, unbound: the warning names the cause"

    # Not under --quiet: nothing at all on stderr or stdout.
    launch 2 none 2 q22 -- "${GEN[@]}" --output "$WORK/q22.h5" --quiet
    [ ! -s "$WORK/q22.err" ] || fail "--quiet printed on stderr: $(cat "$WORK/q22.err")"
    [ ! -s "$WORK/q22.out" ] || fail "--quiet printed: $(cat "$WORK/q22.err" "$WORK/q22.out")"
    echo "ok 2 x 2 --quiet: no warning"

    # The same run without the re-exec (opt-out), and with the user's own wait policy: the
    # results are bit for bit the same, and each records why.
    SQCUBE_WAIT_POLICY=keep launch 2 none 2 keep22 -x SQCUBE_WAIT_POLICY -- "${GEN[@]}" --output "$WORK/keep22.h5" --quiet
    [ "$(attr "$WORK/keep22.h5" omp_wait_policy)" = "as configured: SQCUBE_WAIT_POLICY=keep" ] ||
        fail "keep: $(attr "$WORK/keep22.h5" omp_wait_policy)"
    OMP_WAIT_POLICY=active launch 2 none 2 act22 -x OMP_WAIT_POLICY -- "${GEN[@]}" --output "$WORK/act22.h5" --quiet
    [ "$(attr "$WORK/act22.h5" omp_wait_policy)" = "as configured: OMP_WAIT_POLICY=active" ] ||
        fail "active: $(attr "$WORK/act22.h5" omp_wait_policy)"
    "$PY" "$LIB/compare_outputs.py" "$WORK/w22.h5" "$WORK/keep22.h5" "$WORK/act22.h5" "$WORK/q22.h5" ||
        fail "results differ with and without the re-exec"
    "$PY" "$LIB/check_output.py" "$WORK/w22.h5" >/dev/null || fail "check_output.py refused the re-executed run's result"
    echo "ok re-exec or not: bit-identical results, independently checked; opt-outs recorded"
fi

# 1 rank bound to one core with 2 threads: the rank-level warning.
launch 1 core 2 w12 -- "${GEN[@]}" --output "$WORK/w12.h5"
[ "$(warnings w12)" -eq 1 ] || fail "1 x 2 on one core: expected one warning: $(cat "$WORK/w12.err")"
grep -q "^sqcube: warning: rank 0 on $HOST runs 2 threads on the 1 CPU(s) it is bound to" "$WORK/w12.err" ||
    fail "1 x 2 bound warning: $(cat "$WORK/w12.err")"
echo "ok 1 rank bound to one core, 2 threads: warned"

# 2 x 1 bound to a core each: no warning.
launch 2 core 1 b21 -- "${GEN[@]}" --output "$WORK/b21.h5"
[ "$(warnings b21)" -eq 0 ] || fail "2 x 1 bound warned: $(cat "$WORK/b21.err")"
[ "$(attr "$WORK/b21.h5" omp_wait_policy)" = default ] || fail "2 x 1: $(attr "$WORK/b21.h5" omp_wait_policy)"
echo "ok 2 x 1 bound: no warning, wait policy left alone"

# --report-affinity under --quiet prints the table and the FAIL verdict (and nothing else).
launch 1 core 2 ra -- "${GEN[@]}" --output "$WORK/ra.h5" --quiet --report-affinity
grep -q "^placement: FAIL: rank 0 on $HOST runs 2 threads on 1 CPU(s)" "$WORK/ra.out" ||
    fail "--report-affinity --quiet: $(cat "$WORK/ra.out")"
[ "$(awk '$1 == 0 && NF >= 5' "$WORK/ra.out" | wc -l)" -eq 2 ] || fail "--report-affinity --quiet: rows: $(cat "$WORK/ra.out")"
[ ! -s "$WORK/ra.err" ] || fail "--quiet --report-affinity printed on stderr: $(cat "$WORK/ra.err")"
echo "ok --report-affinity under --quiet: table and FAIL verdict"

# The transport: the user's choices are kept, by variable, by mpirun option, by the opt-out.
check_transport() { # NAME EXPECTED
    [ "$(attr "$WORK/$1.h5" mpi_transport)" = "$2" ] || fail "$1: mpi_transport '$(attr "$WORK/$1.h5" mpi_transport)', expected '$2'"
}
launch 2 core 1 t_default -- "${GEN[@]}" --output "$WORK/t_default.h5" --quiet
check_transport t_default "pml ob1, chosen by sqcube: all 2 ranks on one host"
OMPI_MCA_pml=ob1 launch 2 core 1 t_ob1 -- "${GEN[@]}" --output "$WORK/t_ob1.h5" --quiet
check_transport t_ob1 "as configured: OMPI_MCA_pml=ob1"
OMPI_MCA_pml=^ucx launch 2 core 1 t_noucx -- "${GEN[@]}" --output "$WORK/t_noucx.h5" --quiet
check_transport t_noucx "as configured: OMPI_MCA_pml=^ucx"
launch 2 core 1 t_mca --mca pml ob1 -- "${GEN[@]}" --output "$WORK/t_mca.h5" --quiet
check_transport t_mca "as configured: OMPI_MCA_pml=ob1"
SQCUBE_TRANSPORT=keep launch 2 core 1 t_keep -x SQCUBE_TRANSPORT -- "${GEN[@]}" --output "$WORK/t_keep.h5" --quiet
check_transport t_keep "as configured: SQCUBE_TRANSPORT=keep"
"$PY" "$LIB/compare_outputs.py" "$WORK/t_default.h5" "$WORK/t_ob1.h5" "$WORK/t_noucx.h5" "$WORK/t_keep.h5" ||
    fail "results differ between transports"
echo "ok transport: chosen when unset; OMPI_MCA_pml, --mca pml and SQCUBE_TRANSPORT=keep kept"
echo "launch_tune: all checks passed"
