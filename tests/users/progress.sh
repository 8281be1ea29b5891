#!/usr/bin/env bash
# Progress display tests. Usage: progress.sh SQCUBE OUTDIR CASE
#   tty    under a pseudo-terminal (script(1)): the bar is redrawn with '\r', ends at 100% and a
#          newline; mpirun hands the ranks a pipe, so this also tests that --progress auto looks
#          at the launcher's terminal
#   batch  stderr to a file: plain lines only, no control characters, counts that only grow, a
#          final 100% line; --progress-interval 0 prints none; a resumed run counts the whole
#          file and says so on every line
#   quiet  --quiet on a terminal prints nothing at all
#   modes  --progress bar and off, forced: a bar into a file, nothing on a terminal
#   count  the final count equals N on 1-3 ranks, static and dynamic schedules, collective and
#          independent I/O, 1 and 2 threads (the overlapped loop): every rank's work is counted
set -euo pipefail
SQCUBE=$1 OUT=$2 CASE=$3
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
mkdir -p "$OUT"
rm -f "$OUT"/*.h5 "$OUT"/*.log

# sq_tty CMD...: runs the command line on a pseudo-terminal; what it printed goes to stdout.
sq_tty() {
    timeout 300 script -q -e -c "$*" /dev/null
}

# The plain progress lines of a log must read "sqcube: progress P% (D of N elements), ..." with
# non-decreasing D, contain no control character but newlines, and end with 100% of N. With B (a
# resumed run, B elements done before it) every line reads "(D of N elements, resumed at B)" with
# D >= B.
check_lines() { # LOG N [B]
    $PY - "$1" "$2" "${3:-}" <<'PY'
import re, sys
log, n = sys.argv[1], int(sys.argv[2])
before = int(sys.argv[3]) if sys.argv[3] else None
data = open(log, "rb").read()
bad = sorted({b for b in data if b < 0x20 and b != 0x0a})
if bad:
    sys.exit(f"FAIL: control characters {bad} in {log}")
pat = re.compile(r"^sqcube: progress +(\d+)\.(\d)% \((\d+) of (\d+) elements(, resumed at (\d+))?\), "
                 r"\d+\.\d\d GB/s, elapsed \S+, ETA \S+$")
lines = [l for l in data.decode().splitlines() if l.startswith("sqcube: progress")]
if not lines:
    sys.exit(f"FAIL: no progress line in {log}")
last = -1
for l in lines:
    m = pat.match(l)
    if not m:
        sys.exit(f"FAIL: malformed progress line: {l!r}")
    done, total = int(m[3]), int(m[4])
    if (before is None) != (m[6] is None) or (before is not None and int(m[6]) != before):
        sys.exit(f"FAIL: {l!r}: expected {'no resume' if before is None else f'resumed at {before}'}")
    if before is not None and done < before:
        sys.exit(f"FAIL: {l!r} counts less than the {before} elements done before the resume")
    if total != n or done < last or done > n:
        sys.exit(f"FAIL: bad count in {l!r} (N = {n}, previous {last})")
    # the percentage is done / N rounded down to tenths
    if int(m[1]) * 10 + int(m[2]) != done * 1000 // n:
        sys.exit(f"FAIL: percentage does not match the count: {l!r}")
    last = done
if last != n:
    sys.exit(f"FAIL: the last progress line is not 100%: {lines[-1]!r}")
print(f"ok: {len(lines)} progress lines, last {lines[-1]!r}")
PY
}

case "$CASE" in
tty)
    # The bar is redrawn every 0.25 s and once at the end: a run must last long enough for two
    # redraws. Rather than guess how long N takes here, grow N (x8, at most 3 times) until the bar
    # was redrawn at least twice; a bar that is never redrawn mid-run fails at the largest N.
    for N in 2000000 16000000 128000000; do
        rm -f "$OUT/tty.h5"
        sq_tty "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe \
            --bind-to none -x OMP_NUM_THREADS=1 $SQCUBE run --generate range:$N --chunk 64K \
            --output $OUT/tty.h5 >/dev/null" >"$OUT/tty.log"
        st=0
        $PY - "$OUT/tty.log" $N <<'PY' || st=$?
import re, sys
data = open(sys.argv[1], "rb").read().decode()
n = int(sys.argv[2])
bars = re.findall(r"\r\[([#-]{20})\] +(\d+\.\d)% (\d+)/(\d+) \[\S+<\S+, \d+\.\d\d GB/s\]", data)
if not bars:
    sys.exit(f"FAIL: no bar drawn with \\r: {data[:300]!r}")
last = bars[-1]
if last[1] != "100.0" or int(last[2]) != n or int(last[3]) != n or last[0] != "#" * 20:
    sys.exit(f"FAIL: the last bar is not full at {n}: {last}")
if "sqcube: progress" in data:
    sys.exit("FAIL: plain lines on a terminal")
tail = data[data.rindex("\r["):]
if "\n" not in tail:
    sys.exit("FAIL: the final bar does not end its line")
if len(bars) < 2:
    print(f"only {len(bars)} bar drawn at N = {n} (the run was shorter than a redraw interval)")
    sys.exit(3)
print(f"ok: {len(bars)} bar redraws, last {last[1]}% {last[2]}/{last[3]}")
PY
        [ "$st" -ne 3 ] || continue
        [ "$st" -eq 0 ] || fail "tty: the bar at N = $N"
        break
    done
    [ "$st" -eq 0 ] || fail "tty: the bar was never redrawn mid-run, even at N = $N"
    rm -f "$OUT/tty.h5"
    ;;
batch)
    N=20000000
    sq_mpi 2 1 run --generate range:$N --chunk 64K --output "$OUT/batch.h5" \
        --progress-interval 0.1 >"$OUT/batch.out" 2>"$OUT/batch.log"
    check_lines "$OUT/batch.log" $N
    ! grep -q "sqcube: progress" "$OUT/batch.out" || fail "progress on stdout"
    # 0 turns the lines off; --progress lines with a long interval still gives the final line.
    sq_mpi 2 1 run --generate range:1000 --output "$OUT/none.h5" --progress-interval 0 \
        >/dev/null 2>"$OUT/none.log"
    [ ! -s "$OUT/none.log" ] || fail "--progress-interval 0 printed: $(cat "$OUT/none.log")"
    sq_mpi 2 1 run --generate range:1000 --output "$OUT/final.h5" --progress lines \
        --progress-interval 1e6 >/dev/null 2>"$OUT/final.log"
    check_lines "$OUT/final.log" 1000
    [ "$(wc -l <"$OUT/final.log")" -eq 1 ] || fail "expected only the final line"
    # A resumed run: stopped after 3 rounds (the test hook), then resumed with plain lines. B, the
    # elements of the stopped session, is read from its checkpoint record with h5py.
    N=100000
    SQ_MPI_ENV=(SQCUBE_STOP_AFTER=3)
    st=0
    sq_mpi 2 1 run --generate range:$N --chunk 1000 --output "$OUT/resumed.h5" --quiet \
        >"$OUT/resumed.1" 2>&1 || st=$?
    # shellcheck disable=SC2034 # read by sq_mpi (tests/lib/common.sh)
    SQ_MPI_ENV=()
    [ "$st" -eq 4 ] || fail "the stopped session exited $st, expected 4: $(cat "$OUT/resumed.1")"
    B=$($PY -c 'import sys, h5py; print(int(h5py.File(sys.argv[1], "r")["checkpoint/sessions/1"].attrs["elements_done"]))' \
        "$OUT/resumed.h5.partial")
    if [ "$B" -le 0 ] || [ "$B" -ge $N ]; then fail "the stopped session did $B of $N elements"; fi
    sq_mpi 2 1 run --generate range:$N --chunk 1000 --output "$OUT/resumed.h5" --resume \
        --progress lines --progress-interval 0.001 >/dev/null 2>"$OUT/resumed.log"
    check_lines "$OUT/resumed.log" $N "$B"
    ;;
quiet)
    sq_tty "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe \
        --bind-to none $SQCUBE run --generate range:2000000 --chunk 64K --output $OUT/quiet.h5 \
        --quiet" >"$OUT/quiet.log"
    [ ! -s "$OUT/quiet.log" ] || fail "--quiet printed: $(head -c 300 "$OUT/quiet.log" | od -c | head)"
    sq_mpi 2 1 run --generate range:1000 --output "$OUT/quiet2.h5" --quiet >"$OUT/quiet2.log" 2>&1
    [ ! -s "$OUT/quiet2.log" ] || fail "--quiet printed: $(cat "$OUT/quiet2.log")"
    echo "ok: --quiet prints nothing, on a terminal or not"
    ;;
modes)
    # --progress bar with stderr to a file: the bar all the same (\r redraws, full at the end, no
    # plain lines), where auto would give lines. --progress off on a terminal: nothing, where auto
    # would draw the bar; off in a batch log: no lines either. Each output is checked.
    N=300007
    sq_mpi 2 1 run --generate range:$N --chunk 10K --output "$OUT/bar.h5" --progress bar \
        >/dev/null 2>"$OUT/bar.log" || fail "--progress bar exited $?: $(cat "$OUT/bar.log")"
    $PY - "$OUT/bar.log" $N <<'PY'
import re, sys
data, n = open(sys.argv[1], "rb").read().decode(), int(sys.argv[2])
bars = re.findall(r"\r\[([#-]{20})\] +(\d+\.\d)% (\d+)/(\d+) ", data)
if not bars or bars[-1][0] != "#" * 20 or int(bars[-1][2]) != n or int(bars[-1][3]) != n:
    sys.exit(f"FAIL: --progress bar into a file: no full bar at {n}: {data[:300]!r}")
if "sqcube: progress" in data:
    sys.exit("FAIL: --progress bar printed plain lines")
print(f"ok --progress bar into a file: {len(bars)} bars, the last full")
PY
    sq_tty "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe \
        --bind-to none -x OMP_NUM_THREADS=1 $SQCUBE run --generate range:$N --chunk 10K \
        --output $OUT/off_tty.h5 --progress off >/dev/null" >"$OUT/off_tty.log"
    ! grep -q $'\r\|sqcube: progress' "$OUT/off_tty.log" || fail "--progress off on a terminal: $(od -c "$OUT/off_tty.log" | head)"
    sq_mpi 2 1 run --generate range:$N --chunk 10K --output "$OUT/off.h5" --progress off \
        --progress-interval 0.01 >/dev/null 2>"$OUT/off.log" || fail "--progress off exited $?"
    ! grep -q 'sqcube: progress\|\[#' "$OUT/off.log" || fail "--progress off printed: $(cat "$OUT/off.log")"
    for f in bar off_tty off; do
        "$PY" "$LIB/check_output.py" "$OUT/$f.h5" >/dev/null || fail "check_output.py rejects $OUT/$f.h5"
    done
    echo "ok: --progress bar draws the bar into a file, --progress off prints none on a terminal or not"
    ;;
count)
    N=1009
    for np in 1 2 3; do
        for threads in 1 2; do
            for sched in static dynamic; do
                for io in collective independent; do
                    f="$OUT/c_${np}_${threads}_${sched}_${io}"
                    sq_mpi "$np" "$threads" run --generate range:$N --chunk 100 --output "$f.h5" \
                        --schedule $sched --io $io --progress lines --progress-interval 1e6 \
                        >/dev/null 2>"$f.log"
                    check_lines "$f.log" $N >/dev/null || fail "$np x $threads $sched $io: $(cat "$f.log")"
                done
            done
        done
    done
    # chunk 1: one count per element, 3 ranks taking them from the queue
    sq_mpi 3 2 run --generate range:50 --chunk 1 --output "$OUT/c_chunk1.h5" --schedule dynamic \
        --io independent --progress lines --progress-interval 1e6 >/dev/null 2>"$OUT/c_chunk1.log"
    check_lines "$OUT/c_chunk1.log" 50
    # the display changes nothing: the file verifies
    sq_mpi 2 1 verify "$OUT/c_3_2_dynamic_independent.h5" --quiet
    for f in "$OUT"/c_*.h5; do # and the independent checker accepts every one of them
        "$PY" "$LIB/check_output.py" "$f" >/dev/null || fail "check_output.py rejects $f"
    done
    echo "ok: the final count is N on 1-3 ranks x 1-2 threads, static and dynamic, both I/O modes"
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
