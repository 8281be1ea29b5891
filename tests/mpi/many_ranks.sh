#!/usr/bin/env bash
# Correctness at many ranks: sqcube on NP ranks (8, 16, 32: oversubscribed on a small machine,
# 1 thread each) must give outputs bit-identical to a 1-rank run of the same case, datasets and
# reductions alike, under both schedules and both transfer modes, in the three decompositions
# that stress the rank bookkeeping: more ranks than chunks (ranks with nothing to do take part in
# every collective with empty selections), exactly one chunk per rank, and several chunks per
# rank with a short last chunk. Every output is also checked by the independent h5py/numpy
# checker, and its provenance must record NP ranks and the number of chunks computed here. One case
# sets what a parallel file system needs (aggregators, alignment) and checks that it took effect.
# Usage: many_ranks.sh SQCUBE NP OUTDIR
set -euo pipefail
# shellcheck disable=SC2034 # SQCUBE is what common.sh's sq_mpi runs
SQCUBE=$1 NP=$2 OUTDIR=$3
source "$(dirname "$0")/../lib/common.sh"
# ob1 starts many oversubscribed ranks on one node faster than the default transport selection.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
mkdir -p "$OUTDIR/np$NP" "$OUTDIR/ref"
rm -f "$OUTDIR/np$NP"/*.h5 "$OUTDIR/ref"/*_np"$NP".h5

ceil_div() { echo $(( ($1 + $2 - 1) / $2 )); }
N_RANGE=10007 N_UNIFORM=20011 N_ALIGN=200003
[ "$NP" -ge 2 ] || fail "NP must be 2 or more (got $NP)"
# Chunk sizes for NP: 6 chunks (fewer than 8 ranks), NP chunks (one each; the last one short),
# and 97-element chunks: 207 chunks, 6 or 7 per rank at 32 ranks, the last one 29 elements.
FEW=$(ceil_div "$N_RANGE" 6)
ONE=$(ceil_div "$N_RANGE" "$NP")
[ "$(ceil_div "$N_RANGE" "$ONE")" -eq "$NP" ] || fail "no chunk size gives $NP chunks of $N_RANGE"
[ 6 -lt "$NP" ] || fail "the few-chunks case needs more than 6 ranks (got $NP)"

# name | N | sqcube run arguments
CASES=(
    "fewer_chunks_static|$N_RANGE|--generate range:$N_RANGE --chunk $FEW --schedule static"
    "fewer_chunks_dynamic|$N_RANGE|--generate range:$N_RANGE --chunk $FEW --schedule dynamic"
    "fewer_chunks_independent|$N_RANGE|--generate range:$N_RANGE --chunk $FEW --io independent"
    "one_per_rank_static|$N_RANGE|--generate range:$N_RANGE --chunk $ONE --schedule static"
    "one_per_rank_dynamic|$N_RANGE|--generate range:$N_RANGE --chunk $ONE --schedule dynamic"
    "several_static|$N_UNIFORM|--generate uniform:$N_UNIFORM:seed=11:low=-3:high=2 --chunk 97"
    "several_dynamic|$N_UNIFORM|--generate uniform:$N_UNIFORM:seed=11:low=-3:high=2 --chunk 97 --schedule dynamic"
    "several_independent_dynamic|$N_UNIFORM|--generate uniform:$N_UNIFORM:seed=11:low=-3:high=2 --chunk 97 --io independent --schedule dynamic"
    # nothing at all: no chunk, no round with data, every rank's selection empty
    "empty_dynamic|0|--generate range:0 --chunk 1 --schedule dynamic"
    # what a parallel file system wants: fewer aggregators than ranks, and the datasets aligned
    # to a "stripe" (384 KiB: HDF5's default of 1 MiB would not give these offsets). The datasets
    # are over 1 MiB, the threshold above which objects are aligned.
    "aligned_hints|$N_ALIGN|--generate range:$N_ALIGN --chunk 4099 --mpiio-hint cb_nodes=4 --alignment 384K"
)
ALIGN=393216

prov() { # prov FILE ATTR: one /provenance attribute
    "$PY" -c 'import sys, h5py; v = h5py.File(sys.argv[1], "r")["provenance"].attrs[sys.argv[2]]
print(v.decode() if isinstance(v, bytes) else v)' "$1" "$2"
}

for entry in "${CASES[@]}"; do
    IFS='|' read -r name n args <<<"$entry"
    out="$OUTDIR/np$NP/$name.h5" ref="$OUTDIR/ref/${name}_np$NP.h5"
    chunk=${args##*--chunk }
    chunk=${chunk%% *}
    want_chunks=$(ceil_div "$n" "$chunk")
    echo "== $name: $NP ranks x 1 thread ($want_chunks chunks): sqcube run $args"
    start=$SECONDS
    # shellcheck disable=SC2086 # the case's arguments split on purpose
    sq_mpi "$NP" 1 run $args --output "$out" --quiet || fail "$name: sqcube run on $NP ranks exited $?"
    secs=$((SECONDS - start))
    # shellcheck disable=SC2086
    sq_mpi 1 1 run $args --output "$ref" --quiet || fail "$name: sqcube run on 1 rank exited $?"
    [ "$(prov "$out" ranks)" = "$NP" ] || fail "$name: provenance ranks is not $NP"
    [ "$(prov "$out" nchunks)" = "$want_chunks" ] || fail "$name: nchunks is not $want_chunks"
    "$PY" "$LIB/compare_outputs.py" "$ref" "$out" | tail -n 2 ||
        fail "$name: the $NP-rank output differs from the 1-rank output"
    "$PY" "$LIB/check_output.py" "$out" | tail -n 1 || fail "$name: check_output.py found a difference"
    if [[ $name == aligned_hints ]]; then
        "$PY" -c 'import sys, h5py
f = h5py.File(sys.argv[1], "r")
for d in ("square", "cube"):
    off = f[d].id.get_offset()
    if off is None or off % int(sys.argv[2]):
        sys.exit("/%s starts at byte %s, not a multiple of %s" % (d, off, sys.argv[2]))
if "cb_nodes=4" not in f["provenance"].attrs["mpiio_hints_in_effect"].split(";"):
    sys.exit("cb_nodes=4 is not among the hints in effect")' "$out" "$ALIGN" ||
            fail "$name: the alignment or the aggregator hint did not take effect"
        echo "   /square and /cube start at multiples of $ALIGN bytes; cb_nodes=4 in effect"
    fi
    echo "   the $NP-rank run took ${secs} s"
done
echo "all ${#CASES[@]} cases on $NP ranks identical to 1 rank and verified"
