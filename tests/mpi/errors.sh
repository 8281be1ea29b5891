#!/usr/bin/env bash
# The bad-input table: each row runs sqcube on 3 ranks and asserts the exit status, exactly one
# "sqcube: error:" line matching the expected message, no file under the output's name (nor a
# .partial), the input unchanged (checksum before and after), and no hang (time limit).
# Usage: errors.sh SQCUBE FIXTURES DATA WORKDIR
set -euo pipefail
SQCUBE=$1 FIXTURES=$2 DATA=$3 WORK=$4
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK/existing_dir"
cd "$WORK"
OUT="$WORK/out.h5"
echo "not a result" > "$WORK/exists.h5"
cp "$FIXTURES/floats_special.h5" "$WORK/input_copy.h5"

# An output that is complete but tampered with, and one that lacks `complete`.
sq_mpi 2 1 run --generate range:500 --chunk 64 --output "$WORK/good.h5" --quiet
cp "$WORK/good.h5" "$WORK/tampered.h5"
cp "$WORK/good.h5" "$WORK/partial.h5"
"$PY" - "$WORK/tampered.h5" "$WORK/partial.h5" <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["cube"][321] = 12345
with h5py.File(sys.argv[2], "r+") as f:
    del f.attrs["complete"]
PYEOF
# One dataset of each class sqcube refuses.
"$PY" - "$WORK/classes.h5" <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["compound"] = np.zeros(4, dtype=[("a", "i4"), ("b", "f8")])
    f.create_dataset("enum", data=np.arange(4, dtype="u1"),
                     dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2, "X": 3}, basetype="u1"))
    vl = f.create_dataset("vlen", (3,), dtype=h5py.vlen_dtype(np.dtype("i4")))
    vl[0] = [1, 2]
    f.create_dataset("reference", (2,), dtype=h5py.ref_dtype)
    f["vlen_string"] = np.array(["a", "bb"], dtype=h5py.string_dtype())
PYEOF

# Inputs that are not regular files, a virtual dataset missing a source file, and a filter this
# HDF5 lacks (h5py's own LZF, filter 32000).
mkfifo "$WORK/fifo.h5"
"$PY" - "$WORK" <<'PYEOF'
import sys, os, h5py, numpy as np
w = sys.argv[1]
with h5py.File(os.path.join(w, "src_a.h5"), "w") as f:
    f["x"] = np.arange(10.0)
lay = h5py.VirtualLayout(shape=(20,), dtype="f8")
lay[:10] = h5py.VirtualSource("src_a.h5", "x", shape=(10,))
lay[10:] = h5py.VirtualSource("src_gone.h5", "x", shape=(10,))
with h5py.File(os.path.join(w, "vds_missing.h5"), "w", libver="latest") as f:
    f.create_virtual_dataset("x", lay, fillvalue=-1.0)
with h5py.File(os.path.join(w, "lzf.h5"), "w") as f:
    f.create_dataset("x", data=np.arange(1000.0), chunks=(100,), compression="lzf")
PYEOF

# status | message (grep -E) | input file to checksum or - | arguments
ROWS=(
    "1|input file '[^']*nope.h5': No such file|-|run --input $WORK/nope.h5 --output $OUT"
    "1|is a directory, not an HDF5 file|-|run --input $WORK/existing_dir --output $OUT"
    "1|input '[^']*fifo.h5' is a FIFO \\(named pipe\\), not a regular file|-|run --input $WORK/fifo.h5 --output $OUT"
    "1|input '/dev/null' is a character device, not a regular file|-|run --input /dev/null --output $OUT"
    "1|source file 'src_gone.h5' \\(mapping 2 of 2\\) does not exist|$WORK/vds_missing.h5|run --input $WORK/vds_missing.h5:/x --output $OUT"
    "1|stored with HDF5 filter 32000 \\(lzf\\), which this HDF5 library lacks|$WORK/lzf.h5|run --input $WORK/lzf.h5:/x --output $OUT"
    "1|is not an HDF5 file|$FIXTURES/not_hdf5.h5|run --input $FIXTURES/not_hdf5.h5 --output $OUT"
    "1|truncated or damaged|$FIXTURES/truncated.h5|run --input $FIXTURES/truncated.h5 --output $OUT"
    "1|has no dataset '/nope'|$DATA/sample.h5|run --input $DATA/sample.h5:/nope --output $OUT"
    "2|holds 2 datasets; name one|$FIXTURES/multi.h5|run --input $FIXTURES/multi.h5 --output $OUT"
    "1|has type string|$FIXTURES/unsupported_string.h5|run --input $FIXTURES/unsupported_string.h5:/x --output $OUT"
    "1|has type compound|$WORK/classes.h5|run --input $WORK/classes.h5:/compound --output $OUT"
    "1|has type enum|$WORK/classes.h5|run --input $WORK/classes.h5:/enum --output $OUT"
    "1|has type variable-length sequence|$WORK/classes.h5|run --input $WORK/classes.h5:/vlen --output $OUT"
    "1|has type reference|$WORK/classes.h5|run --input $WORK/classes.h5:/reference --output $OUT"
    "1|has type string|$WORK/classes.h5|run --input $WORK/classes.h5:/vlen_string --output $OUT"
    "1|value out of range at element 42 \\(rank [0-9]\\).*x = 9223372036854775813.*--output-type float64|$FIXTURES/uint64_big.h5|run --input $FIXTURES/uint64_big.h5:/x --chunk 10 --output $OUT"
    "1|integer overflow at element 777 \\(rank [0-9]\\): x = 2097152.*--output-type float64|$FIXTURES/ints_overflow.h5|run --input $FIXTURES/ints_overflow.h5:/x --chunk 100 --output $OUT"
    "1|integer overflow at element 777 \\(rank [0-9]\\): x = 2097152|$FIXTURES/ints_overflow.h5|run --input $FIXTURES/ints_overflow.h5:/x --chunk 100 --io independent --schedule dynamic --output $OUT"
    "1|integer overflow at element 777 \\(rank [0-9]\\): x = 2097152|$FIXTURES/ints_overflow.h5|run --input $FIXTURES/ints_overflow.h5:/x --chunk 100 --io independent --output $OUT"
    # the same failures with 2 threads per rank, where writes overlap computing (T2: 2 threads)
    "1|integer overflow at element 777 \\(rank [0-9]\\): x = 2097152|$FIXTURES/ints_overflow.h5|T2 run --input $FIXTURES/ints_overflow.h5:/x --chunk 100 --output $OUT"
    "1|integer overflow at element 777 \\(rank [0-9]\\): x = 2097152|$FIXTURES/ints_overflow.h5|T2 run --input $FIXTURES/ints_overflow.h5:/x --chunk 100 --io independent --schedule dynamic --output $OUT"
    "1|value out of range at element 42 \\(rank [0-9]\\).*x = 9223372036854775813|$FIXTURES/uint64_big.h5|T2 run --input $FIXTURES/uint64_big.h5:/x --chunk 10 --compress 1 --output $OUT"
    "1|truncated or damaged|$FIXTURES/truncated.h5|T2 run --input $FIXTURES/truncated.h5 --output $OUT"
    "2|--chunk: '0' is less than 1; give a count of 1 or more|-|run --generate range:10 --chunk 0 --output $OUT"
    "2|--chunk: '-1' is negative; give a count of 1 or more|-|run --generate range:10 --chunk -1 --output $OUT"
    "2|--chunk: 'abc' is not a count|-|run --generate range:10 --chunk abc --output $OUT"
    "2|--chunk: '1e30' is too large|-|run --generate range:10 --chunk 1e30 --output $OUT"
    "2|--chunk: 1T elements per chunk is more than the limit|-|run --generate range:10 --chunk 1T --output $OUT"
    "2|--generate N: '99999999999999999999' is too large|-|run --generate range:99999999999999999999 --output $OUT"
    "2|unknown option '--bogus'|-|run --generate range:10 --bogus --output $OUT"
    "2|--schedule: 'guided' is not one of static, dynamic|-|run --generate range:10 --schedule guided --output $OUT"
    "2|--io: 'async' is not one of collective, independent|-|run --generate range:10 --io async --output $OUT"
    "2|--mpiio-hint: 'striping_factor' is not KEY=VALUE|-|run --generate range:10 --mpiio-hint striping_factor --output $OUT"
    "2|--compress: '10' is not a level from 0 \\(off\\) to 9|-|run --generate range:10 --compress 10 --output $OUT"
    "2|--compress: 'fast' is not a level|-|run --generate range:10 --compress fast --output $OUT"
    "2|--compress needs --io collective|-|run --generate range:10 --compress 3 --io independent --output $OUT"
    "2|--sync takes no value|-|run --generate range:10 --sync=1 --output $OUT"
    "2|unknown command 'frobnicate'|-|frobnicate"
    "2|no command; usage: sqcube COMMAND \\[options\\] with COMMAND run, verify, info, affinity or doctor|-|"
    # SQCUBE_MAX_TRANSFER=BYTES is a count as --chunk takes it, 8 to 1G (a leading NAME=VALUE
    # word of a row is passed to the ranks' environment)
    "2|SQCUBE_MAX_TRANSFER: 'abc' is not a count|-|SQCUBE_MAX_TRANSFER=abc run --generate range:10 --output $OUT"
    "2|SQCUBE_MAX_TRANSFER: '0' is less than 8; give a count of 8 or more|-|SQCUBE_MAX_TRANSFER=0 run --generate range:10 --output $OUT"
    "2|SQCUBE_MAX_TRANSFER: '-5' is negative; give a count of 8 or more|-|SQCUBE_MAX_TRANSFER=-5 run --generate range:10 --output $OUT"
    "2|SQCUBE_MAX_TRANSFER: '2G' is more than the default of 1G|-|SQCUBE_MAX_TRANSFER=2G run --generate range:10 --output $OUT"
    "2|help: unknown command 'bogus'|-|help bogus"
    "2|--help takes no value|-|--help=x"
    "2|--generate: 'range::10' has an empty field|-|run --generate range::10 --output $OUT"
    "2|--generate: unknown key 'sead'|-|run --generate uniform:10:sead=1 --output $OUT"
    "2|uniform needs low < high|-|run --generate uniform:10:low=2:high=1 --output $OUT"
    "2|--input and --generate exclude each other|-|run --generate range:10 --input $DATA/sample.h5 --output $OUT"
    "2|run needs --output FILE|-|run --generate range:10"
    "2|run needs an input|-|run --output $OUT"
    "2|--output-type int64 needs integer input|-|run --generate uniform:10 --output-type int64 --output $OUT"
    "1|output directory '[^']*missing_dir' does not exist|-|run --generate range:10 --output $WORK/missing_dir/out.h5"
    "2|is the input file; sqcube never writes over its input|$WORK/input_copy.h5|run --input $WORK/input_copy.h5:/x --output $WORK/input_copy.h5 --force"
    "2|output '[^']*exists.h5' exists; pass --force|$WORK/exists.h5|run --generate range:10 --output $WORK/exists.h5"
    "2|is a directory; give a file name|-|run --generate range:10 --output $WORK/existing_dir"
    "3|1 of 500 elements differ; the first is element 321|$WORK/tampered.h5|verify $WORK/tampered.h5"
    "1|is a partial file \\(no 'complete' attribute\\)|$WORK/partial.h5|verify $WORK/partial.h5"
    "1|is not an sqcube result file|$DATA/sample.h5|verify $DATA/sample.h5"
    "1|result file '[^']*nope.h5': No such file|-|info $WORK/nope.h5"
)
# A directory nobody can write to, even root: a read-only file system where one exists. Root
# mounts a small read-only tmpfs when it may (unmounted on exit); /proc is the fallback. A row that
# cannot run here is named in a "SKIP:" line at the end (scripts/test.sh lists those).
SKIPPED=()
if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$WORK/readonly" && chmod 555 "$WORK/readonly"
    ROWS+=("1|output directory '[^']*readonly' is not writable|-|run --generate range:10 --output $WORK/readonly/out.h5")
else
    mkdir -p "$WORK/readonly"
    if mount -t tmpfs -o ro,size=64k sqcube-ro "$WORK/readonly" 2>"$WORK/mount.err"; then
        trap 'umount "$WORK/readonly" 2>/dev/null || true' EXIT
        ROWS+=("1|output directory '[^']*readonly' is not writable|-|run --generate range:10 --output $WORK/readonly/out.h5")
    else
        SKIPPED+=("the read-only directory row: mount -t tmpfs -o ro failed: $(tr '\n' ' ' <"$WORK/mount.err")")
    fi
    if [ -d /proc/self ] && ! touch /proc/sqcube-probe 2>/dev/null; then
        ROWS+=("1|cannot create output file '/proc/out.h5.partial(.creating)?' \(.*MPI_File_open|-|run --generate range:10 --output /proc/out.h5")
    else
        SKIPPED+=("the /proc row: no read-only /proc here")
    fi
fi

# A row's leading NAME=VALUE words go to the ranks' environment (SQ_MPI_ENV, also kept in
# ROW_ENV); the rest is $args.
row_env() {
    ROW_ENV=()
    args=$1
    while [[ $args =~ ^([A-Z_]+=[^ ]*)( (.*))?$ ]]; do
        ROW_ENV+=("${BASH_REMATCH[1]}")
        args=${BASH_REMATCH[3]}
    done
    # shellcheck disable=SC2034 # read by sq_mpi (tests/lib/common.sh)
    SQ_MPI_ENV=(${ROW_ENV[@]+"${ROW_ENV[@]}"})
}

n=0
for row in "${ROWS[@]}"; do
    IFS='|' read -r want_status want_msg input args <<<"$row"
    before=""
    [ "$input" = "-" ] || before=$(md5sum <"$input")
    outputs_before=$(ls -a "$WORK" | grep -c '\.partial$' || true)
    set +e
    threads=1
    if [[ $args == "T2 "* ]]; then
        threads=2
        args=${args#T2 }
    fi
    row_env "$args"
    # shellcheck disable=SC2086 # the row's arguments split on purpose
    sq_mpi 3 "$threads" $args >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
    set -e
    errors=$(grep -c '^sqcube: error:' "$WORK/stderr" || true)
    line=$(grep '^sqcube: error:' "$WORK/stderr" || true)
    [ "$status" -eq "$want_status" ] || fail "sqcube $args: exit status $status, expected $want_status; stderr: $(cat "$WORK/stderr")"
    [ "$errors" -eq 1 ] || fail "sqcube $args: $errors error lines, expected exactly 1: $(cat "$WORK/stderr")"
    grep -Eq -- "$want_msg" <<<"$line" || fail "sqcube $args: message '$line' does not match '$want_msg'"
    [ ! -e "$OUT" ] || fail "sqcube $args: left $OUT behind"
    [ "$(ls -a "$WORK" | grep -c '\.partial$' || true)" -eq "$outputs_before" ] || fail "sqcube $args: left a .partial file"
    [ "$input" = "-" ] || [ "$(md5sum <"$input")" = "$before" ] || fail "sqcube $args: the input $input changed"
    echo "ok $status  $line"
    n=$((n + 1))
done
[ ! -e "$WORK/input_copy.h5.partial" ] || fail "a .partial of the input was left"
echo "errors: all $n rows answered as expected"

# Edge inputs that are not errors: each must succeed (status 0, no error line) with a result the
# independent h5py/numpy checker accepts and a count it confirms, leave no .partial, and leave
# the input unchanged. The full matrix runs them too (run_config.sh); here they stand next to the
# refusals so the table covers every row of the bad-input list.
# expected count (N: the input's size, read with h5py) | input file to checksum or - | arguments
VALID=(
    "N|$FIXTURES/empty.h5|run --input $FIXTURES/empty.h5:/x"      # an empty dataset
    "0|-|run --generate range:0"                                  # an empty generated one
    "N|$FIXTURES/floats_special.h5|run --input $FIXTURES/floats_special.h5:/x --chunk 3" # NaN, Inf
    "2|-|run --generate range:2 --chunk 1"                        # more ranks (3) than elements
    "2|-|run --generate range:2 --chunk 1 --schedule dynamic --io independent"
    "1009|-|SQCUBE_MAX_TRANSFER=1K run --generate range:1009 --chunk 500" # 1K = 1024 bytes a call
)
v=0
for row in "${VALID[@]}"; do
    IFS='|' read -r want_count input args <<<"$row"
    before=""
    [ "$input" = "-" ] || before=$(md5sum <"$input")
    [ "$want_count" != N ] || want_count=$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["x"].size)' "$input")
    rm -f "$OUT"
    set +e
    row_env "$args"
    # shellcheck disable=SC2086 # the row's arguments split on purpose
    sq_mpi 3 1 $args --output "$OUT" --quiet >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
    set -e
    [ "$status" -eq 0 ] || fail "sqcube $args: exit status $status, expected 0: $(cat "$WORK/stderr")"
    ! grep -q '^sqcube: error:' "$WORK/stderr" || fail "sqcube $args: printed an error: $(cat "$WORK/stderr")"
    [ -f "$OUT" ] && [ ! -e "$OUT.partial" ] || fail "sqcube $args: no output, or a .partial left"
    "$PY" "$LIB/check_output.py" "$OUT" >/dev/null || fail "sqcube $args: check_output.py refused the result"
    count=$("$PY" -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r"); print(f["square"].size, f.attrs["count"])' "$OUT")
    [ "$count" = "$want_count $want_count" ] || fail "sqcube $args: /square size and count '$count', expected $want_count"
    for e in ${ROW_ENV[@]+"${ROW_ENV[@]}"}; do
        # SQCUBE_MAX_TRANSFER=1K: the file records 1024 bytes a call (K = 2^10)
        [[ $e != SQCUBE_MAX_TRANSFER=1K ]] || [ "$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs["max_transfer"])' "$OUT")" = 1024 ] ||
            fail "sqcube $args with $e: /provenance/max_transfer is not 1024"
    done
    [ "$input" = "-" ] || [ "$(md5sum <"$input")" = "$before" ] || fail "sqcube $args: the input $input changed"
    echo "ok 0  $args (count $count)"
    v=$((v + 1))
done
rm -f "$OUT"
echo "errors: all $v valid edge inputs accepted"
for why in ${SKIPPED[@]+"${SKIPPED[@]}"}; do
    echo "SKIP: $why"
done
