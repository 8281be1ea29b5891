#!/usr/bin/env bash
# Disk full: outputs on a small tmpfs (2 MiB) that they cannot fit. Each case must fail with exit
# status 1 and exactly one "sqcube: error:" line naming the output and saying "No space left on
# device", leave no file under the output's name and no .partial, and leave the tmpfs empty. Two
# ways to run out: an uncompressed output that cannot fit (refused before the run, from the free
# space), and a compressed one of random values (its size is unknown in advance, so the writes
# themselves fail, or - with 3 ranks, where Open MPI's MPI-IO loses them silently - the full file
# system is noticed after the close). A compressed output's checkpoint is not kept: only a clean
# stop's chunks of a compressed output can be resumed.
# Then a full disk mid-way, and space again (the tmpfs grown to 4 MiB): an uncompressed output
# that passes the free-space check, but fills the disk before its end (a filler file leaves room for its data and 24 KiB, not
# for its 1040-byte chunk records as well). The run must fail with one line that names ENOSPC and
# says to --resume, keep OUTPUT.partial (and nothing else); once the filler is removed, --resume
# on other ranks x threads must finish, take over every chunk the failed run flagged, and equal an
# uninterrupted run bit for bit (compare_outputs.py).
# Root only (mount); exits 77 (ctest: skipped) with the reason when not root or mount is refused.
# Usage: disk_full.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/../lib/common.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: disk_full needs root to mount a tmpfs"
    exit 77
fi
rm -rf "$WORK" && mkdir -p "$WORK/small"
if ! mount -t tmpfs -o size=2m sqcube-disk-full "$WORK/small" 2>"$WORK/mount.err"; then
    echo "SKIP: mount -t tmpfs is not permitted here: $(cat "$WORK/mount.err")"
    exit 77
fi
trap 'umount "$WORK/small" || umount -l "$WORK/small"' EXIT
OUT="$WORK/small/out.h5"

# ranks | threads | run arguments
CASES=(
    "1|1|--generate range:1000000"
    "2|2|--generate range:1000000"
    "1|1|--generate uniform:1000000 --compress 1 --chunk 64K"
    "1|2|--generate uniform:1000000 --compress 1 --chunk 64K"
    "2|1|--generate uniform:1000000 --compress 1 --chunk 64K"
    "2|2|--generate uniform:1000000 --compress 1 --chunk 64K --schedule dynamic"
    # 3 ranks: Open MPI's MPI-IO drops the writes that do not fit and reports success; sqcube
    # must notice the full file system after the close and keep nothing
    "3|1|--generate uniform:1000000 --compress 1 --chunk 64K"
    "3|2|--generate uniform:1000000 --compress 1 --chunk 64K"
)
for row in "${CASES[@]}"; do
    IFS='|' read -r np threads args <<<"$row"
    set +e
    # shellcheck disable=SC2086 # the row's arguments split on purpose
    sq_mpi "$np" "$threads" run $args --output "$OUT" --quiet >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
    set -e
    line=$(grep '^sqcube: error:' "$WORK/stderr" || true)
    errors=$(grep -c '^sqcube: error:' "$WORK/stderr" || true)
    what="$np ranks x $threads threads, $args"
    [ "$status" -eq 1 ] || fail "$what: exit status $status, expected 1: $(cat "$WORK/stderr")"
    [ "$errors" -eq 1 ] || fail "$what: $errors error lines, expected 1: $(cat "$WORK/stderr")"
    grep -q 'No space left on device' <<<"$line" || fail "$what: no ENOSPC in '$line'"
    grep -qF "'$OUT" <<<"$line" || fail "$what: the message does not name $OUT: '$line'"
    [ ! -e "$OUT" ] || fail "$what: left $OUT behind"
    [ ! -e "$OUT.partial" ] || fail "$what: left $OUT.partial behind"
    [ -z "$(ls -A "$WORK/small")" ] || fail "$what: left files on the tmpfs: $(ls -A "$WORK/small")"
    echo "ok $what: $line"
done
echo "disk_full: all ${#CASES[@]} cases failed cleanly"

# Full mid-way, then space again. ranks | threads | io of the failing run | ranks | threads of the resume
N=100000 CHUNK=256
NCHUNKS=$(((N + CHUNK - 1) / CHUNK))
ARGS=(--generate "uniform:$N:seed=5" --chunk "$CHUNK")
REF="$WORK/ref.h5"
sq_mpi 1 1 run "${ARGS[@]}" --output "$REF" --quiet || fail "the uninterrupted reference run failed"
# Room for the whole output (about 2 MiB) and more: the run after the close wants 64 KiB left.
mount -o remount,size=4m "$WORK/small" || fail "cannot grow the tmpfs to 4 MiB"
RESUME_CASES=("1|1|collective|2|2" "2|2|independent|3|1" "3|1|collective|1|2")
[ "$SQ_SIZE" = full ] || RESUME_CASES=("${RESUME_CASES[@]:0:2}")
for row in "${RESUME_CASES[@]}"; do
    IFS='|' read -r np threads io np2 threads2 <<<"$row"
    what="full mid-way on $np ranks x $threads threads ($io), resumed on $np2 x $threads2"
    free=$(df -B1 --output=avail "$WORK/small" | tail -1)
    fallocate -l $((free - 16 * N - 24576)) "$WORK/small/filler" || fail "$what: cannot place the filler"
    set +e
    sq_mpi "$np" "$threads" run "${ARGS[@]}" --io "$io" --output "$OUT" --quiet >"$WORK/stdout" 2>"$WORK/stderr"
    status=$?
    set -e
    line=$(grep '^sqcube: error:' "$WORK/stderr" || true)
    [ "$status" -eq 1 ] || fail "$what: exit status $status, expected 1: $(cat "$WORK/stderr")"
    [ "$(grep -c '^sqcube: error:' "$WORK/stderr")" -eq 1 ] || fail "$what: not one error line: $(cat "$WORK/stderr")"
    grep -q 'No space left on device' <<<"$line" || fail "$what: no ENOSPC in '$line'"
    grep -qF "kept in '$OUT.partial'" <<<"$line" || fail "$what: the line does not say the checkpoint is kept: '$line'"
    grep -q 'with --resume' <<<"$line" || fail "$what: the line does not say to --resume: '$line'"
    [ ! -e "$OUT" ] || fail "$what: left $OUT behind"
    [ -f "$OUT.partial" ] || fail "$what: the checkpoint $OUT.partial was not kept"
    [ "$(cd "$WORK/small" && find . -mindepth 1 | sort | tr '\n' ' ')" = "./filler ./out.h5.partial " ] ||
        fail "$what: files other than the checkpoint on the tmpfs: $(ls -A "$WORK/small")"
    rm "$WORK/small/filler"
    sq_mpi "$np2" "$threads2" run "${ARGS[@]}" --output "$OUT" --resume --quiet >"$WORK/resume.log" 2>&1 ||
        fail "$what: --resume after space was freed failed: $(cat "$WORK/resume.log")"
    [ ! -e "$OUT.partial" ] || fail "$what: --resume left $OUT.partial"
    "$PY" "$LIB/compare_outputs.py" "$REF" "$OUT" >"$WORK/compare.log" ||
        fail "$what: the resumed output differs from an uninterrupted run: $(cat "$WORK/compare.log")"
    # The failed session's flagged chunks were taken over (its line is "killed": it could not
    # write one), and with the resumed session's they are every chunk.
    runs=$("$PY" -c 'import sys, h5py
r = h5py.File(sys.argv[1])["provenance/runs"]
print(r["1"].attrs["chunks_done"], r["2"].attrs["chunks_done"], list(r["2"].attrs["chunks_taken_over"]))' "$OUT")
    read -r taken redone listed <<<"$runs"
    [ "$taken" -gt 0 ] || fail "$what: no chunk of the failed run was taken over ($runs)"
    [ $((taken + redone)) -eq "$NCHUNKS" ] || fail "$what: $runs does not add up to $NCHUNKS chunks"
    [ "$listed" = "[$taken]" ] || fail "$what: session 2 says it took over $listed, session 1 did $taken"
    rm -f "$OUT"
    [ -z "$(ls -A "$WORK/small")" ] || fail "$what: left files on the tmpfs: $(ls -A "$WORK/small")"
    echo "ok $what: $taken chunks kept and taken over, $redone redone; equal to an uninterrupted run"
done
echo "disk_full: a full disk mid-way keeps the checkpoint, and --resume completes (${#RESUME_CASES[@]} cases)"
