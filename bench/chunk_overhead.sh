#!/usr/bin/env bash
# Seconds per chunk at 1 x 1, 2 x 1, 1 x 2 and 2 x 2 (ranks x threads), for several chunk sizes,
# launched as a user on a workstation would: `mpirun -np R --bind-to none -x OMP_NUM_THREADS=T`,
# no MCA settings (sqcube chooses the transport, and the passive wait policy where ranks x threads
# exceed the CPUs). Rounds alternate the configurations after one warm-up round. Per case: the
# median wall time of the whole mpirun, the median run phase (`total` of --summary-json, slowest
# rank) divided by the number of chunks, and the ratio of R x T's wall time to R x 1's.
# KEEP=1 adds 2 x 2 with SQCUBE_WAIT_POLICY=keep (OpenMP's default spinning; minutes at --chunk 1).
#   bash bench/chunk_overhead.sh [REPEATS] ["N:CHUNK ..."]
#   (default 3 repeats; 20000:1 20000:16 200000:256 2000000:4K 2000000:64K 8000000:512K)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=${1:-3}
CASES=${2:-"20000:1 20000:16 200000:256 2000000:4K 2000000:64K 8000000:512K"}
BUILD=${SQCUBE_BUILD:-$ROOT/build}
DIR=$(mktemp -d "${SQCUBE_BENCH_DIR:-/tmp}/sqcube-chunks.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_pml OMPI_MCA_mtl SQCUBE_TRANSPORT SQCUBE_WAIT_POLICY OMP_WAIT_POLICY GOMP_SPINCOUNT
cmake --build "$BUILD" --target sqcube >/dev/null
CONFIGS=("1 1" "2 1" "1 2" "2 2")
[ "${KEEP:-0}" = 1 ] && CONFIGS+=("2 2 keep")
echo "chunk_overhead: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $REPEATS rounds after a warm-up"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $CASES; do
    n=${c%%:*} chunk=${c#*:}
    for round in $(seq 0 "$REPEATS"); do
        for cfg in "${CONFIGS[@]}"; do
            read -r r t keep <<<"$cfg"
            env=()
            [ -z "$keep" ] || env=(-x SQCUBE_WAIT_POLICY=keep)
            t0=$EPOCHREALTIME
            mpirun -np "$r" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$t" "${env[@]}" \
                "$BUILD/sqcube" run --generate "uniform:$n" --chunk "$chunk" --output "$DIR/o.h5" \
                --force -q --summary-json "$DIR/s.json"
            t1=$EPOCHREALTIME
            [ "$round" -eq 0 ] ||
                echo "$n $chunk $r $t ${keep:-auto} $t0 $t1 $(/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["timing"]["total"]["max"], d["settings"]["nchunks"])' "$DIR/s.json")" >>"$DIR/times"
        done
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$DIR/times" <<'PYEOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    n, chunk, r, t, keep, t0, t1, total, nchunks = line.split()
    key = (int(n), chunk, int(r), int(t), keep)
    rows.setdefault(key, {"wall": [], "total": [], "nchunks": int(nchunks)})
    rows[key]["wall"].append(float(t1) - float(t0))
    rows[key]["total"].append(float(total))
print("| N | --chunk | chunks | R x T | wall s (median, min-max) | run phase s | s per chunk | wall / R x 1 |")
print("|---|---|---|---|---|---|---|---|")
for key, v in rows.items():
    n, chunk, r, t, keep = key
    wall = statistics.median(v["wall"])
    total = statistics.median(v["total"])
    base = rows.get((n, chunk, r, 1, "auto"))
    ratio = wall / statistics.median(base["wall"]) if base else float("nan")
    name = f"{r} x {t}" + (" (keep)" if keep == "keep" else "")
    print(f"| {n} | {chunk} | {v['nchunks']} | {name} | {wall:.2f} ({min(v['wall']):.2f}-{max(v['wall']):.2f}) "
          f"| {total:.3f} | {total / v['nchunks']:.2e} | {ratio:.2f}x |")
PYEOF
