#!/usr/bin/env bash
# Shared directories (docs/reliability.md#shared-directories): no file of the user's is ever
# written through a link someone else planted. Symbolic links are planted at OUTPUT.partial, at the
# final name, at the --summary-json and --log-csv paths, with and without --force / --resume; the
# files they point at (a text file, an HDF5 file, the input) must stay byte-identical (cmp against
# saved copies). A stand-in for the other user wins the race between removing a stale .partial and
# creating it (tests/mpi/plant_race.c, LD_PRELOAD). Files owned by another user (chown nobody; root
# only, else skipped with the reason) are refused for --resume and --log-csv. The umask is honoured
# by the result, the JSON summary and the CSV log. Each case asserts the exact exit status and, for
# a failure, exactly one "sqcube:" line matching the expected text (none for a success).
# Usage: shared_dirs.sh SQCUBE PLANT_RACE_SO FIXTURES WORKDIR
set -euo pipefail
# shellcheck disable=SC2034 # SQCUBE is what common.sh's sq_mpi runs
SQCUBE=$1 SHIM=$2 FIXTURES=$3 WORK=$4
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$WORK"
umask 022

# The files links point at, and their saved copies.
echo "precious data" >victim.txt
sq_mpi 1 1 run --generate range:300 --output victim.h5 --quiet
cp "$FIXTURES/floats_special.h5" input.h5
for f in victim.txt victim.h5 input.h5; do cp "$f" "saved.$f"; done
unchanged() {
    local f
    for f in victim.txt victim.h5 input.h5; do
        cmp -s "$f" "saved.$f" || fail "$1: '$f' was written (differs from its saved copy)"
        if [ ! -f "$f" ] || [ -L "$f" ]; then fail "$1: '$f' is no longer a regular file"; fi
    done
}

# expect NAME STATUS PATTERN [NP] -- ARGS...: run sqcube on NP (default 2) ranks; the exit status
# must be STATUS; with STATUS 0 no "sqcube:" line, else exactly one, matching PATTERN (grep -E).
expect() {
    local name=$1 want=$2 pattern=$3 np=2
    shift 3
    if [ "$1" != "--" ]; then np=$1 && shift; fi
    shift
    local st=0
    sq_mpi "$np" 1 "$@" >"$name.out" 2>"$name.err" || st=$?
    [ "$st" -eq "$want" ] || fail "$name: exit status $st, expected $want: $(cat "$name.err")"
    local lines
    lines=$(grep -c '^sqcube:' "$name.err" || true)
    if [ "$want" -eq 0 ]; then
        [ "$lines" -eq 0 ] || fail "$name: a successful run printed: $(grep '^sqcube:' "$name.err")"
    else
        [ "$lines" -eq 1 ] || fail "$name: $lines 'sqcube:' lines, expected 1: $(cat "$name.err")"
        grep -qE "^sqcube: (error|stopped): .*$pattern" "$name.err" ||
            fail "$name: the message does not match '$pattern': $(grep '^sqcube:' "$name.err")"
    fi
    unchanged "$name"
}
regular() { if [ ! -f "$1" ] || [ -L "$1" ]; then fail "$2: '$1' is not a regular file"; fi; }
absent() { if [ -e "$1" ] || [ -L "$1" ]; then fail "$2: '$1' exists"; fi; }
is_link_to() { [ "$(readlink "$1")" = "$2" ] || fail "$3: '$1' is not the planted link to '$2'"; }
verified() { sq_mpi 1 1 verify "$1" --quiet >/dev/null 2>&1 || fail "$2: '$1' does not verify"; }
GEN=(run --generate range:1000 --chunk 100 --quiet)

# ---- OUTPUT.partial --------------------------------------------------------------------------
for target in victim.txt victim.h5; do
    ln -s "$WORK/$target" a.h5.partial
    expect "partial-$target-force" 0 "" -- "${GEN[@]}" --output a.h5 --force
    regular a.h5 "partial-$target-force" && absent a.h5.partial "partial-$target-force"
    verified a.h5 "partial-$target-force"
    rm -f a.h5
    ln -s "$WORK/$target" a.h5.partial.creating # the name the output is created under
    expect "creating-$target" 0 "" -- "${GEN[@]}" --output a.h5
    regular a.h5 "creating-$target" && absent a.h5.partial.creating "creating-$target"
    verified a.h5 "creating-$target"
    rm -f a.h5
done
echo "ok a link planted at OUTPUT.partial (--force) or OUTPUT.partial.creating: replaced or removed, its target untouched"

# The other user plants the link again between sqcube's removal of the name the output is created
# under (OUTPUT.partial.creating) and its exclusive create (the shim does it inside the removal):
# the create fails, sqcube names the link, nothing is written.
for np in 1 3; do
    SQ_MPI_ENV=("LD_PRELOAD=$SHIM" "SQCUBE_PLANT_TARGET=$WORK/victim.h5"
        "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
    expect "partial-race-np$np" 1 "--output: '[^']*b\.h5\.partial\.creating' was created by someone else while sqcube was creating it: it is now a symbolic link to '$WORK/victim\.h5'" \
        "$np" -- "${GEN[@]}" --output b.h5 --force
    SQ_MPI_ENV=()
    absent b.h5 "partial-race-np$np" && absent b.h5.partial "partial-race-np$np"
    rm -f b.h5.partial.creating
done
echo "ok a link planted again between the removal and the create: refused, its target untouched"

ln -s "$WORK/victim.txt" c.h5.partial
expect partial-no-flags 2 "'[^']*c\.h5\.partial' exists: .*pass --resume to continue it, or --force" -- \
    "${GEN[@]}" --output c.h5
is_link_to c.h5.partial "$WORK/victim.txt" partial-no-flags
for flags in "--resume" "--resume --force"; do
    # shellcheck disable=SC2086 # the flags are two words on purpose
    expect "partial-${flags// /}" 1 "--resume: '[^']*c\.h5\.partial' is a symbolic link to '$WORK/victim\.txt'.*never through a link" -- \
        "${GEN[@]}" --output c.h5 $flags
    is_link_to c.h5.partial "$WORK/victim.txt" "partial $flags"
    absent c.h5 "partial $flags"
done
rm c.h5.partial
ln -s "$WORK/created-through-link" d.h5.partial # a dangling link: nothing may be created there
expect partial-dangling 2 "'[^']*d\.h5\.partial' exists" -- "${GEN[@]}" --output d.h5
expect partial-dangling-resume 1 "--resume: '[^']*d\.h5\.partial' is a symbolic link" -- \
    "${GEN[@]}" --output d.h5 --resume
absent created-through-link partial-dangling
rm d.h5.partial
ln -s "$WORK/input.h5" e.h5.partial # pointing at the input: refused as the input, even with --force
expect partial-input 2 "--output '[^']*e\.h5' is the input file" -- \
    run --input "$WORK/input.h5" --output e.h5 --force --quiet
echo "ok a link at OUTPUT.partial without --force, or with --resume: refused, the link left alone"

# ---- Open MPI's shared-file-pointer probe: NAME.locktest.RANK beside each file MPI-IO opens --------
# (OUTPUT.partial.creating for a fresh run). Open MPI's lockedfile component opens that name with
# O_CREAT and no O_EXCL, so a dangling link there would get its target created; sqcube leaves the component out (src/startup.c) unless the
# user set OMPI_MCA_sharedfp. The control run sets it, to show this case can fail.
for r in 0 1; do ln -s "$WORK/created-through-locktest.$r" "n.h5.partial.creating.locktest.$r"; done
expect locktest 0 "" -- "${GEN[@]}" --output n.h5
for r in 0 1; do
    absent "created-through-locktest.$r" locktest
    is_link_to "n.h5.partial.creating.locktest.$r" "$WORK/created-through-locktest.$r" locktest
done
verified n.h5 locktest
if ompi_info 2>/dev/null | grep -q 'MCA sharedfp: lockedfile'; then
    SQ_MPI_ENV=("OMPI_MCA_sharedfp=lockedfile,sm,individual")
    expect locktest-user-choice 0 "" -- "${GEN[@]}" --output n.h5 --force
    SQ_MPI_ENV=()
    [ -f created-through-locktest.0 ] ||
        fail "locktest-user-choice: the user's OMPI_MCA_sharedfp was not honoured (no probe file)"
    echo "ok OMPI_MCA_sharedfp set by the user: honoured (the probe follows the link, as Open MPI does)"
else
    echo "skip the control run: this MPI has no sharedfp lockedfile component"
fi
rm -f n.h5.partial.creating.locktest.* created-through-locktest.*
echo "ok links at OUTPUT.partial.creating.locktest.RANK: Open MPI's lockedfile probe is off, nothing created"

# ---- the final name: rename(2) replaces a link, never writes through it ------------------------
ln -s "$WORK/victim.txt" f.h5
expect final-no-force 2 "output '[^']*f\.h5' exists; pass --force" -- "${GEN[@]}" --output f.h5
is_link_to f.h5 "$WORK/victim.txt" final-no-force
expect final-force 0 "" -- "${GEN[@]}" --output f.h5 --force
regular f.h5 final-force && verified f.h5 final-force
echo "ok a link at the final name: refused without --force, replaced (not followed) with it"

# ---- --summary-json: a temporary file beside it, renamed over it ------------------------------
ln -s "$WORK/victim.txt" g.json
ln -s "$WORK/victim.h5" g.json.partial # the name older versions wrote through
expect json-link 0 "" -- "${GEN[@]}" --output g.h5 --summary-json g.json
regular g.json json-link
"$PY" -m json.tool g.json >/dev/null || fail "json-link: g.json does not parse"
is_link_to g.json.partial "$WORK/victim.h5" json-link
[ -z "$(find . -maxdepth 1 -name '.g.json.*')" ] || fail "json-link: a temporary file was left"
ln -sf "$WORK/victim.txt" g.json
expect json-link-force 0 "" -- "${GEN[@]}" --output g.h5 --force --summary-json g.json
regular g.json json-link-force
echo "ok a link at the --summary-json path: replaced by the summary, its target untouched"

# ---- --log-csv: refused as a link (all links), before the run -----------------------------------
ln -s "$WORK/victim.txt" h.csv
for flags in "" "--force"; do
    # shellcheck disable=SC2086
    expect "csv-link$flags" 1 "--log-csv: '[^']*h\.csv' is a symbolic link to '$WORK/victim\.txt'.*never through a link" -- \
        "${GEN[@]}" --output h.h5 --log-csv h.csv $flags
    absent h.h5 "csv-link$flags" && absent h.h5.partial "csv-link$flags"
done
ln -s "$WORK/created-through-link" i.csv
expect csv-dangling 1 "--log-csv: '[^']*i\.csv' is a symbolic link" -- \
    "${GEN[@]}" --output i.h5 --log-csv i.csv
absent created-through-link csv-dangling
mkfifo j.csv
expect csv-fifo 1 "--log-csv: '[^']*j\.csv' is not a regular file" -- \
    "${GEN[@]}" --output j.h5 --log-csv j.csv
echo "ok a link (or a FIFO) at the --log-csv path: refused before the run, nothing written"

# ---- files of another user (root only) ---------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
    echo "skip another user's files: chown to nobody needs root (running as uid $(id -u))"
else
    SQ_MPI_ENV=(SQCUBE_STOP_AFTER=2)
    expect ckpt-stop 4 "[0-9]+ of 10 chunks are done and saved in '[^']*k\.h5\.partial'" -- \
        "${GEN[@]}" --output k.h5
    # shellcheck disable=SC2034 # read by common.sh's sq_mpi
    SQ_MPI_ENV=()
    cp k.h5.partial saved.k.h5.partial
    chown 65534:65534 k.h5.partial
    expect resume-nobody 1 "--resume: '[^']*k\.h5\.partial' is a file of uid 65534, not yours \(uid 0\)" -- \
        "${GEN[@]}" --output k.h5 --resume
    cmp -s k.h5.partial saved.k.h5.partial || fail "resume-nobody: the checkpoint was written"
    absent k.h5 resume-nobody
    chown 0:0 k.h5.partial # the same file, the user's own again: it resumes
    expect resume-own 0 "" -- "${GEN[@]}" --output k.h5 --resume
    regular k.h5 resume-own && verified k.h5 resume-own
    echo "theirs" >l.csv && chown 65534:65534 l.csv && cp l.csv saved.l.csv
    expect csv-nobody 1 "--log-csv: '[^']*l\.csv' is a file of uid 65534, not yours" -- \
        "${GEN[@]}" --output l.h5 --log-csv l.csv
    cmp -s l.csv saved.l.csv || fail "csv-nobody: the log was written"
    echo "ok files of another user: refused for --resume and --log-csv, left unchanged"
fi

# ---- the umask ---------------------------------------------------------------------------------
for mask in 077 022; do
    want=$([ "$mask" = 077 ] && echo 600 || echo 644)
    (umask "$mask" && expect "umask-$mask" 0 "" -- "${GEN[@]}" --output "m$mask.h5" \
        --summary-json "m$mask.json" --log-csv "m$mask.csv")
    for f in "m$mask.h5" "m$mask.json" "m$mask.csv"; do
        [ "$(stat -c %a "$f")" = "$want" ] || fail "umask $mask: $f has mode $(stat -c %a "$f"), expected $want"
    done
done
echo "ok the umask: the result, the JSON summary and the CSV log are 0600 under 077, 0644 under 022"
unchanged final
echo "PASS shared directories"
