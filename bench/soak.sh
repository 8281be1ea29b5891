#!/usr/bin/env bash
# Soak: back-to-back sqcube runs of random sizes, ranks (1-4), threads (1-2), schedule and I/O
# mode, each verified by `sqcube verify` (on another random rank count), with per-rank peak RSS
# (/usr/bin/time %M) and the most file descriptors each rank held (sampled from /proc/PID/fd).
# A fixed probe run (range:200000, 2 ranks x 2 threads, chunk 16K) before the first run and after
# every 10th must show the same peak RSS (within 10%) and fd count (within 1) each time: a leak of memory,
# descriptors or shared-memory segments across runs would show as growth there. Afterwards no file
# may be left in the run's private TMPDIR and shared-memory directory, and no output .partial.
# A benchmark, not a test: run it on a quiet machine, `nice bash bench/soak.sh [RUNS] [BUILD]`.
# Prints one line a run and a summary; exits 1 on a failed run, verify or check.
set -euo pipefail
RUNS=${1:-50}
BUILD=${2:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SQCUBE=$(cd "$BUILD" && pwd)/sqcube
[ -x "$SQCUBE" ] || { echo "soak: $SQCUBE not built" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "soak: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1
WORK=$(mktemp -d /tmp/sqcube-soak.XXXXXX)
SHM=$(mktemp -d /dev/shm/sqcube-soak.XXXXXX)
trap 'rm -rf "$WORK" "$SHM"' EXIT
mkdir -p "$WORK/tmp" "$WORK/ranks"
# Open MPI's session directories and the shared-memory transport's segments go to private
# directories, so that anything left behind is this script's (other jobs share /tmp, /dev/shm).
export TMPDIR="$WORK/tmp" OMPI_MCA_btl_vader_backing_directory="$SHM"
RESULTS="$WORK/results.txt"
: >"$RESULTS"

# The rank wrapper: sqcube under /usr/bin/time, its fd count sampled every 20 ms.
cat >"$WORK/rank.sh" <<'WRAP'
#!/usr/bin/env bash
out=$1; shift
rank=${OMPI_COMM_WORLD_RANK:-0}
/usr/bin/time -f %M -o "$out.rss.$rank" "$@" &
tpid=$!
maxfd=0
while kill -0 "$tpid" 2>/dev/null; do
    for pid in $(pgrep -P "$tpid"); do
        n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        [ "$n" -gt "$maxfd" ] && maxfd=$n
    done
    sleep 0.02
done
wait "$tpid"; rc=$?
echo "$maxfd" >"$out.fd.$rank"
exit "$rc"
WRAP
chmod +x "$WORK/rank.sh"

# one KIND NP THREADS ARGS...: a run under the wrapper; appends "KIND NP THREADS N MAXRSS MAXFD".
one() {
    local kind=$1 np=$2 threads=$3 n=$4
    shift 4
    local tag="$WORK/ranks/r$RANDOM$RANDOM"
    rm -f "$WORK/out.h5"
    timeout 600 mpirun -np "$np" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$threads" \
        -x TMPDIR -x OMPI_MCA_btl_vader_backing_directory \
        "$WORK/rank.sh" "$tag" "$SQCUBE" run "$@" --output "$WORK/out.h5" --quiet ||
        { echo "soak: run failed: $np x $threads $*" >&2; exit 1; }
    [ ! -e "$WORK/out.h5.partial" ] || { echo "soak: .partial left: $*" >&2; exit 1; }
    local vnp=$((RANDOM % 4 + 1))
    timeout 600 mpirun -np "$vnp" --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 \
        "$SQCUBE" verify "$WORK/out.h5" --quiet >/dev/null ||
        { echo "soak: verify on $vnp ranks failed: $np x $threads $*" >&2; exit 1; }
    local rss fd
    rss=$(cat "$tag".rss.* | sort -n | tail -1)
    fd=$(cat "$tag".fd.* | sort -n | tail -1)
    echo "$kind $np $threads $n $rss $fd" >>"$RESULTS"
    printf '%-5s %d x %d  N=%-8s rss %6s KiB  fds %3s  %s\n' "$kind" "$np" "$threads" "$n" "$rss" "$fd" "$*"
}
probe() { one probe 2 2 200000 --generate range:200000 --chunk 16K; }

shm_before=$(ls -A /dev/shm | grep -c . || true)
probe
for i in $(seq 1 "$RUNS"); do
    # N log-uniform in 1 .. 2^21, sometimes 0; a random chunk; uniform or range input.
    n=$(( RANDOM % 20 == 0 ? 0 : (1 << (RANDOM % 21)) + RANDOM % 1000 ))
    np=$((RANDOM % 4 + 1)) threads=$((RANDOM % 2 + 1))
    chunk=$(( 1 << (RANDOM % 10 + 10) ))
    sched=$([ $((RANDOM % 2)) -eq 0 ] && echo static || echo dynamic)
    io=$([ $((RANDOM % 2)) -eq 0 ] && echo collective || echo independent)
    gen=$([ $((RANDOM % 2)) -eq 0 ] && echo "range:$n" || echo "uniform:$n:seed=$i")
    one run "$np" "$threads" "$n" --generate "$gen" --chunk "$chunk" --schedule "$sched" --io "$io"
    [ $((i % 10)) -ne 0 ] || probe
done
sleep 1
left_tmp=$(find "$WORK/tmp" -mindepth 1 | wc -l)
left_shm=$(find "$SHM" -mindepth 1 | wc -l)
shm_after=$(ls -A /dev/shm | grep -c . || true)
/usr/bin/python3 - "$RESULTS" "$left_tmp" "$left_shm" "$shm_before" "$shm_after" <<'PYEOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
left_tmp, left_shm, shm_before, shm_after = map(int, sys.argv[2:6])
probes = [(int(r[4]), int(r[5])) for r in rows if r[0] == "probe"]
runs = [(int(r[4]), int(r[5])) for r in rows if r[0] == "run"]
rss = [p[0] for p in probes]
fds = [p[1] for p in probes]
print(f"soak: {len(runs)} random runs verified; peak RSS per rank {min(r[0] for r in runs)}.."
      f"{max(r[0] for r in runs)} KiB, fds per rank {min(r[1] for r in runs)}..{max(r[1] for r in runs)}")
print(f"soak: probe runs ({len(probes)}): peak RSS {rss} KiB, max fds {fds}")
print(f"soak: left behind: {left_tmp} in the private TMPDIR, {left_shm} in the private shm dir; "
      f"/dev/shm entries (all users) {shm_before} before, {shm_after} after")
# The probes must agree: peak RSS within 10%, and the most fds seen within 1 of each other (the
# count is sampled every 20 ms, so a descriptor open for a moment may be seen or missed).
ok = (max(rss) <= 1.10 * min(rss) and max(fds) - min(fds) <= 1 and left_tmp == 0
      and left_shm == 0)
print("soak: " + ("no growth, nothing left behind" if ok else "GROWTH OR LEFTOVERS"))
sys.exit(0 if ok else 1)
PYEOF
