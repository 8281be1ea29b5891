#!/usr/bin/env bash
# Makes the example figures of docs/analysis.md from real runs: a strong-scaling set (1 and 2
# ranks x 1 and 2 threads) of one input, logged with --log-csv, a 3-rank work-queue run, then
# every analysis script on them.
#   bash analysis/make_examples.sh [SQCUBE] [N]     (defaults: build/sqcube, 4e7)
# Writes the figures to docs/img/analysis-*.png and their data (the runs' CSV log and the summary
# table as text) to bench/results/analysis-*; the runs go to a scratch folder.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SQCUBE=$(realpath "${1:-$ROOT/build/sqcube}")
N=${2:-4e7}
PY=/usr/bin/python3
IMG=$ROOT/docs/img
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1
cd "$WORK"
for cfg in 1x1 1x2 2x1 2x2; do
    r=${cfg%x*} t=${cfg#*x}
    OMP_NUM_THREADS=$t mpirun -np "$r" --oversubscribe --bind-to none -x OMP_NUM_THREADS \
        "$SQCUBE" run --generate "uniform:$N:seed=1:low=-1:high=1" --output "u$cfg.h5" \
        --log-csv runs.csv --summary-json "u$cfg.json" --progress off >/dev/null
done
# One more, not in the scaling set: 3 ranks running free (work queue, independent I/O), for the
# per-rank phase plot.
mpirun -np 3 --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 "$SQCUBE" run \
    --generate "uniform:$N:seed=1:low=-1:high=1" --output u3x1.h5 --schedule dynamic \
    --io independent --progress off >/dev/null
A=$ROOT/analysis
$PY "$A/summary.py" u1x1.h5 u1x2.h5 u2x1.h5 u2x2.h5 --png -o "$IMG/analysis-summary.png" \
    --width 9 --height 2.4 >"$ROOT/bench/results/analysis-summary.txt"
$PY "$A/phases.py" u3x1.h5 -o "$IMG/analysis-phases.png" --width 8 --height 4
$PY "$A/scaling.py" runs.csv -o "$IMG/analysis-scaling.png" --width 10 --height 4
$PY "$A/preview.py" u2x2.h5 --dataset cube -o "$IMG/analysis-preview.png" --width 10 --height 3.6
# A netCDF-4 input with lat/lon (bench/make_netcdf.py: a surface temperature V in K, 4 x 180 x 360):
# preview.py draws its result's cube as a map.
$PY "$ROOT/bench/make_netcdf.py" t.nc 4 180 360
mpirun -np 2 --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 "$SQCUBE" run --input t.nc:/V \
    --output map.nc --progress off >/dev/null
$PY "$A/preview.py" map.nc --index time=2 -o "$IMG/analysis-preview-map.png" --width 10 --height 3.6
cp runs.csv "$ROOT/bench/results/analysis-runs.csv"
echo "make_examples: figures in $IMG"
