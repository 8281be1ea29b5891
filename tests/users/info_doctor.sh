#!/usr/bin/env bash
# What `sqcube info` and `sqcube doctor` tell a user, checked against the files themselves.
# Usage: info_doctor.sh SQCUBE WORKDIR CASE
#   info    every number `sqcube info` prints (shape, count, sums, min, max, non-finite count, ranks,
#           threads, chunk, chunks, the per-phase timing) equals what h5py reads from the same file
#   doctor  `doctor --input FILE` sizes the output from that input's element count (h5py's); a
#           missing input is a FAIL; an output larger than the free space (statvfs) is a FAIL with
#           exit status 1, and one that fits is ok
# shellcheck disable=SC2015,SC1091
set -euo pipefail
SQCUBE=$1 WORK=$2 CASE=$3
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
rm -rf "$WORK" && mkdir -p "$WORK"
DATA=$(cd "$(dirname "$0")/../../data" && pwd)
cd "$WORK"

case $CASE in
info)
    # Float input with non-finite values, and a 2-D integer input: both kinds of reductions.
    sq_mpi 2 2 run --generate uniform:100003:seed=8:low=-5:high=5 --chunk 7000 --output u.h5 --quiet ||
        fail "run (uniform)"
    sq_mpi 3 1 run --generate range:5000 --chunk 999 --output r.h5 --schedule dynamic --quiet || fail "run (range)"
    for f in u.h5 r.h5; do
        "$PY" "$LIB/check_output.py" "$f" >/dev/null || fail "check_output.py rejects $f"
        "$SQCUBE" info "$f" >"$f.info" || fail "sqcube info $f exited $?"
        "$PY" - "$f" "$f.info" <<'PY' || fail "sqcube info $f does not match the file: $(cat "$f.info")"
import re, sys
import h5py

path, info = sys.argv[1], open(sys.argv[2]).read()
def field(label):  # the text after a label at the start of an indented line
    m = re.search(r"^\s+" + re.escape(label) + r"\s+(.*)$", info, re.M)
    assert m, f"no '{label}' line"
    return m[1].strip()
with h5py.File(path, "r") as f:
    a, p = f.attrs, f["provenance"].attrs
    assert "complete" in info.splitlines()[0], info.splitlines()[0]
    n = int(a["count"])
    assert n == f["square"].size, (n, f["square"].size)
    m = re.search(r"shape (\S+) \((\d+) elements\), (\w+) \(input (\w+)\)", field("/square, /cube"))
    assert m, field("/square, /cube")
    assert tuple(int(x) for x in m[1].split("x")) == f["square"].shape, (m[1], f["square"].shape)
    assert int(m[2]) == n and m[3] == a["output_type"] and m[4] == a["input_type"], m.groups()
    assert int(field("count")) == n
    for k in ("sum", "sum_sq", "sum_cube"):  # printed to round-trip: the same number
        m = re.fullmatch(r"(\S+)(?: \(exact (-?\d+)\))?", field(k))
        assert m, (k, field(k))
        assert float(m[1]) == float(a[k]), (k, m[1], a[k])
        if m[2] is not None or k + "_exact" in a:  # integer sums: the exact value as well
            assert m[2] == str(a[k + "_exact"]), (k, m[2], a[k + "_exact"])
    if "sum_closed_form" in a:
        got = [int(v) for v in field("closed forms").split(" (")[0].split(",")]
        assert got == [int(a[k + "_closed_form"]) for k in ("sum", "sum_sq", "sum_cube")], got
    lo, hi = (float(x) for x in field("min, max").split(","))
    assert (lo, hi) == (float(a["min"]), float(a["max"])), (lo, hi)
    assert int(field("nonfinite_count")) == int(a["nonfinite_count"])
    m = re.match(r"(\d+) ranks? x (\d+) threads? on (.+); chunk (\d+) \((\d+) chunks?\), (\w+) schedule",
                 field("run"))
    assert m, field("run")
    assert (int(m[1]), int(m[2]), int(m[4]), int(m[5]), m[6]) == (
        int(p["ranks"]), int(p["threads_per_rank"]), int(p["chunk"]), int(p["nchunks"]), p["schedule"]), m.groups()
    gen = p["generator"]
    assert field("input").endswith(gen.split(":", 1)[1]) or gen in field("input"), (field("input"), gen)
    # timing: min, avg and max over ranks of each phase, 4 decimals
    t = f["timing"][...]
    phases = ("read", "compute", "reduce", "write", "total")
    assert t.shape == (int(p["ranks"]), len(phases)), t.shape
    for j, ph in enumerate(phases):
        got = [float(v) for v in field(ph).split()]
        want = [t[:, j].min(), t[:, j].mean(), t[:, j].max()]
        assert all(abs(g - w) <= 0.00005 + 1e-12 for g, w in zip(got, want)), (ph, got, want)
    assert re.search(r"over %d ranks?" % int(p["ranks"]), info), "timing header rank count"
print(f"ok sqcube info {path}: {n} elements, reductions, run and timing as the file holds them")
PY
    done
    # A file that is not a result: one error line, exit 1.
    st=0
    "$SQCUBE" info "$DATA/sample.h5" >not.out 2>not.err || st=$?
    [ "$st" -eq 1 ] && [ "$(grep -c . not.err)" -eq 1 ] || fail "info on a non-result: status $st, $(cat not.err)"
    echo "ok sqcube info"
    ;;
doctor)
    n=$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["x"].size)' "$DATA/sample.h5")
    "$SQCUBE" doctor --input "$DATA/sample.h5:/x" --output "$WORK/o.h5" >input.log 2>&1 ||
        fail "doctor --input sample.h5 exited $?: $(cat input.log)"
    grep -Eq "^  ok +free space .*the output of $n elements needs" input.log ||
        fail "doctor --input: no ok free-space line for $n elements: $(cat input.log)"
    st=0
    "$SQCUBE" doctor --input "$WORK/missing.h5:/x" --output "$WORK/o.h5" >missing.log 2>&1 || st=$?
    [ "$st" -eq 1 ] && grep -Eq "^  FAIL +free space .*the input: .*missing.h5" missing.log ||
        fail "doctor --input missing.h5: status $st: $(cat missing.log)"
    # An output of twice the free space (16 bytes an element, /square and /cube of float64) FAILs.
    big=$("$PY" -c 'import os, sys; s = os.statvfs(sys.argv[1]); print(2 * s.f_bavail * s.f_frsize // 16 + 1)' "$WORK")
    st=0
    "$SQCUBE" doctor --generate "uniform:$big" --output "$WORK/o.h5" >big.log 2>&1 || st=$?
    [ "$st" -eq 1 ] || fail "doctor with an output over the free space: status $st, expected 1: $(cat big.log)"
    grep -Eq "^  FAIL +free space .*but the output of $big elements needs" big.log ||
        fail "doctor: no free-space FAIL for $big elements: $(cat big.log)"
    grep -q "^verdict: 1 check(s) failed" big.log || fail "doctor: verdict: $(grep verdict big.log)"
    "$SQCUBE" doctor --generate uniform:1000 --output "$WORK/o.h5" >small.log 2>&1 || fail "doctor, small output: $(cat small.log)"
    grep -Eq "^  ok +free space" small.log || fail "doctor, small output: $(cat small.log)"
    echo "ok doctor --input sizes from the input ($n elements); free space FAIL at $big elements, ok at 1000"
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
