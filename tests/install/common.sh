# shellcheck shell=bash
# Shared helpers of the installation tests (sourced, not run): failing and skipping with a reason,
# installing into a prefix, and running the quick-start job with an installed sqcube, its result
# checked by `sqcube verify` and by the independent checker (tests/lib/check_output.py).

PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
CHECK_OUTPUT="$SRC/tests/lib/check_output.py"
SKIP=77 # the tests' SKIP_RETURN_CODE
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: $*"
    exit $SKIP
}

# scratch NAME: a new empty folder outside the source and build trees (they may lie anywhere,
# /tmp is not under them here); removed by the caller's cleanup.
scratch() {
    local d
    d=$(mktemp -d "${TMPDIR:-/tmp}/sqcube-$1.XXXXXX") || fail "mktemp failed in ${TMPDIR:-/tmp}"
    case "$d/" in "$SRC"/*) fail "scratch folder $d lies inside the source tree $SRC: set TMPDIR" ;; esac
    echo "$d"
}

# install_into BUILD PREFIX: cmake --install, its log in PREFIX.log on failure.
install_into() {
    cmake --install "$1" --prefix "$2" >"$2.log" 2>&1 || { cat "$2.log" >&2; fail "cmake --install $1 --prefix $2 failed"; }
}

# quick_job SQCUBE DIR N [HIDE...]: the quick start's job (2 ranks, range:N) and `sqcube verify`
# with the given binary (a path, or a name found on PATH), run in DIR; the result DIR/quick.h5 is
# then checked by check_output.py (its own arithmetic, not sqcube's). As root, the job runs in a
# private mount namespace with an empty tmpfs over each HIDE folder (the source and build trees),
# so a binary that read anything from them would fail; elsewhere HIDE is not enforced (said so).
quick_job() {
    local sq=$1 dir=$2 n=$3
    shift 3
    cat >"$dir/job.sh" <<'JOB'
set -e
sq=$1 n=$2
shift 2
for d in "$@"; do mount -t tmpfs -o size=1m sqcube-hidden "$d"; done
for d in "$@"; do [ -z "$(ls -A "$d")" ] || { echo "could not hide $d"; exit 1; }; done
OMP_NUM_THREADS=1 mpirun -np 2 -x OMP_NUM_THREADS "$sq" run --generate "range:$n" --output quick.h5 -q
mpirun -np 2 "$sq" verify quick.h5
JOB
    local how="" hidden="not hidden (not root, or no unshare)"
    if [ "$#" -gt 0 ] && [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
        how="unshare --mount --propagation private"
        hidden="hidden: $*"
    else
        set --
    fi
    (cd "$dir" && $how bash job.sh "$sq" "$n" "$@" >job.log 2>&1) \
        || { cat "$dir/job.log" >&2; fail "the quick-start job with $sq in $dir failed"; }
    grep -q '^verify: OK' "$dir/job.log" || { cat "$dir/job.log" >&2; fail "sqcube verify did not say OK"; }
    "$PY" "$CHECK_OUTPUT" "$dir/quick.h5" >"$dir/check.log" 2>&1 \
        || { cat "$dir/check.log" >&2; fail "check_output.py refused $dir/quick.h5"; }
    echo "ok: $sq ran range:$n on 2 ranks in $dir ($hidden); sqcube verify and check_output.py agree"
}
