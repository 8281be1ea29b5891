#!/usr/bin/env bash
# Documented `sqcube run` options that no other test holds, one case each, every output also
# checked by the independent checker (check_output.py). Usage: run_options.sh SQCUBE WORKDIR CASE
#   compress_resume  a stopped --compress run resumes (on other ranks) into a compressed file
#                    equal to an uninterrupted one; a resume with another --compress or
#                    --output-type is refused (exit 2, the message names the setting) and the
#                    checkpoint kept
#   short_resume     -r is --resume: it continues a checkpoint (a run without it is refused)
#   alignment        --alignment 0 keeps HDF5's packing (a dataset off the 1 MiB grid), the
#                    default 1M puts both datasets on it; /provenance records the value
#   hints            --mpiio-hint twice: both hints in /provenance (requested and in effect)
#   sync             --sync fsyncs the output (strace: more fsync calls on it than without)
#   log_csv          runs ending together append to one --log-csv file: one header, every row
#                    whole and its own
# shellcheck disable=SC2086,SC2034,SC2015,SC1091 # $GEN splits on purpose; sq_mpi reads SQ_MPI_ENV
set -euo pipefail
SQCUBE=$1 WORK=$2 CASE=$3
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"

# expect_status WANT LOG CMD...: CMD's stdout and stderr into LOG; its status must be WANT.
expect_status() {
    local want=$1 log=$2 st=0
    shift 2
    "$@" >"$log" 2>&1 || st=$?
    [ "$st" -eq "$want" ] || fail "expected status $want, got $st from: $* -- $(tail -5 "$log")"
}
checked() { # FILE: complete, no partial, the independent checker accepts it
    [ -f "$1" ] && [ ! -e "$1.partial" ] || fail "expected $1 and no $1.partial"
    "$PY" "$LIB/check_output.py" "$1" >/dev/null || fail "check_output.py rejects $1"
}
prov() { # FILE ATTR: one /provenance attribute
    "$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs[sys.argv[2]])' "$1" "$2"
}

case $CASE in
compress_resume)
    GEN="--generate range:20011 --chunk 1000 --compress 4"
    sq_mpi 2 1 run $GEN --output ref.h5 --quiet || fail "the uninterrupted --compress run"
    SQ_MPI_ENV=(SQCUBE_STOP_AFTER=2)
    expect_status 4 stop.log sq_mpi 2 1 run $GEN --output c.h5
    SQ_MPI_ENV=()
    [ -f c.h5.partial ] || fail "no c.h5.partial after the stop"
    # Another --compress, another --output-type: refused, named, the checkpoint kept.
    expect_status 2 other_level.log sq_mpi 1 1 run --generate range:20011 --chunk 1000 --compress 1 --output c.h5 --resume
    grep -q "was made with compress = 4, but this run has compress = 1" other_level.log ||
        fail "resume with --compress 1: $(cat other_level.log)"
    expect_status 2 off.log sq_mpi 1 1 run --generate range:20011 --chunk 1000 --output c.h5 --resume
    grep -q "was made with compress = 4, but this run has compress = 0" off.log || fail "resume without --compress: $(cat off.log)"
    expect_status 2 type.log sq_mpi 1 1 run $GEN --output-type float64 --output c.h5 --resume
    grep -q "was made with output_type = int64, but this run has output_type = float64" type.log ||
        fail "resume with --output-type float64: $(cat type.log)"
    [ -f c.h5.partial ] && [ ! -e c.h5 ] || fail "a refused resume touched the checkpoint"
    expect_status 0 resume.log sq_mpi 3 1 run $GEN --output c.h5 --resume --quiet
    checked c.h5
    "$PY" "$LIB/compare_outputs.py" ref.h5 c.h5 >/dev/null || fail "the resumed --compress output differs from the uninterrupted one"
    "$PY" - c.h5 <<'PY' || fail "c.h5 is not stored compressed"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for name in ("square", "cube"):
        d = f[name]
        assert (d.compression, d.compression_opts, d.shuffle) == ("gzip", 4, True), (name, d.compression, d.compression_opts, d.shuffle)
    runs = sorted((int(g.attrs["session"]), g.attrs["status"].split()[0]) for g in f["provenance/runs"].values())
    assert runs == [(1, "stopped"), (2, "complete")], runs
print("ok compressed (gzip 4, shuffle), two sessions")
PY
    echo "ok a stopped --compress run resumes; another --compress or --output-type is refused"
    ;;
short_resume)
    GEN="--generate uniform:30011:seed=4 --chunk 1000"
    sq_mpi 1 1 run $GEN --output ref.h5 --quiet || fail "reference run"
    SQ_MPI_ENV=(SQCUBE_STOP_AFTER=3)
    expect_status 4 stop.log sq_mpi 2 1 run $GEN --output r.h5
    SQ_MPI_ENV=()
    expect_status 2 norecover.log sq_mpi 1 1 run $GEN --output r.h5 # without -r: refused
    expect_status 0 resume.log sq_mpi 2 2 run $GEN --output r.h5 -r
    grep -q "resume    r.h5.partial: session 2" resume.log || fail "-r did not resume: $(head -8 resume.log)"
    checked r.h5
    "$PY" "$LIB/compare_outputs.py" ref.h5 r.h5 >/dev/null || fail "the -r resumed output differs"
    echo "ok -r resumes like --resume"
    ;;
alignment)
    # 200000 int64 elements: /square and /cube are 1.6 MB each, over the 1 MiB threshold.
    sq_mpi 2 1 run --generate range:200000 --chunk 30000 --output a0.h5 --alignment 0 --quiet || fail "--alignment 0"
    sq_mpi 2 1 run --generate range:200000 --chunk 30000 --output a1m.h5 --quiet || fail "default alignment"
    checked a0.h5
    checked a1m.h5
    [ "$(prov a0.h5 alignment)" = 0 ] || fail "--alignment 0 recorded as $(prov a0.h5 alignment)"
    [ "$(prov a1m.h5 alignment)" = 1048576 ] || fail "the default alignment recorded as $(prov a1m.h5 alignment)"
    "$PY" - a0.h5 a1m.h5 <<'PY' || fail "dataset offsets do not follow --alignment"
import sys, h5py
def offsets(path):
    with h5py.File(path, "r") as f:
        return [f[n].id.get_offset() for n in ("square", "cube")]
a0, a1m = offsets(sys.argv[1]), offsets(sys.argv[2])
assert all(o % 1048576 == 0 for o in a1m), f"default 1M: offsets {a1m}"
assert any(o % 1048576 != 0 for o in a0), f"--alignment 0: offsets {a0} all on the 1 MiB grid"
print(f"ok offsets: --alignment 0 {a0}, default {a1m}")
PY
    ;;
hints)
    sq_mpi 2 1 run --generate range:5003 --chunk 1000 --output h.h5 --quiet \
        --mpiio-hint cb_nodes=1 --mpiio-hint romio_cb_write=enable || fail "run with two hints"
    checked h.h5
    for attr in mpiio_hints_requested mpiio_hints_in_effect; do
        got=$(prov h.h5 $attr)
        for hint in cb_nodes=1 romio_cb_write=enable; do
            [[ ";$got;" == *";$hint;"* ]] || fail "/provenance $attr = '$got' lacks $hint"
        done
    done
    echo "ok both --mpiio-hint values recorded: $(prov h.h5 mpiio_hints_requested)"
    ;;
sync)
    command -v strace >/dev/null || fail "strace not found (scripts/install-deps.sh --tests installs it)"
    # fsync and fdatasync calls on the output, with the path of each descriptor (-y).
    syncs() {
        strace -f -qq -y -e trace=fsync,fdatasync -o "$1.trace" "$SQCUBE" run --generate range:5003 \
            --chunk 1000 --output "$1" --quiet "${@:2}" || fail "run $*"
        grep -c "sync([0-9]*<[^>]*$1.partial>" "$1.trace" || true
    }
    without=$(syncs plain.h5)
    with=$(syncs synced.h5 --sync)
    checked synced.h5
    [ "$(prov synced.h5 sync)" = 1 ] || fail "--sync recorded as $(prov synced.h5 sync)"
    [ "$with" -gt "$without" ] ||
        fail "--sync: $with fsync calls on the output, no more than without it ($without): $(cat synced.h5.trace)"
    echo "ok --sync: $with fsync calls on the output ($without without)"
    ;;
log_csv)
    # Four runs at once, each its own N, one CSV: one header, four whole rows, one per run.
    pids=()
    for n in 1001 2002 3003 4004; do
        sq_mpi 1 1 run --generate range:$n --chunk 100 --output "o$n.h5" --log-csv runs.csv --quiet \
            >"o$n.log" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fail "a concurrent run exited $?"; done
    for n in 1001 2002 3003 4004; do checked "o$n.h5"; done
    "$PY" - runs.csv "$WORK" <<'PY' || fail "runs.csv: $(cat runs.csv)"
import csv, os, sys
path, work = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
header = lines[0].split(",")
assert sum(l == lines[0] for l in lines) == 1, "more than one header line"
rows = list(csv.DictReader(open(path, newline="")))
assert len(rows) == 4, f"{len(rows)} rows, expected 4"
ns = set()
for r in rows:
    assert None not in r and None not in r.values(), f"a torn row: {r}"
    assert len(r) == len(header), r
    n = int(r["n"])
    assert r["output"].endswith(f"/o{n}.h5") and int(r["count"]) == n, f"a row of mixed runs: {r}"
    ns.add(n)
assert ns == {1001, 2002, 3003, 4004}, ns
print(f"ok runs.csv: one header, 4 rows, n = {sorted(ns)}")
PY
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
