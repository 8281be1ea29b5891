#!/usr/bin/env bash
# --summary-json and --log-csv on real runs. Usage: export.sh SQCUBE OUTDIR CASE
#   json   the document is valid JSON (python3 -m json.tool) and its values equal the result
#          file's attributes (h5py), the closed forms of range:N and arithmetic on /timing
#   csv    successive runs append one row each under one header; the rows equal the files
#   errors a foreign CSV header, a JSON or CSV that is the output or each other, or a missing
#          directory stops the run before it starts
set -euo pipefail
SQCUBE=$1 OUT=$2 CASE=$3
source "$(dirname "$0")/../lib/common.sh"
export OMPI_MCA_pml=ob1
CHECK="$(dirname "$0")/check_export.py"
mkdir -p "$OUT"

case "$CASE" in
json)
    rm -f "$OUT"/j*.h5 "$OUT"/j*.json
    sq_mpi 2 2 run --generate range:100003 --chunk 1000 --output "$OUT/j_range.h5" \
        --summary-json "$OUT/j_range.json" --quiet
    sq_mpi 3 1 run --generate uniform:5001:seed=9:low=-3:high=2 --chunk 77 --schedule dynamic \
        --output "$OUT/j_uniform.h5" --summary-json "$OUT/j_uniform.json" --quiet
    for j in "$OUT"/j_range.json "$OUT"/j_uniform.json; do
        $PY -m json.tool "$j" >/dev/null || fail "$j: python3 -m json.tool refuses it"
    done
    $PY "$CHECK" json "$OUT/j_range.h5" "$OUT/j_range.json" range 100003
    $PY "$CHECK" json "$OUT/j_uniform.h5" "$OUT/j_uniform.json"
    # a rerun replaces the document
    sq_mpi 1 1 run --generate range:10 --output "$OUT/j_range.h5" --force \
        --summary-json "$OUT/j_range.json" --quiet
    $PY "$CHECK" json "$OUT/j_range.h5" "$OUT/j_range.json" range 10
    ;;
csv)
    rm -f "$OUT"/c*.h5 "$OUT/log.csv"
    sq_mpi 1 1 run --generate range:5000 --chunk 512 --output "$OUT/c1.h5" --log-csv "$OUT/log.csv" --quiet
    sq_mpi 2 2 run --generate uniform:7000:seed=1 --chunk 300 --io independent \
        --output "$OUT/c2.h5" --log-csv "$OUT/log.csv" --quiet
    sq_mpi 3 1 run --generate range:5000 --chunk 512 --schedule dynamic --output "$OUT/c3.h5" \
        --log-csv "$OUT/log.csv" --quiet
    $PY "$CHECK" csv "$OUT/log.csv" "$OUT/c1.h5" "$OUT/c2.h5" "$OUT/c3.h5"
    ;;
errors)
    rm -f "$OUT"/e*.h5 "$OUT"/e*.x "$OUT/foreign.csv" "$OUT/e_in.copy"
    printf 'a,b,c\n1,2,3\n' >"$OUT/foreign.csv"
    set +e
    sq_mpi 2 1 run --generate range:100 --output "$OUT/e1.h5" --log-csv "$OUT/foreign.csv" \
        >/dev/null 2>"$OUT/e1.err"
    rc=$?
    sq_mpi 2 1 run --generate range:100 --output "$OUT/e2.h5" \
        --summary-json "$OUT/no/such/dir/s.json" >/dev/null 2>"$OUT/e2.err"
    rc2=$?
    set -e
    [ "$rc" -eq 2 ] || fail "foreign CSV header: exit $rc, expected 2"
    grep -q "sqcube: error: --log-csv .*foreign.csv' does not start with this sqcube's header" \
        "$OUT/e1.err" || fail "foreign CSV header: $(cat "$OUT/e1.err")"
    [ "$rc2" -eq 1 ] || fail "missing JSON directory: exit $rc2, expected 1"
    grep -q "sqcube: error: --summary-json .*does not exist" "$OUT/e2.err" ||
        fail "missing JSON directory: $(cat "$OUT/e2.err")"
    # neither file may be the output, the input, or the other one
    for args in "--output $OUT/e3.h5 --summary-json $OUT/e3.h5" \
        "--output $OUT/e4.h5 --log-csv $OUT/e4.h5" \
        "--output $OUT/e5.h5 --summary-json $OUT/e5.x --log-csv $OUT/e5.x"; do
        set +e
        sq_mpi 1 1 run --generate range:100 $args >/dev/null 2>"$OUT/e.err"
        rc=$?
        set -e
        [ "$rc" -eq 2 ] || fail "run $args: exit $rc, expected 2: $(cat "$OUT/e.err")"
        grep -Eq "sqcube: error: (--summary-json|--log-csv) .*(is the --output file|name the same file)" \
            "$OUT/e.err" || fail "run $args: $(cat "$OUT/e.err")"
    done
    $PY -c "import h5py; h5py.File('$OUT/e_in.h5', 'w')['x'] = [1, 2, 3]"
    cp "$OUT/e_in.h5" "$OUT/e_in.copy"
    set +e
    sq_mpi 1 1 run --input "$OUT/e_in.h5:/x" --output "$OUT/e6.h5" --log-csv "$OUT/e_in.h5" \
        >/dev/null 2>"$OUT/e.err"
    rc=$?
    set -e
    [ "$rc" -eq 2 ] && grep -q "sqcube: error: --log-csv .*e_in.h5' is the input file" "$OUT/e.err" ||
        fail "the input as CSV: exit $rc: $(cat "$OUT/e.err")"
    cmp -s "$OUT/e_in.h5" "$OUT/e_in.copy" || fail "the input changed"
    [ ! -e "$OUT/e1.h5" ] && [ ! -e "$OUT/e2.h5" ] && [ ! -e "$OUT/e3.h5" ] && [ ! -e "$OUT/e4.h5" ] &&
        [ ! -e "$OUT/e6.h5" ] ||
        fail "a refused run left an output"
    [ "$(cat "$OUT/foreign.csv")" = "$(printf 'a,b,c\n1,2,3')" ] || fail "the foreign CSV changed"
    echo "ok: a foreign CSV, the output as JSON or CSV, one file for both (exit 2) and a missing directory (exit 1) stop the run before it starts"
    ;;
*)
    fail "unknown case $CASE"
    ;;
esac
