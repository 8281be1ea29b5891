#!/usr/bin/env bash
# The analysis scripts (analysis/*.py) on real sqcube outputs. Usage: analysis.sh SQCUBE DIR CASE
#   help      every script has --help (with the figure options) and the /usr/bin/python3 line
#   outputs   make the outputs: range:300000 on 1, 2, 3 ranks x 1 thread and 1 x 2, each with a
#             --summary-json and a row in one --log-csv; a 2-D input; a float input with NaN
#   summary   the table's values equal the files' (h5py) and independent arithmetic; --png
#   phases    per-rank stacked bars, PNG and SVG
#   scaling   from the result files and from the CSV log
#   preview   bounded samples: strided 1-D (the sample's statistics equal numpy's over the same
#             stride), random, N-D, non-finite values; a netCDF-4 input (written by netCDF-C) with
#             lat/lon: the map slice of its result equals the cube of the input's slice (netCDF4),
#             with axes named after the coordinates and their units; a 1-D series on its time axis
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
    cp rmap.nc "$ex/map.nc"
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
    rm -f ./*.h5 ./*.nc ./*.json runs.csv ./*.png ./*.svg
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
    # a netCDF-4 file as users have them (netCDF-C through python3-netcdf4): tas(time, lat, lon)
    # on a 5-degree grid with CF coordinates, and a 1-D series(time)
    $PY - <<'PY'
import warnings
import numpy as np
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Debian's netCDF4 warns about numpy's ABI on import
    import netCDF4
with netCDF4.Dataset("map_in.nc", "w", format="NETCDF4") as f:
    f.Conventions = "CF-1.8"
    for name, n in (("time", 3), ("lat", 36), ("lon", 72)):
        f.createDimension(name, n)
    t = f.createVariable("time", "f8", ("time",))
    t.units, t.standard_name, t[:] = "days since 2000-01-01", "time", [0.0, 10.0, 20.0]
    la = f.createVariable("lat", "f4", ("lat",))
    la.units, la.standard_name, la[:] = "degrees_north", "latitude", np.linspace(-87.5, 87.5, 36)
    lo = f.createVariable("lon", "f4", ("lon",))
    lo.units, lo.standard_name, lo[:] = "degrees_east", "longitude", np.arange(72) * 5.0
    v = f.createVariable("tas", "f8", ("time", "lat", "lon"))
    v.units = "K"
    v.long_name = "surface air temperature at 2 m above the ground, daily mean (synthetic)"
    T, LA, LO = np.meshgrid([0.0, 10.0, 20.0], np.linspace(-87.5, 87.5, 36), np.arange(72) * 5.0,
                            indexing="ij")
    v[:] = 1.0 + 0.01 * T + np.cos(np.radians(LA)) * (1 + 0.3 * np.sin(np.radians(LO)))
    s = f.createVariable("series", "f8", ("time",))
    s.units, s.long_name, s[:] = "m", "sea level", [1.0, 2.0, 3.0]
PY
    sq_mpi 2 1 run --input map_in.nc:/tas --chunk 1000 --output rmap.nc --quiet
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
    k=$(head -1 preview_random.txt | sed -E 's/.*sampled ([0-9]+) elements.*/\1/')
    [ "$k" -ge 1 ] && [ "$k" -le 5000 ] || fail "random sample of $k elements (cap 5000)"
    $PY "$A/preview.py" r2d.h5 --max-points 200 -o preview_2d.png --width 5 --height 5 >preview_2d.txt
    $PNG preview_2d.png 500 500
    k=$(head -1 preview_2d.txt | sed -E 's/.*sampled ([0-9]+) elements.*/\1/')
    [ "$k" -ge 1 ] && [ "$k" -le 200 ] || fail "2-D sample of $k elements (cap 200)"
    $PY "$A/preview.py" rnan.h5 --max-points 1e6 -o preview_nan.png >preview_nan.txt
    $PNG preview_nan.png 1000 400
    grep -q "sampled 5000 elements (all elements); nonfinite 3" preview_nan.txt ||
        fail "non-finite values: $(cat preview_nan.txt)"
    # netCDF: a map slice of the result of a lat/lon input, on the input's coordinates
    $PY "$A/preview.py" rmap.nc --index time=2 -o preview_map.png >preview_map.txt
    $PNG preview_map.png 1000 400
    grep -qx "map: x longitude (degrees_east), y latitude (degrees_north), colour cube of surface air temperature at 2 m above the ground, daily mean (synthetic) (K3); time=2 (20 days since 2000-01-01)" \
        preview_map.txt || fail "map axes: $(cat preview_map.txt)"
    $PY - <<'PY'
import re, warnings
import numpy as np
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import netCDF4
text = open("preview_map.txt").read()
m = re.search(r"shape 3x36x72 \(time, lat, lon\), N = 7776; sampled 2592 elements \(map slice "
              r"time=2 \(20 days since 2000-01-01\), strided, every 1x1\); nonfinite 0; sample "
              r"min (\S+), mean (\S+), max (\S+)", text)
assert m, text
with netCDF4.Dataset("map_in.nc") as f:
    x = np.asarray(f["tas"][2], dtype=np.float64)
want = x * x * x
for got, w in zip(m.groups(), [want.min(), want.mean(), want.max()]):
    assert abs(float(got) - w) <= 1e-5 * abs(w), (got, w)
print("ok: the map slice is the cube of the input's slice")
PY
    fits preview rmap.nc --index time=1 -o preview_map_fit.png --width 6 >/dev/null
    $PY "$A/preview.py" rmap.nc --no-map --max-points 500 -o preview_nomap.png >preview_nomap.txt
    grep -q "^axes: x element index (row-major over time, lat, lon), y cube of surface air temperature at 2 m above the ground, daily mean (synthetic) (K3)$" \
        preview_nomap.txt || fail "--no-map: $(cat preview_nomap.txt)"
    $PY "$A/preview.py" map_in.nc --dataset series -o preview_series.png >preview_series.txt
    $PNG preview_series.png 1000 400
    grep -q "^axes: x time (days since 2000-01-01), y sea level (m)$" preview_series.txt ||
        fail "1-D series: $(cat preview_series.txt)"
    if $PY "$A/preview.py" rmap.nc --index level=1 -o x.png 2>err.txt; then fail "--index level=1"; fi
    grep -q "expected NAME=I with NAME one of time, lat, lon" err.txt || fail "$(cat err.txt)"
    if $PY "$A/preview.py" r1x1.h5 --dataset nosuch -o x.png 2>err.txt; then fail "no such dataset"; fi
    grep -q "has no dataset 'nosuch'; its datasets: cube, square, timing" err.txt ||
        fail "$(cat err.txt)"
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
