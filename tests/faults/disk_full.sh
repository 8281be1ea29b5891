#!/usr/bin/env bash
# Disk full: outputs on a small tmpfs (2 MiB) that they cannot fit. Each case must fail with exit
# status 1 and exactly one "sqcube: error:" line naming the output and saying "No space left on
# device", leave no file under the output's name and no .partial, and leave the tmpfs empty. Two
# ways to run out: an uncompressed output that cannot fit (refused before the run, from the free
# space), and a compressed one of random values (its size is unknown in advance, so the writes
# themselves fail, or - with 3 ranks, where Open MPI's MPI-IO loses them silently - the full file
# system is noticed after the close). The tmpfs is unmounted on exit, whatever happens.
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
