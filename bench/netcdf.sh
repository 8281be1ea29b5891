#!/usr/bin/env bash
# sqcube on a real input file against the climate community's tools doing the same job on it: the
# square and the cube of a (time, lat, lon) float64 variable V of a netCDF-4 file (800 MB of V by
# default, made by bench/make_netcdf.py), written to a new file.
#   sqcube 2x1   mpirun -np 2 sqcube run --input F:/V --output O      (README's plain line)
#   sqcube 1x2   OMP_NUM_THREADS=2 mpirun -np 1 --map-by slot:PE=2 --bind-to core \
#                    -x OMP_NUM_THREADS sqcube run --input F:/V --output O   (README's 1 x 2 line)
#   cdo          cdo -P 2 expr,'square=V*V;cube=V*V*V;' F O           (Debian cdo)
#   nco          ncap2 -4 -s 'square=V*V;cube=V*V*V' F O              (Debian nco)
# One warm-up round (whose outputs are checked: square and cube at sampled elements against
# numpy's V*V and V*V*V rounded to each tool's output type: square exact, cube within 1 ulp), then REPEATS rounds, the tools interleaved
# in a rotating order; wall time of each whole command, its output deleted after it. Prints each
# tool's median, min and max, its ratio to the fastest sqcube, and what each tool wrote (the
# variables, their types, the file format). The MPI environment is the caller's: with no
# OMPI_MCA_* set it is what a user who types README's line gets.
#   bash bench/netcdf.sh [-r REPEATS] [-d DIR] [-s "NTIME NLAT NLON"]
#     -r  timed rounds after the warm-up (default 5)     -d  where the files go (default /tmp)
#     -s  the shape of V (default "100 1000 1000": 1e8 values, 800 MB)
# Needs netcdf-bin, nco, cdo, python3-netcdf4 (bash scripts/install-deps.sh --bench); about 5 GB free in DIR.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEATS=5 DIR=/tmp SHAPE="100 1000 1000"
while getopts "r:d:s:h" o; do
    case $o in
    r) REPEATS=$OPTARG ;;
    d) DIR=$OPTARG ;;
    s) SHAPE=$OPTARG ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
    esac
done
SQ=${SQCUBE_BUILD:-$ROOT/build}/sqcube
PY=/usr/bin/python3
for t in cdo ncap2 ncdump mpirun; do
    command -v "$t" >/dev/null || { echo "netcdf.sh: $t not found: bash scripts/install-deps.sh --bench" >&2; exit 1; }
done
[ -x "$SQ" ] || { echo "netcdf.sh: no sqcube at $SQ: build it (bash scripts/build.sh)" >&2; exit 1; }
$PY -c "import netCDF4, h5py, numpy" 2>/dev/null ||
    { echo "netcdf.sh: needs python3-netcdf4, python3-h5py, python3-numpy (install-deps.sh --bench)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WORK=$(mktemp -d "$DIR/sqcube-netcdf.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
IN=$WORK/in.nc
# shellcheck disable=SC2086 # three numbers
$PY "$ROOT/bench/make_netcdf.py" "$IN" $SHAPE

TOOLS=(sq2x1 sq1x2 cdo nco)
run() { # run TOOL OUTPUT: the tool's command on $IN
    case $1 in
    sq2x1) mpirun -np 2 "$SQ" run --input "$IN:/V" --output "$2" --quiet ;;
    sq1x2) OMP_NUM_THREADS=2 mpirun -np 1 --map-by slot:PE=2 --bind-to core -x OMP_NUM_THREADS \
        "$SQ" run --input "$IN:/V" --output "$2" --quiet ;;
    cdo) cdo -s -P 2 expr,'square=V*V;cube=V*V*V;' "$IN" "$2" ;;
    nco) ncap2 -O -4 -s 'square=V*V;cube=V*V*V' "$IN" "$2" ;;
    esac
}
# describe TOOL OUTPUT: what it wrote; and its square and cube at sampled elements checked
# against V*V and V*V*V computed by numpy from the input, rounded to the output's type.
describe() {
    $PY - "$IN" "$2" "$1" <<'PY'
import sys, h5py, numpy as np
src, out, tool = sys.argv[1:]
with h5py.File(src, "r") as f:
    v = f["V"]
    idx = (slice(None, None, 7), slice(None, None, 97), slice(None, None, 89))
    x = v[idx]
with open(out, "rb") as fh:
    magic = fh.read(8)
fmt = "HDF5 / netCDF-4" if magic.startswith(b"\x89HDF") else \
    {b"CDF\x01": "netCDF classic", b"CDF\x02": "netCDF 64-bit offset",
     b"CDF\x05": "netCDF 64-bit data"}.get(magic[:4], repr(magic[:4]))
if fmt.startswith("HDF5"):
    with h5py.File(out, "r") as g:
        names = [k for k in g if isinstance(g[k], h5py.Dataset) and g[k].ndim >= 1]
        kinds = {k: (g[k].dtype.name, g[k].shape) for k in names}
        got = {k: g[k][idx] for k in ("square", "cube")}
else:
    from netCDF4 import Dataset
    with Dataset(out) as g:
        kinds = {k: (g[k].dtype.name, g[k].shape) for k in g.variables}
        got = {k: g[k][idx] for k in ("square", "cube")}
# square: exact (one rounding everywhere); cube: within one unit in the last place of the output's
# type (sqcube rounds x^3 once, numpy's x*x*x twice, so the two may differ by an ulp).
for k, want, ulps in (("square", x * x, 0), ("cube", x * x * x, 1)):
    a = np.asarray(got[k])
    w = want.astype(a.dtype)
    bad = int(np.count_nonzero(np.abs(a - w) > ulps * np.spacing(np.abs(w))))
    if bad:
        sys.exit(f"netcdf.sh: {tool}: {k} differs from numpy at {bad} of {a.size} sampled elements")
big = {k: d for k, (d, s) in kinds.items() if len(s) == 3}
print(f"  {tool:6} {fmt}; 3-D variables: " + ", ".join(f"{k} {d}" for k, d in big.items()) +
      f"; square (exact) and cube (1 ulp) match numpy's at {x.size} sampled elements, in their type")
PY
}

echo "== $(date -u +%FT%TZ) on $(hostname): $(env -u OMP_NUM_THREADS nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   input $IN: V($SHAPE) float64, $(du -m "$IN" | cut -f1) MiB; outputs in $WORK; OMPI_MCA_pml=${OMPI_MCA_pml:-unset}, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
echo "   $(mpirun --version | head -1), $(cdo --version 2>&1 | head -1 | cut -c1-60), $(ncap2 --version 2>&1 | tail -1)"
echo "== warm-up and check of the outputs"
for tool in "${TOOLS[@]}"; do
    run "$tool" "$WORK/out.$tool"
    describe "$tool" "$WORK/out.$tool"
    rm -f "$WORK/out.$tool"
done

declare -A times
for ((r = 0; r < REPEATS; r++)); do
    for ((k = 0; k < ${#TOOLS[@]}; k++)); do # rotate the order: no tool always follows another
        tool=${TOOLS[$(((k + r) % ${#TOOLS[@]}))]}
        sync
        t0=$(date +%s.%N)
        run "$tool" "$WORK/out.$tool"
        t1=$(date +%s.%N)
        rm -f "$WORK/out.$tool"
        times[$tool]+="$(echo "$t1 - $t0" | bc) "
    done
done
echo "== $REPEATS rounds, load after $(cut -d' ' -f1-3 /proc/loadavg)"
for tool in "${TOOLS[@]}"; do echo "$tool ${times[$tool]}"; done | $PY -c '
import statistics, sys
rows = [(l.split()[0], [float(t) for t in l.split()[1:]]) for l in sys.stdin]
med = {k: statistics.median(v) for k, v in rows}
best = min(med["sq2x1"], med["sq1x2"])
names = {"sq2x1": "sqcube 2 x 1", "sq1x2": "sqcube 1 x 2", "cdo": "cdo -P 2", "nco": "ncap2 -4"}
print("| tool | median wall (s) | min - max (s) | / fastest sqcube |")
print("|---|---|---|---|")
for k, v in rows:
    print(f"| {names[k]} | {med[k]:.2f} | {min(v):.2f} - {max(v):.2f} | {med[k] / best:.2f}x |")
'
