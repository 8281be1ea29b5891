#!/usr/bin/env bash
# Checkpoint and resume. A run stopped at a chunk boundary (SQCUBE_STOP_AFTER, the test hook that
# stands for a signal, and real SIGUSR1 / SIGTERM / SIGINT), or killed outright (SIGKILL to one
# rank), leaves OUTPUT.partial and no OUTPUT; `sqcube verify` refuses the partial file; `run
# --resume`, on other ranks x threads, schedules and I/O modes, finishes it; and the final file is
# bit for bit what an uninterrupted run writes (datasets and every reduction, by
# compare_outputs.py), passes the independent checker, and lists every session in
# /provenance/runs. Also: a checkpoint is never resumed with other settings, never overwritten
# without --force, and --resume without a checkpoint starts from the beginning.
# Usage: resume.sh SQCUBE FIXTURES WORKDIR
set -euo pipefail
SQCUBE=$1 FIXTURES=$2 WORK=$3
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
rm -rf "$WORK" && mkdir -p "$WORK"

# expect_status WANT LOGFILE CMD...: run CMD, stderr and stdout into LOGFILE, status must be WANT.
expect_status() {
    local want=$1 log=$2 st=0
    shift 2
    "$@" >"$log" 2>&1 || st=$?
    [ "$st" -eq "$want" ] || fail "expected status $want, got $st from: $* -- $(tail -5 "$log")"
}

# runs_of FILE: "session:status" for each line of /provenance/runs, in session order.
runs_of() {
    "$PY" - "$1" <<'EOF'
import sys, h5py
runs = h5py.File(sys.argv[1], "r")["provenance/runs"]
rows = sorted((int(g.attrs["session"]), g.attrs["status"], int(g.attrs["chunks_done"]))
              for g in runs.values())
print(" ".join(f"{s}:{st.split(' ')[0]}:{c}" for s, st, c in rows))
EOF
}

# same NAME REFERENCE FILE: FILE is complete, has no partial beside it, equals REFERENCE, passes the
# independent checker and verify.
same() {
    local name=$1 ref=$2 out=$3
    [ -f "$out" ] || fail "$name: no final output $out"
    [ ! -e "$out.partial" ] || fail "$name: $out.partial left behind after the resumed run"
    "$PY" "$LIB/compare_outputs.py" "$ref" "$out" >/dev/null ||
        fail "$name: the resumed output differs from the uninterrupted one"
    "$PY" "$LIB/check_output.py" "$out" >/dev/null || fail "$name: check_output.py found a difference"
    sq_mpi 2 1 verify "$out" --quiet >/dev/null || fail "$name: sqcube verify failed"
}

# Uninterrupted references.
GEN="--generate uniform:200003:seed=5:low=-3:high=3 --chunk 1000"
FILEIN="--input $FIXTURES/shape_2d.h5:/x --chunk 3"
RANGE="--generate range:3000001 --chunk 65536"
sq_mpi 2 1 run $GEN --output "$WORK/ref_gen.h5" --quiet || fail "reference run (generated)"
sq_mpi 1 1 run $FILEIN --output "$WORK/ref_file.h5" --quiet || fail "reference run (file)"
sq_mpi 3 1 run $RANGE --output "$WORK/ref_range.h5" --quiet || fail "reference run (range)"

# stop_resume NAME "ARGS" "NP1 T1 FLAGS1" "NP2 T2 FLAGS2" REF: stop after 3 polls, then resume.
stop_resume() {
    local name=$1 args=$2 first=$3 second=$4 ref=$5 out="$WORK/$1.h5"
    read -r np1 t1 f1 <<<"$first"
    read -r np2 t2 f2 <<<"$second"
    SQ_MPI_ENV=(SQCUBE_STOP_AFTER=3)
    # shellcheck disable=SC2086 # the arguments split on purpose
    expect_status 4 "$WORK/$name.log1" sq_mpi "$np1" "$t1" run $args $f1 --output "$out"
    SQ_MPI_ENV=()
    grep -q "sqcube: stopped: SIGUSR1: .* chunks are done and saved in '$out.partial'; run the same command with --resume" "$WORK/$name.log1" ||
        fail "$name: no stop message: $(cat "$WORK/$name.log1")"
    [ "$(grep -cE '^sqcube: (error|stopped):' "$WORK/$name.log1")" -eq 1 ] || fail "$name: not exactly one message line"
    [ -f "$out.partial" ] && [ ! -e "$out" ] || fail "$name: expected $out.partial and no $out"
    expect_status 1 "$WORK/$name.verify" sq_mpi 1 1 verify "$out.partial"
    grep -q "partial output of a run that has not finished.*--resume" "$WORK/$name.verify" ||
        fail "$name: verify of the partial file: $(cat "$WORK/$name.verify")"
    # shellcheck disable=SC2086
    expect_status 0 "$WORK/$name.log2" sq_mpi "$np2" "$t2" run $args $f2 --output "$out" --resume
    grep -q "resume    $out.partial: session 2; [1-9][0-9]* of [0-9]* chunks ([1-9][0-9]* of [0-9]* elements) done by 1 earlier session$" "$WORK/$name.log2" ||
        fail "$name: no resume line in the settings echo: $(head -8 "$WORK/$name.log2")"
    same "$name" "$ref" "$out"
    local runs
    runs=$(runs_of "$out")
    [[ $runs == "1:stopped:"*" 2:complete:"* ]] || fail "$name: /provenance/runs is '$runs'"
    echo "ok $name: $runs"
}

stop_resume gen_static_2to3 "$GEN" "2 1" "3 2" "$WORK/ref_gen.h5"
stop_resume gen_dynamic_to_static "$GEN" "3 1 --schedule dynamic" "1 2" "$WORK/ref_gen.h5"
stop_resume gen_independent_to_dynamic "$GEN" "2 2 --io independent" "2 1 --schedule dynamic --io independent" "$WORK/ref_gen.h5"
stop_resume file_2d "$FILEIN" "2 1" "4 1 --schedule dynamic" "$WORK/ref_file.h5"
stop_resume range_closed_form "$RANGE" "4 1" "2 2" "$WORK/ref_range.h5"

# Three sessions: stop, stop again, finish; the chunks of each count once.
out="$WORK/three.h5"
SQ_MPI_ENV=(SQCUBE_STOP_AFTER=2)
expect_status 4 "$WORK/three.1" sq_mpi 2 1 run $GEN --output "$out"
expect_status 4 "$WORK/three.2" sq_mpi 3 1 run $GEN --output "$out" --resume --schedule dynamic
SQ_MPI_ENV=()
expect_status 0 "$WORK/three.3" sq_mpi 1 2 run $GEN --output "$out" --resume
same three "$WORK/ref_gen.h5" "$out"
runs=$(runs_of "$out")
[[ $runs == "1:stopped:"*" 2:stopped:"*" 3:complete:"* ]] || fail "three sessions: /provenance/runs is '$runs'"
total=$(awk '{ for (i = 1; i <= NF; ++i) { split($i, f, ":"); s += f[3] } } END { print s }' <<<"$runs")
[ "$total" -eq 201 ] || fail "three sessions did $total chunks in all, expected 201 (each once)"
echo "ok three sessions: $runs"
# sqcube info shows the history: one line per session, in order, with the status and the chunks
# and elements /provenance/runs records (read here with h5py).
expect_status 0 "$WORK/three.info" "$SQCUBE" info "$out"
want_history=$("$PY" - "$out" <<'EOF'
import sys, h5py
runs = h5py.File(sys.argv[1], "r")["provenance/runs"]
for g in sorted(runs.values(), key=lambda g: int(g.attrs["session"])):
    a = g.attrs
    c, e, r, t = (int(a[k]) for k in ("chunks_done", "elements_done", "ranks", "threads_per_rank"))
    s = lambda n: "" if n == 1 else "s"
    print(f"  session {int(a['session']):<8d} {a['status']}: {c} chunk{s(c)} ({e} element{s(e)}) "
          f"on {r} rank{s(r)} x {t} thread{s(t)}, {a['start_time_utc']} .. {a['end_time_utc']}")
EOF
)
got_history=$(sed -n '/^history/,/^timing/p' "$WORK/three.info" | grep '^  session ')
[ "$got_history" = "$want_history" ] ||
    fail "sqcube info: the history is not /provenance/runs: got
$got_history
expected
$want_history"
[ "$(grep -c '^  session ' <<<"$got_history")" -eq 3 ] || fail "sqcube info: not 3 sessions: $got_history"
echo "ok three sessions: sqcube info shows the history"

# The settings must match: another --chunk or another generator is refused, the checkpoint kept.
out="$WORK/mismatch.h5"
SQ_MPI_ENV=(SQCUBE_STOP_AFTER=1)
expect_status 4 "$WORK/mismatch.1" sq_mpi 2 1 run $GEN --output "$out"
SQ_MPI_ENV=()
expect_status 2 "$WORK/mismatch.2" sq_mpi 2 1 run --generate uniform:200003:seed=5:low=-3:high=3 --chunk 999 --output "$out" --resume
grep -q "checkpoint '$out.partial' was made with chunk = 1000, but this run has chunk = 999" "$WORK/mismatch.2" ||
    fail "chunk mismatch message: $(cat "$WORK/mismatch.2")"
expect_status 2 "$WORK/mismatch.3" sq_mpi 1 1 run --generate uniform:200003:seed=6:low=-3:high=3 --chunk 1000 --output "$out" --resume
grep -q "made with generate = uniform:200003:seed=5" "$WORK/mismatch.3" || fail "generator mismatch message: $(cat "$WORK/mismatch.3")"
[ -f "$out.partial" ] || fail "a refused resume removed the checkpoint"
# Without --resume the checkpoint is not overwritten; --force starts over.
expect_status 2 "$WORK/mismatch.4" sq_mpi 1 1 run $GEN --output "$out"
grep -q "'$out.partial' exists: the checkpoint of an interrupted run.*pass --resume to continue it, or --force" "$WORK/mismatch.4" ||
    fail "partial without --resume: $(cat "$WORK/mismatch.4")"
expect_status 0 "$WORK/mismatch.5" sq_mpi 2 1 run $GEN --output "$out" --force --quiet
same force_over_checkpoint "$WORK/ref_gen.h5" "$out"
[ "$(runs_of "$out")" = "1:complete:201" ] || fail "--force over a checkpoint: runs $(runs_of "$out")"
echo "ok settings mismatch refused, checkpoint kept; --force starts over"

# --resume without a checkpoint is a fresh run (a batch script can always pass it).
expect_status 0 "$WORK/fresh.log" sq_mpi 2 1 run $GEN --output "$WORK/fresh.h5" --resume --quiet
same fresh_resume "$WORK/ref_gen.h5" "$WORK/fresh.h5"
echo "ok --resume without a checkpoint runs from the start"

# Real signals. The ranks are sent the signal, as Slurm's scancel and --signal do (and mpirun
# forwards SIGUSR1). A long run, so that the signal lands mid-run; it is stopped at the next chunk.
LONG="--generate uniform:40000000:seed=9 --chunk 32768"
sq_mpi 2 1 run $LONG --output "$WORK/ref_long.h5" --quiet || fail "reference run (long)"
signal_case() {
    local sig=$1 target=$2 out="$WORK/sig_$1.h5"
    rm -f "$out" "$out.partial"
    sq_mpi 2 1 run $LONG --output "$out" >"$WORK/sig_$sig.log" 2>&1 &
    local job=$!
    # Wait until a chunk is flagged done in the partial file (the run is under way), then signal.
    wait_chunks "$job" "$out.partial" 1 120 "$WORK/sig_$sig.log"
    local pattern="^$SQCUBE run $LONG --output $out\$"
    [ "$target" = mpirun ] && pattern="^mpirun .* $SQCUBE run $LONG --output $out\$"
    pkill "-$sig" -f "$pattern" || fail "SIG$sig: no $target process to signal (the run ended too soon?): $(cat "$WORK/sig_$sig.log")"
    local st=0
    wait "$job" || st=$?
    grep -q "sqcube: stopped: SIG$sig: .* chunks are done and saved" "$WORK/sig_$sig.log" ||
        fail "SIG$sig to the $target: no stop message (status $st): $(cat "$WORK/sig_$sig.log")"
    # The ranks exit 4, and so does Open MPI's mpirun when it forwards SIGUSR1 (docs/cli.md and
    # docs/clusters.md). (Only SIGTERM or SIGINT to mpirun itself gives 1: not sent here.)
    [ "$st" -eq 4 ] || fail "SIG$sig to the $target: status $st, expected 4: $(tail -5 "$WORK/sig_$sig.log")"
    [ -f "$out.partial" ] && [ ! -e "$out" ] || fail "SIG$sig: expected $out.partial and no $out"
    expect_status 0 "$WORK/sig_$sig.resume" sq_mpi 1 2 run $LONG --output "$out" --resume --quiet
    same "sig_$sig" "$WORK/ref_long.h5" "$out"
    echo "ok SIG$sig to the $target: status $st, resumed"
}
signal_case USR1 mpirun
if [ "$SQ_SIZE" = full ]; then # quick size: one signal (the handler is the same for all three)
    signal_case TERM ranks
    signal_case INT ranks
else
    echo "SKIP: SIGTERM and SIGINT to the ranks (quick size; SQCUBE_TEST_SIZE=full runs them)"
fi

# A rank killed outright (SIGKILL: no chance to checkpoint): the job ends, nothing under the
# output's name, and --resume takes over the chunks the killed session flagged (their records
# hold their reductions), redoes the rest, and finishes. tests/mpi/kill_anywhere.sh kills at
# random moments and bounds what is redone.
out="$WORK/killed.h5"
sq_mpi 2 1 run $LONG --output "$out" --quiet >"$WORK/killed.log" 2>&1 &
job=$!
wait_chunks "$job" "$out.partial" 1 120 "$WORK/killed.log"
victim=$(pgrep -f "^$SQCUBE run $LONG --output $out --quiet\$" | tail -1)
[ -n "$victim" ] || fail "no rank to kill"
kill -KILL "$victim"
st=0
wait "$job" || st=$?
[ "$st" -ne 0 ] || fail "a job with a killed rank exited 0"
[ ! -e "$out" ] || fail "a killed job left $out"
expect_status 0 "$WORK/killed.resume" sq_mpi 2 1 run $LONG --output "$out" --resume --quiet
same killed "$WORK/ref_long.h5" "$out"
runs=$(runs_of "$out")
[[ $runs =~ ^1:killed:([0-9]+)\ 2:complete:([0-9]+)$ ]] || fail "killed run: /provenance/runs is '$runs'"
[ "${BASH_REMATCH[1]}" -gt 0 ] || fail "killed run: no chunk of the killed session was taken over ($runs)"
[ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq 1221 ] || fail "killed run: $runs does not add up to 1221 chunks"
taken=$("$PY" -c 'import sys, h5py; print(list(h5py.File(sys.argv[1])["provenance/runs/2"].attrs["chunks_taken_over"]))' "$out")
[ "$taken" = "[${BASH_REMATCH[1]}]" ] || fail "killed run: session 2 says it took over $taken, session 1 did ${BASH_REMATCH[1]}"
echo "ok a rank killed with SIGKILL (job status $st): resumed, $runs"
echo "resume: all checks passed"
