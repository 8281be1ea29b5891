#!/usr/bin/env bash
# One ranks x threads configuration of the MPI integration matrix: for every case, run sqcube,
# check the output with `sqcube verify` (on a different rank count) and with the independent
# h5py/numpy checker, and keep the output for the cross-configuration comparison.
# Usage: run_config.sh SQCUBE FIXTURES DATA NP THREADS OUTDIR
set -euo pipefail
SQCUBE=$1 FIXTURES=$2 DATA=$3 NP=$4 THREADS=$5 OUTDIR=$6
source "$(dirname "$0")/../lib/common.sh"
mkdir -p "$OUTDIR"
rm -f "$OUTDIR"/*.h5 "$OUTDIR"/*.partial

# name | sqcube run arguments. Sizes are awkward on purpose: primes, N < ranks, N = 0,
# chunk > N, chunk = 1, a remainder chunk, values at the int64 cube limits. Arguments may start
# with SQCUBE_*=VALUE words: environment for that case's ranks.
CASES=(
    "range_prime|--generate range:1009 --chunk 100"
    "range_tiny|--generate range:3 --chunk 1"
    "range_empty|--generate range:0"
    "range_bigchunk|--generate range:50 --chunk 1M"
    "range_float_out|--generate range:2100000 --chunk 300000"
    "range_forced_float|--generate range:1000 --output-type float64 --chunk 77"
    "uniform|--generate uniform:10007:seed=42:low=-2:high=3 --chunk 1000"
    "uniform_1e4|--generate uniform:1e4:seed=7 --chunk 999"
    "sample|--input $DATA/sample.h5:/x --chunk 1"
    "sample_only_dataset|--input $DATA/sample.h5"
    "floats_special|--input $FIXTURES/floats_special.h5:/x --chunk 64"
    "ints_edge|--input $FIXTURES/ints_edge.h5:/x --chunk 100"
    "nested|--input $FIXTURES/nested.h5 --chunk 7"
    "big_endian|--input $FIXTURES/big_endian.h5:/x --chunk 128"
    "empty_file|--input $FIXTURES/empty.h5:/x"
    # numerics: every stored type, every shape, exact float sums, signed zeros
    "cancel|--input $FIXTURES/cancel.h5:/x --chunk 10"
    "cancel_overflow|--input $FIXTURES/cancel_overflow.h5:/x --chunk 7"
    "zeros|--input $FIXTURES/zeros.h5:/x --chunk 1"
    "zeros_only|--input $FIXTURES/zeros_only.h5:/x --chunk 2"
    "uint64_as_float|--input $FIXTURES/uint64_big.h5:/x --output-type float64 --chunk 9"
    "shape_scalar|--input $FIXTURES/shape_scalar.h5:/x"
    "shape_zero|--input $FIXTURES/shape_zero.h5:/x --chunk 3"
    # the dynamic schedule (work queue over MPI RMA): results identical to static
    "range_prime_dynamic|--generate range:1009 --chunk 100 --schedule dynamic"
    "range_tiny_dynamic|--generate range:3 --chunk 1 --schedule dynamic"
    "range_empty_dynamic|--generate range:0 --schedule dynamic"
    "uniform_dynamic|--generate uniform:10007:seed=42:low=-2:high=3 --chunk 1000 --schedule dynamic"
    "shape_2d_dynamic|--input $FIXTURES/shape_2d.h5:/x --chunk 5 --schedule dynamic"
    "floats_special_dynamic|--input $FIXTURES/floats_special.h5:/x --chunk 64 --schedule dynamic"
    # independent MPI-IO transfers: results identical to collective ones
    "uniform_independent|--generate uniform:10007:seed=42:low=-2:high=3 --chunk 1000 --io independent"
    "shape_3d_independent|--input $FIXTURES/shape_3d.h5:/x --chunk 5 --io independent --schedule dynamic"
    "range_prime_hints|--generate range:1009 --chunk 100 --mpiio-hint cb_nodes=1 --alignment 4K --sync"
    "chunked_gzip|--input $FIXTURES/chunked_gzip.h5:/x --chunk 7777"
    "chunked_gzip_independent|--input $FIXTURES/chunked_gzip.h5:/x --chunk 7777 --io independent --schedule dynamic"
    # compressed output (chunked, shuffle + gzip, parallel filtered writes): storage chunks that
    # match the work chunks, that straddle rows of an N-D shape, and the contiguous fallbacks
    "range_prime_compress|--generate range:1009 --chunk 100 --compress 6"
    "uniform_dynamic_compress|--generate uniform:10007:seed=42:low=-2:high=3 --chunk 1000 --compress 1 --schedule dynamic"
    "shape_3d_compress|--input $FIXTURES/shape_3d.h5:/x --chunk 5 --compress 9"
    "shape_scalar_compress|--input $FIXTURES/shape_scalar.h5:/x --compress 4"
    "range_empty_compress|--generate range:0 --compress 4"
    # transfers split into pieces (1 GiB in real runs; 80 and 200 bytes here): every rank makes
    # the same number of collective calls, short ranks with empty selections
    "range_prime_split|SQCUBE_MAX_TRANSFER=80 --generate range:1009 --chunk 100"
    "shape_2d_split|SQCUBE_MAX_TRANSFER=200 --input $FIXTURES/shape_2d.h5:/x --chunk 37"
    "chunked_gzip_independent_split|SQCUBE_MAX_TRANSFER=200 --input $FIXTURES/chunked_gzip.h5:/x --chunk 7777 --io independent"
    "uniform_compress_split|SQCUBE_MAX_TRANSFER=800 --generate uniform:10007:seed=42:low=-2:high=3 --chunk 1000 --compress 2"
)
# Each stored type and each shape at two chunk sizes: one that cuts rows and planes, one large.
for t in int8 int16 int32 uint8 uint16 uint32 uint64 int64be int32be uint16be float32 float32be \
    float64be; do
    CASES+=("types_${t}_c13|--input $FIXTURES/types_$t.h5:/x --chunk 13"
        "types_${t}_c1M|--input $FIXTURES/types_$t.h5:/x --chunk 1M")
done
for s in 2d 3d 4d fewrows; do
    CASES+=("shape_${s}_c5|--input $FIXTURES/shape_$s.h5:/x --chunk 5"
        "shape_${s}_c100|--input $FIXTURES/shape_$s.h5:/x --chunk 100")
done
# Quick size (SQCUBE_TEST_SIZE=quick): each configuration runs a quarter of the cases, so the 8
# configurations cover every case twice (agree.sh compares those two) instead of 8 times. A case
# and its twins (NAME_dynamic, NAME_compress, ...; shape_S_c5 and _c100) stay together.
SLOT=$(( ((NP - 1) * 2 + THREADS - 1) % 4 ))
declare -A SLOT_OF # the base name's slot: distinct base names dealt round-robin, in list order
nbases=0
for entry in "${CASES[@]}"; do
    base=${entry%%|*}
    while [[ $base =~ _(dynamic|independent|compress|split|c5|c100)$ ]]; do base=${base%_*}; done
    if [ -z "${SLOT_OF[$base]:-}" ]; then
        SLOT_OF[$base]=$((nbases % 4))
        nbases=$((nbases + 1))
    fi
done
in_my_quarter() {
    local base=$1
    while [[ $base =~ _(dynamic|independent|compress|split|c5|c100)$ ]]; do base=${base%_*}; done
    [ "${SLOT_OF[$base]}" -eq "$SLOT" ]
}
VERIFY_NP=$(( NP % 3 + 1 )) # verify on another rank count than the run's
ran=0
for entry in "${CASES[@]}"; do
    name=${entry%%|*}
    args=${entry#*|}
    [ "$SQ_SIZE" = full ] || in_my_quarter "$name" || continue
    ran=$((ran + 1))
    SQ_MPI_ENV=()
    while [[ $args == SQCUBE_*=* ]]; do
        SQ_MPI_ENV+=("${args%% *}")
        args=${args#* }
    done
    out="$OUTDIR/$name.h5"
    echo "== $name: $NP ranks x $THREADS threads: sqcube run $args"
    # shellcheck disable=SC2086 # the case's arguments split on purpose
    sq_mpi "$NP" "$THREADS" run $args --output "$out" --quiet || fail "$name: sqcube run exited $?"
    [ -f "$out" ] || fail "$name: no output file $out"
    [ ! -e "$out.partial" ] || fail "$name: $out.partial left behind"
    sq_mpi "$VERIFY_NP" 1 verify "$out" || fail "$name: sqcube verify on $VERIFY_NP ranks exited $?"
    "$PY" "$LIB/check_output.py" "$out" || fail "$name: check_output.py found a difference"
    for e in "${SQ_MPI_ENV[@]}"; do # the split really happened: the file records the piece size
        [[ $e == SQCUBE_MAX_TRANSFER=* ]] || continue
        got=$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs["max_transfer"])' "$out")
        [ "$got" = $((${e#*=} / 8 * 8)) ] || fail "$name: max_transfer $got, expected ${e#*=} bytes"
    done
done
echo "all $ran of ${#CASES[@]} cases ($SQ_SIZE size) passed on $NP ranks x $THREADS threads"
