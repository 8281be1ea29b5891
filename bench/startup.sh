#!/usr/bin/env bash
# Start-up cost of the plain launch line: a run of one element against a bare MPI program
# (bench/mpi_bare.c: MPI_Init_thread + MPI_Finalize), all under `mpirun -np NP` on this node, no MCA
# settings in the environment unless a row says so. Rows (alternated A B C D E, A B C D E, ... after
# one warm-up round; median and min-max of the wall time of the whole mpirun):
#   bare ob1      OMPI_MCA_pml=ob1 mpirun -np NP bench_mpi_bare          (the floor)
#   bare default  mpirun -np NP bench_mpi_bare                           (Open MPI's own choice)
#   sqcube        mpirun -np NP sqcube run --generate range:1 -q         (sqcube chooses ob1)
#   sqcube keep   SQCUBE_TRANSPORT=keep ... (sqcube leaves the transport alone)
#   sqcube ob1    OMPI_MCA_pml=ob1 ... (the user chose ob1)
# and the ratio of each to the floor. Also prints the load average before and after.
#   bash bench/startup.sh [NP] [REPEATS]     (default 2 ranks, 11 repeats)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NP=${1:-2}
REPEATS=${2:-11}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
DIR=$(mktemp -d "${SQCUBE_BENCH_DIR:-/tmp}/sqcube-startup.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_pml OMPI_MCA_mtl SQCUBE_TRANSPORT
cmake --build "$BUILD" --target sqcube bench_mpi_bare >/dev/null
MPIRUN=(mpirun -np "$NP" --oversubscribe)
NAMES=("bare ob1" "bare default" "sqcube" "sqcube keep" "sqcube ob1")
run_row() { # INDEX: one run of that row
    case $1 in
    0) OMPI_MCA_pml=ob1 "${MPIRUN[@]}" "$BUILD/bench_mpi_bare" ;;
    1) "${MPIRUN[@]}" "$BUILD/bench_mpi_bare" ;;
    2) "${MPIRUN[@]}" "$BUILD/sqcube" run --generate range:1 --output "$DIR/o.h5" --force -q ;;
    3) SQCUBE_TRANSPORT=keep "${MPIRUN[@]}" -x SQCUBE_TRANSPORT "$BUILD/sqcube" run --generate range:1 \
        --output "$DIR/o.h5" --force -q ;;
    4) OMPI_MCA_pml=ob1 "${MPIRUN[@]}" "$BUILD/sqcube" run --generate range:1 --output "$DIR/o.h5" \
        --force -q ;;
    esac
}
echo "startup: $NP ranks, $REPEATS alternating rounds after a warm-up; $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 0 "$REPEATS"); do
    for i in "${!NAMES[@]}"; do
        t0=$EPOCHREALTIME
        run_row "$i" >/dev/null
        t1=$EPOCHREALTIME
        [ "$round" -eq 0 ] || echo "$i $t0 $t1" >>"$DIR/times"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$DIR/times" "${NAMES[@]}" <<'PYEOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    i, t0, t1 = line.split()
    rows.setdefault(int(i), []).append(float(t1) - float(t0))
names = sys.argv[2:]
floor = statistics.median(rows[0])
print(f"| {'row':<13} | median s | min-max s | / bare ob1 |")
print("|---|---|---|---|")
for i, name in enumerate(names):
    t = rows[i]
    print(f"| {name:<13} | {statistics.median(t):.3f} | {min(t):.3f}-{max(t):.3f} | "
          f"{statistics.median(t) / floor:.2f}x |")
PYEOF
