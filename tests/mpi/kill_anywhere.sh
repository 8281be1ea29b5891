#!/usr/bin/env bash
# Kill anywhere: SIGKILL a run at a random moment (seeded: the seed, the moment and the victim are
# printed), resume it on random ranks x threads, schedule and I/O mode, and compare the result bit
# for bit with an uninterrupted run (compare_outputs.py; sqcube verify on every third).
#   victims: one rank, all ranks at once, or mpirun itself;
#   moments: a random delay after the ranks start (file creation, first chunks), K chunks flagged
#            (waited for by polling /checkpoint/done, not by sleeping), or every chunk flagged (the
#            end-of-run metadata, close and rename).
# Before each resume it counts the chunks the killed run had written (data in the file) without
# flagging them: written work that is redone. That must be at most 2 per rank of the killed run.
# A kill may also leave a partial that --resume refuses with one line saying what to do: the test
# then checks the one line, does what it says, and counts it.
# Usage: kill_anywhere.sh SQCUBE WORKDIR [KILLS [SEED [REPORT]]]
#   KILLS kills (default, or "auto": 12, 4 with SQCUBE_TEST_SIZE=quick) from seed SEED (default
#   17): kill i uses seed SEED * 1000 + i.
#   KILL_SEED=S kill_anywhere.sh SQCUBE WORK 1 reproduces the kill printed with seed S; KEEP=1
#   keeps each killed partial (as k<i>.h5.killed) and the logs. REPORT: a file that gets one line
#   per kill, "seed moment victim ranks flagged redone" (for bench/kill_anywhere.sh).
set -euo pipefail
SQCUBE=$1 WORK=$2 KILLS=${3:-auto} SEED=${4:-17} REPORT=${5:-}
source "$(dirname "$0")/../lib/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$KILLS" = auto ]; then
    KILLS=12
    [ "$SQ_SIZE" != quick ] || KILLS=4
fi
export OMPI_MCA_pml=ob1
rm -rf "$WORK" && mkdir -p "$WORK"
PROBE="$HERE/kill_probe.py"

N=4000000 CHUNK=32768
NCHUNKS=$(((N + CHUNK - 1) / CHUNK))
ARGS=(--generate "uniform:$N:seed=3:low=-2:high=2" --chunk "$CHUNK")
REF="$WORK/ref.h5"
sq_mpi 2 1 run "${ARGS[@]}" --output "$REF" --quiet || fail "the uninterrupted reference run failed"

# A random configuration into CFG: "NP THREADS SCHEDULE IO". (Not through $(...): bash reseeds
# RANDOM in a subshell, which would make the draws irreproducible.)
draw_config() {
    local sched=(static dynamic) io=(collective independent)
    CFG="$((1 + RANDOM % 3)) $((1 + RANDOM % 2)) ${sched[RANDOM % 2]} ${io[RANDOM % 2]}"
}

# The sqcube processes (ranks) writing OUT.
ranks_of() { pgrep -f "^$SQCUBE run .* --output $1( |\$)" || true; }

# Wait (at most 60 s) until no rank writing OUT is left; returns 1 if some had to be killed.
reap_ranks() {
    local out=$1
    for _ in $(seq 600); do
        [ -z "$(ranks_of "$out")" ] && return 0
        sleep 0.1
    done
    local left
    left=$(ranks_of "$out")
    # shellcheck disable=SC2086 # one pid a word
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
    return 1
}

kills_done=0 refusals=0 finished_first=0 max_redone=0
for ((i = 0; i < KILLS; ++i)); do
    seed=${KILL_SEED:-$((SEED * 1000 + i))}
    RANDOM=$seed
    out="$WORK/k$i.h5"
    draw_config
    read -r np t sched io <<<"$CFG"
    draw_config
    read -r np2 t2 sched2 io2 <<<"$CFG"
    victims=(rank all mpirun)
    victim=${victims[RANDOM % 3]}
    m=$((RANDOM % 10))
    if [ "$m" -eq 0 ]; then
        moment="start+$((RANDOM % 400))ms"
    elif [ "$m" -eq 1 ]; then
        moment="flagged=$NCHUNKS"
    else
        moment="flagged=$((1 + RANDOM % (NCHUNKS - 1)))"
    fi
    echo "kill $i: seed $seed, moment $moment, victim $victim, killed run $np x $t $sched $io, resumed on $np2 x $t2 $sched2 $io2"
    mpirun -np "$np" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$t" "$SQCUBE" run \
        "${ARGS[@]}" --schedule "$sched" --io "$io" --output "$out" --quiet >"$out.log1" 2>&1 &
    job=$!
    if [[ $moment == start+* ]]; then
        # From the moment the ranks exist (creating the file, the first chunks).
        for _ in $(seq 500); do
            [ -z "$(ranks_of "$out")" ] || break
            sleep 0.01
        done
        ms=${moment#start+}
        sleep "$(printf '0.%03d' "${ms%ms}")"
    else
        st=0
        "$PY" "$PROBE" wait "$out.partial" "${moment#flagged=}" "$job" || st=$?
        [ "$st" -eq 0 ] || [ "$st" -eq 3 ] || fail "kill $i: the flag poller failed ($st)"
    fi
    case $victim in
    rank)
        mapfile -t all_ranks < <(ranks_of "$out")
        pids=${all_ranks[RANDOM % (${#all_ranks[@]} > 0 ? ${#all_ranks[@]} : 1)]:-}
        ;;
    all) pids=$(ranks_of "$out") ;;
    mpirun) pids=$job ;;
    esac
    # shellcheck disable=SC2086 # one pid a word
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    st=0
    # The launcher must end by itself after a kill (Open MPI aborts the job when a rank dies):
    # a launcher still running 120 s later is a hang, reported as such, not a ctest timeout.
    for _ in $(seq 1200); do
        kill -0 "$job" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$job" 2>/dev/null; then
        kill -KILL "$job" 2>/dev/null || true
        reap_ranks "$out" || true
        fail "kill $i: the launcher was still running 120 s after the kill (a hang)"
    fi
    wait "$job" 2>/dev/null || st=$?
    reap_ranks "$out" || fail "kill $i: ranks of the killed run were still running 60 s after the kill (killed now)"
    if [ -f "$out" ] && [ ! -e "$out.partial" ]; then
        # The run ended before the kill landed: its output must be whole.
        finished_first=$((finished_first + 1))
        "$PY" "$LIB/compare_outputs.py" "$REF" "$out" >/dev/null || fail "kill $i: a run that finished first differs"
        echo "  finished (job status $st: the kill came too late, or mpirun was killed and its ranks went on): equal to the reference"
        [ -z "$REPORT" ] || echo "$seed $moment $victim $np finished - -" >>"$REPORT"
        rm -f "$out"
        continue
    fi
    [ "$st" -ne 0 ] || fail "kill $i: the killed job exited 0 without an output"
    [ ! -e "$out" ] || fail "kill $i: a killed job left both $out and $out.partial"
    redone=- flagged=-
    [ -z "${KEEP:-}" ] || cp "$out.partial" "$out.killed"
    if [ -e "$out.partial" ] && read -r flagged redone _ < <("$PY" "$PROBE" redone "$out.partial" 2>/dev/null); then
        [ "$redone" -le $((2 * np)) ] || fail "kill $i: $redone written chunks were not flagged (more than 2 per rank of $np)"
        [ "$redone" -le "$max_redone" ] || max_redone=$redone
    fi
    rst=0
    mpirun -np "$np2" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$t2" "$SQCUBE" run \
        "${ARGS[@]}" --schedule "$sched2" --io "$io2" --output "$out" --resume >"$out.log2" 2>&1 || rst=$?
    if [ "$rst" -ne 0 ]; then
        # A refusal: exactly one line, which says what to do; then do it.
        [ "$(grep -c '^sqcube: error:' "$out.log2")" -eq 1 ] || fail "kill $i: resume failed ($rst) without one error line: $(tail -5 "$out.log2")"
        refusals=$((refusals + 1))
        echo "  refused: $(grep '^sqcube: error:' "$out.log2")"
        if grep -q "^sqcube: error: .* is a complete output: .*rename it" "$out.log2"; then
            # Killed between the close and the rename: check it, as the line says, and rename it.
            sq_mpi 1 1 verify "$out.partial" --quiet >/dev/null || fail "kill $i: verify of the complete partial failed"
            mv "$out.partial" "$out"
        elif grep -q "^sqcube: error: .*remove it.*--force" "$out.log2"; then
            sq_mpi "$np2" "$t2" run "${ARGS[@]}" --output "$out" --force --quiet >"$out.log3" 2>&1 || fail "kill $i: --force after the refusal failed"
        else
            fail "kill $i: a refusal that does not say what to do: $(grep '^sqcube:' "$out.log2")"
        fi
    fi
    [ -f "$out" ] && [ ! -e "$out.partial" ] || fail "kill $i: no final output after the resume"
    "$PY" "$LIB/compare_outputs.py" "$REF" "$out" >/dev/null || fail "kill $i: the resumed output differs from the uninterrupted one"
    if [ $((i % 3)) -eq 0 ]; then
        sq_mpi 1 1 verify "$out" --quiet >/dev/null || fail "kill $i: sqcube verify failed"
    fi
    taken=$(grep -o 'session [0-9]*; [0-9]* of' "$out.log2" | awk '{ print $3 }' || true)
    echo "  killed job status $st; flagged $flagged, written but unflagged (redone) $redone; resumed: took over ${taken:-0}, equal to the reference"
    [ -z "$REPORT" ] || echo "$seed $moment $victim $np $flagged $redone" >>"$REPORT"
    kills_done=$((kills_done + 1))
    [ -n "${KEEP:-}" ] || rm -f "$out" "$out".log*
done
echo "kill_anywhere: $KILLS kills ($kills_done resumed, $finished_first finished before the kill, $refusals refused with one line); at most $max_redone written chunks redone"
