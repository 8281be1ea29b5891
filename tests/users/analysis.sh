#!/usr/bin/env bash
# The analysis scripts (analysis/*.py) on real sqcube outputs. Usage: analysis.sh SQCUBE DIR CASE
#   help      every script has --help (with the figure options) and the /usr/bin/python3 line
#   outputs   make the outputs: range:300000 on 1, 2, 3 ranks x 1 thread and 1 x 2, each with a
#             --summary-json and a row in one --log-csv; a 2-D input; a float input with NaN
#   summary   the table's values equal the files' (h5py) and independent arithmetic; --png
#   phases    per-rank stacked bars, PNG and SVG
#   scaling   from the result files and from the CSV log
#   preview   bounded samples: strided 1-D (the sample's statistics equal numpy's over the same
#             stride), random, N-D, non-finite values
# Every figure is checked by check_png.py: it decodes, has width*dpi x height*dpi pixels, is not
# blank. Each case also runs its script's --help examples exactly as printed (the figures they
# make have the default size docs/analysis.md states) and checks that no text of a figure falls
# outside it (clipped titles: 2 threads per rank, narrow figures, long input names).
set -euo pipefail
SQCUBE=$1 DIR=$2 CASE=$3
TESTS=$(cd "$(dirname "$0")" && pwd)
source "$TESTS/../lib/common.sh"
export OMPI_MCA_pml=ob1
A="$TESTS/../../analysis"
PNG="$PY $TESTS/check_png.py"
DOC="$TESTS/../../docs/analysis.md"
mkdir -p "$DIR"
cd "$DIR"

# help_examples NAME [PNG]: every line of NAME.py --help's Example(s) section, run exactly as
# printed (analysis/NAME.py ...) in a directory where out.h5, out/*.h5 and runs.csv are this
# test's outputs; each must exit 0. PNG, when given, is the figure the examples write without
# --width/--height/--dpi: it must have the default pixel size docs/analysis.md states for NAME.
help_examples() {
    local name=$1 png=${2:-} ex="ex_$1" line n=0 size
    rm -rf "$ex" && mkdir -p "$ex/out"
    ln -s "$A" "$ex/analysis"
    cp r1x2.h5 "$ex/out.h5"
    cp runs.csv "$ex/"
    for f in r1x1 r2x1 r3x1 r1x2; do
        cp "$f.h5" "$ex/out/$f.h5"
        ln -s "$f.h5" "$ex/out/scale_$f.h5"
    done
    $PY "$A/$name.py" --help | sed -n '/^Examples\{0,1\}:$/,/^$/s/^  \(analysis\/.*\)$/\1/p' >"$ex/examples"
    while IFS= read -r line; do
        (cd "$ex" && bash -c "$line" >log 2>&1) || fail "$name.py --help's example failed: '$line': $(cat "$ex/log")"
        n=$((n + 1))
    done <"$ex/examples"
    [ "$n" -ge 1 ] || fail "$name.py --help shows no example"
    if [ -n "$png" ]; then
        size=$(grep -E "^\| \`$name\.py( --png)?\` \|.*\| [0-9]+ x [0-9]+ \|$" "$DOC" |
            sed -E 's/.*\| ([0-9]+) x ([0-9]+) \|$/\1 \2/')
        [[ $size =~ ^[0-9]+\ [0-9]+$ ]] || fail "docs/analysis.md states no default size for $name.py"
        # shellcheck disable=SC2086 # two numbers: width and height
        $PNG "$ex/$png" $size
    fi
    echo "ok: the $n example(s) of $name.py --help run as printed"
}

# fits NAME.py ARGS...: runs the script with the figure's titles, axis labels and legend texts
# checked against the canvas before it is saved: one reaching past the figure's edge (clipped)
# fails.
fits() {
    local name=$1
    shift
    $PY - "$A" "$name" "$@" <<'PY'
import importlib, sys
sys.path.insert(0, sys.argv[1])
import sqresult
save = sqresult.save
def checked(fig, args):
    fig.tight_layout()
    fig.canvas.draw()  # lays out legends and labels as the PNG will have them
    r = fig.canvas.get_renderer()
    w, h = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    texts = list(fig.texts) + ([fig._suptitle] if fig._suptitle else [])
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend():
            texts += ax.get_legend().get_texts()
    for t in texts:
        if not t.get_visible() or not t.get_text():
            continue
        b = t.get_window_extent(r)
        assert b.x0 >= -0.5 and b.x1 <= w + 0.5 and b.y0 >= -0.5 and b.y1 <= h + 0.5, \
            f"text clipped ({b.x0:.0f}..{b.x1:.0f} of {w:.0f} x {b.y0:.0f}..{b.y1:.0f} of {h:.0f} px): {t.get_text()!r}"
    return save(fig, args)
sqresult.save = checked
sys.exit(importlib.import_module(sys.argv[2]).main(sys.argv[3:]))
PY
}

case "$CASE" in
help)
    # every script explains itself and its figure options
    for s in summary phases scaling preview; do
        out=$($PY "$A/$s.py" --help) || fail "$s.py --help failed"
        grep -q "^usage: $s.py" <<<"$out" || fail "$s.py --help: $out"
        grep -q -- "--svg" <<<"$out" || fail "$s.py --help lacks --svg"
        grep -q -- "--dpi" <<<"$out" || fail "$s.py --help lacks --dpi"
    done
    head -1 "$A"/summary.py "$A"/phases.py "$A"/scaling.py "$A"/preview.py | grep -c '^#!/usr/bin/python3$' |
        grep -qx 4 || fail "a script lacks the #!/usr/bin/python3 line"
    echo "ok: --help of every script"
    ;;
outputs)
    rm -f ./*.h5 ./*.json runs.csv ./*.png ./*.svg
    for cfg in 1x1 2x1 3x1 1x2; do
        sq_mpi "${cfg%x*}" "${cfg#*x}" run --generate range:300000 --chunk 10000 \
            --output "r$cfg.h5" --summary-json "r$cfg.json" --log-csv runs.csv --quiet
    done
    $PY - <<'PY'
import h5py, numpy as np
x = np.arange(-600, 600, dtype=np.float64).reshape(40, 30) / 7.0
with h5py.File("in2d.h5", "w") as f:
    f["x"] = x
y = np.linspace(-2, 2, 5000)
y[[10, 20, 4000]] = [np.nan, np.inf, -np.inf]
with h5py.File("innan.h5", "w") as f:
    f["x"] = y
PY
    sq_mpi 2 1 run --input in2d.h5:/x --chunk 100 --output r2d.h5 --quiet
    sq_mpi 3 1 run --input innan.h5:/x --chunk 333 --output rnan.h5 --quiet
    echo "ok: outputs made"
    ;;
summary)
    $PY "$A/summary.py" r1x1.h5 r2x1.h5 r3x1.h5 r1x2.h5 rnan.h5 --format csv >table.csv
    $PY - <<'PY'
import csv, h5py, numpy as np, sys
rows = list(csv.DictReader(open("table.csv")))
files = ["r1x1.h5", "r2x1.h5", "r3x1.h5", "r1x2.h5", "rnan.h5"]
assert [r["file"] for r in rows] == files, [r["file"] for r in rows]
for r, name in zip(rows, files):
    with h5py.File(name, "r") as f:
        a, p, t = f.attrs, f["provenance"].attrs, f["timing"][...]
        n = int(p["input_count"])
        assert int(r["N"]) == n, (name, r["N"])
        assert r["RxT"] == f"{p['ranks']}x{p['threads_per_rank']}", (name, r["RxT"])
        assert int(r["cores"]) == p["ranks"] * p["threads_per_rank"]
        for s in ["sum", "sum_sq", "sum_cube"]:
            want = a[s + "_exact"] if s + "_exact" in a else f"{a[s]:.6g}"
            assert r[s] == want, (name, s, r[s], want)
        assert int(r["nonfinite"]) == a["nonfinite_count"], (name, r["nonfinite"])
        for k in ["min", "max"]:
            v = a[k]
            want = str(int(v)) if np.issubdtype(type(v), np.integer) else f"{float(v):.6g}"
            assert r[k] == want, (name, k, r[k], want)
        for i, ph in enumerate(["read", "compute", "reduce", "write", "total"]):
            assert r[ph + "_s"] == f"{t[:, i].max():.4f}", (name, ph, r[ph + "_s"])
        assert r["GB/s"] == f"{24 * n / t[:, 4].max() / 1e9:.3f}", (name, r["GB/s"])
# range:300000: the exact sums are the closed forms
n = 300000
assert rows[0]["sum"] == str(n * (n + 1) // 2) and rows[0]["sum_cube"] == str((n * (n + 1) // 2) ** 2)
print(f"ok: summary table of {len(rows)} files equals h5py's values")
PY
    # the other formats, and JSON summaries and the CSV log as inputs
    $PY "$A/summary.py" r1x1.h5 r2x1.json runs.csv --sort cores >table.txt
    [ "$(wc -l <table.txt)" -eq $((1 + 2 + 4)) ] || fail "text table: $(cat table.txt)"
    $PY "$A/summary.py" r1x1.h5 --format markdown | grep -q '^| r1x1.h5 | range:300000 | 300000 | 1x1 |' ||
        fail "markdown table"
    $PY "$A/summary.py" r1x1.h5 r2x1.h5 r3x1.h5 --png -o summary.png --width 6 --height 3 --dpi 80 >/dev/null
    $PNG summary.png 480 240
    help_examples summary table.png
    fits summary r1x1.h5 r2x1.h5 rnan.h5 --png -o summary_fit.png --width 6 >/dev/null
    ;;
phases)
    $PY "$A/phases.py" r3x1.h5 -o phases.png --width 7 --height 4 --dpi 90 --svg >phases.txt
    $PNG phases.png 630 360 --svg
    grep -q "r3x1.h5: 3 ranks, busy time" phases.txt || fail "phases.py: $(cat phases.txt)"
    $PY "$A/phases.py" r1x2.h5 -o phases_1x2.png >/dev/null
    $PNG phases_1x2.png 800 450
    help_examples phases phases.png
    # 2 threads per rank: the title carries the overlap note; a narrow figure; a long input name
    fits phases r1x2.h5 -o phases_fit.png >/dev/null
    fits phases r1x2.h5 -o phases_fit.png --width 4 >/dev/null
    fits phases rnan.h5 -o phases_fit.png --width 5 >/dev/null
    ;;
scaling)
    $PY "$A/scaling.py" r1x1.h5 r2x1.h5 r3x1.h5 r1x2.h5 -o scaling.png --svg >scaling.txt
    $PNG scaling.png 1000 450 --svg
    # four configurations, the baseline (1 x 1) at speed-up 1 and efficiency 100%
    [ "$(grep -c '^range:300000' scaling.txt)" -eq 4 ] || fail "scaling.py: $(cat scaling.txt)"
    grep -Eq '^range:300000 +300000 +1x1 +1 +[0-9.]+ +1\.000 +100\.0%$' scaling.txt ||
        fail "baseline: $(cat scaling.txt)"
    $PY "$A/scaling.py" runs.csv -o scaling_csv.png --dpi 50 >/dev/null
    $PNG scaling_csv.png 500 225
    help_examples scaling scaling.png
    # an input name of 80 characters is printed whole, and the title that carries it fits
    long=/data/project/$(printf 'x%.0s' {1..50})/input.h5:/x
    [ ${#long} -gt 70 ] || fail "test: the long name is ${#long} characters"
    sed "s|range:300000|$long|" runs.csv >runs_long.csv
    grep -qF "$long" runs_long.csv || fail "test: runs.csv has no input column to replace"
    fits scaling runs_long.csv -o scaling_long.png >scaling_long.txt
    [ "$(grep -cF "$long " scaling_long.txt)" -eq 4 ] || fail "scaling.py cut the input: $(cat scaling_long.txt)"
    ;;
preview)
    # strided: stride ceil(300000 / 1000) = 300, so elements 0, 300, ..., 299700: 1000 of them
    $PY "$A/preview.py" r2x1.h5 --max-points 1000 -o preview.png >preview.txt
    $PNG preview.png 1000 400
    help_examples preview preview.png
    $PY - <<'PY'
import h5py, re, numpy as np
text = open("preview.txt").read()
m = re.search(r"sampled (\d+) elements \(strided, every 300\); nonfinite 0; sample min (\S+), "
              r"mean (\S+), max (\S+)", text)
assert m, text
cube = h5py.File("r2x1.h5", "r")["cube"][::300].astype(float)
assert int(m[1]) == len(cube) == 1000
for got, want in zip(m.groups()[1:], [cube.min(), cube.mean(), cube.max()]):
    assert float(got) == float(f"{want:.6g}"), (got, want)
print("ok: the strided sample is the documented one")
PY
    $PY "$A/preview.py" r3x1.h5 --dataset square --sample random --max-points 5000 --log \
        -o preview_random.png --svg >preview_random.txt
    $PNG preview_random.png 1000 400 --svg
    k=$(sed -E 's/.*sampled ([0-9]+) elements.*/\1/' preview_random.txt)
    [ "$k" -ge 1 ] && [ "$k" -le 5000 ] || fail "random sample of $k elements (cap 5000)"
    $PY "$A/preview.py" r2d.h5 --max-points 200 -o preview_2d.png --width 5 --height 5 >preview_2d.txt
    $PNG preview_2d.png 500 500
    k=$(sed -E 's/.*sampled ([0-9]+) elements.*/\1/' preview_2d.txt)
    [ "$k" -ge 1 ] && [ "$k" -le 200 ] || fail "2-D sample of $k elements (cap 200)"
    $PY "$A/preview.py" rnan.h5 --max-points 1e6 -o preview_nan.png >preview_nan.txt
    $PNG preview_nan.png 1000 400
    grep -q "sampled 5000 elements (all elements); nonfinite 3" preview_nan.txt ||
        fail "non-finite values: $(cat preview_nan.txt)"
    if $PY "$A/preview.py" r1x1.h5 --dataset nosuch -o x.png 2>err.txt; then fail "no such dataset"; fi
    grep -q "has no dataset 'nosuch'; its datasets: cube, square, timing" err.txt ||
        fail "$(cat err.txt)"
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
