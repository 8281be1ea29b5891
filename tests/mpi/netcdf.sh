#!/usr/bin/env bash
# The netCDF-4 view of results (issue 16): real outputs from netCDF-4 inputs (written by netCDF-C),
# from plain HDF5 inputs and from a generator, on 1 to 4 ranks, each opened by xarray (h5netcdf
# and netCDF-C engines), ncdump, ncks, cdo (grid inputs), h5dump and sqcube verify/info, and
# checked against numpy on the input (check_netcdf.py).
# Usage: netcdf.sh SQCUBE FIXTURES DATA WORKDIR
set -euo pipefail
SQCUBE=$1 FIXTURES=$2 DATA=$3 WORK=$4
source "$(dirname "$0")/../lib/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
for tool in ncdump ncks cdo h5dump udunits2; do
    command -v "$tool" >/dev/null || fail "$tool not found: bash scripts/install-deps.sh --tests"
done

# quick | ranks | input | dataset | dims | units^2 | units^3 | long_name of x | grid | extra options
# (the quick size runs the rows marked q: every input kind, 1 to 4 ranks, both I/O modes)
ROWS=(
    "q|1|$FIXTURES/t2m.nc|/t2m|time,lat,lon|K2|K3|2 metre temperature|1|"
    "-|2|$FIXTURES/t2m.nc|/t2m|time,lat,lon|K2|K3|2 metre temperature|1|--chunk 7 --compress 1"
    "q|3|$FIXTURES/t2m.nc|/t2m|time,lat,lon|K2|K3|2 metre temperature|1|--io independent --chunk 11"
    "q|4|$FIXTURES/t2m.nc|/t2m|time,lat,lon|K2|K3|2 metre temperature|1|--schedule dynamic --chunk 9"
    "-|2|$FIXTURES/t2m.nc|/lat|lat|degrees_north2|degrees_north3|latitude|0|"
    "q|3|$FIXTURES/ens.nc|/counts|member,x|m2 s-2|m3 s-3|counts|0|--chunk 5"
    "q|1|$DATA/sample.h5|/x|dim0|-|-|x|0|"
    "-|1|$FIXTURES/shape_3d.h5|/x|dim0,dim1,dim2|-|-|x|0|"
    "-|4|$FIXTURES/shape_2d.h5|/x|dim0,dim1|-|-|x|0|--chunk 13"
    "q|2|$FIXTURES/shape_scalar.h5|/x||-|-|x|0|"
    "-|3|$FIXTURES/types_uint16be.h5|/x|dim0|-|-|x|0|"
    "q|2|-|range:1000|dim0|-|-|the generated input range:1000|0|--chunk 100"
)
n=0
for row in "${ROWS[@]}"; do
    IFS='|' read -r quick np input dset dims u2 u3 long grid extra <<<"$row"
    [ "$SQ_SIZE" = full ] || [ "$quick" = q ] || continue
    n=$((n + 1))
    out="$WORK/out$n.h5"
    # shellcheck disable=SC2086 # extra holds several options
    if [ "$input" = - ]; then
        sq_mpi "$np" 1 run --generate "$dset" --output "$out" --quiet $extra
    else
        sq_mpi "$np" 1 run --input "$input:$dset" --output "$out" --quiet $extra
    fi
    "$PY" "$HERE/check_netcdf.py" "$out" "$np" "$input" "$dset" "$dims" "$u2" "$u3" "$long" \
        "$grid" || fail "row $n: $row"
    sq_mpi "$np" 1 verify "$out" >"$WORK/verify$n.txt" || fail "row $n: sqcube verify failed"
    "$SQCUBE" info "$out" >"$WORK/info$n.txt" || fail "row $n: sqcube info failed"
done

echo "netcdf: all $n of ${#ROWS[@]} rows ($SQ_SIZE size) pass"
