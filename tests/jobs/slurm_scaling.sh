#!/usr/bin/env bash
# jobs/slurm/scaling.sbatch under a real Slurm, at small N: strong (fixed N) and weak (N per rank
# fixed) over 1x1, 1x2 and 2x1 in one 2-core allocation. The CSV must hold one row per run, each
# row's n, ranks and threads must be what that mode and configuration ask for and what its result
# file records, its rates must follow from the file's /timing, and every result file must pass
# `sqcube verify` and the independent checker (check_output.py).
# Usage: slurm_scaling.sh SQCUBE FIXTURE_DIR WORKDIR
set -euo pipefail
SQCUBE=$1 FIX=$2 WORK=$3
source "$(dirname "$0")/common.sh"
need_slurm "$FIX"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
N=60000 NPR=25000 CONFIGS="1x1 1x2 2x1"
st=0
SQCUBE=$SQCUBE KEEP=1 REPEATS=1 N=$N N_PER_RANK=$NPR CONFIGS=$CONFIGS OUTDIR=$WORK/out \
    submit scaling.out --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 "$JOBS/slurm/scaling.sbatch" --chunk 7000 || st=$?
[ "$st" -eq 0 ] || fail "scaling job exited $st: $(cat scaling.out)"
[ -s out/scaling.csv ] || fail "no out/scaling.csv; job output: $(cat scaling.out)"

for f in out/*.h5; do
    "$SQCUBE" verify "$f" --quiet >/dev/null || fail "sqcube verify rejects $f"
    "$PY" "$LIB/check_output.py" "$f" >/dev/null || fail "check_output.py rejects $f"
done
"$PY" - out/scaling.csv "$N" "$NPR" "$CONFIGS" <<'PY' || fail "scaling.csv does not match the runs: $(cat out/scaling.csv)"
import csv, math, os, sys
import h5py

path, n_strong, n_per_rank, configs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split()
with open(path, newline="") as f:
    rows = list(csv.DictReader(f))
want_cols = ["mode", "n", "ranks", "threads", "repeat", "total_s", "compute_s", "write_s", "gb_per_s", "output"]
assert list(rows[0].keys()) == want_cols, rows[0].keys()
# one row per mode x configuration (REPEATS=1), each exactly once
want = {(m, int(c.split("x")[0]), int(c.split("x")[1])) for m in ("strong", "weak") for c in configs}
got = [(r["mode"], int(r["ranks"]), int(r["threads"])) for r in rows]
assert len(rows) == len(want) and set(got) == want, (got, want)
for r in rows:
    ranks, threads, n = int(r["ranks"]), int(r["threads"]), int(r["n"])
    assert n == (n_strong if r["mode"] == "strong" else n_per_rank * ranks), r
    assert os.path.isfile(r["output"]) and not os.path.exists(r["output"] + ".partial"), r
    with h5py.File(r["output"], "r") as h:
        p = h["provenance"].attrs
        assert (int(p["ranks"]), int(p["threads_per_rank"]), int(h.attrs["count"])) == (ranks, threads, n), r
        assert p["generator"].startswith(f"uniform:{n}"), p["generator"]
        t = h["timing"][()]
        assert t.shape[0] == ranks, t.shape
        total, compute, write = t[:, 4].max(), t[:, 1].max(), t[:, 3].max()
    for col, v in (("total_s", total), ("compute_s", compute), ("write_s", write)):
        assert abs(float(r[col]) - v) <= 1e-6, (col, r[col], v)
    # float64 /square and /cube: 16 bytes per element
    assert math.isclose(float(r["gb_per_s"]), 16 * n / total / 1e9, rel_tol=1e-3, abs_tol=1e-4), r
print(f"ok scaling.csv: {len(rows)} rows, each matching its verified result file")
PY
echo "slurm_scaling: all checks passed"
