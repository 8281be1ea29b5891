#!/usr/bin/env bash
# The test suite, in two sizes.
#   bash scripts/test.sh          quick: install what is missing, check formatting, build with
#                                 warnings as errors, run every ctest label at reduced sizes
#                                 (SQCUBE_TEST_SIZE=quick: a quarter of the MPI matrix's cases per
#                                 configuration, each case still in two configurations; 8 ranks in
#                                 the many-ranks test; one signal case in the resume test)
#   bash scripts/test.sh --full   everything (what .ci/run calls): every ctest suite at full size
#                                 (the whole matrix, many ranks up to 32, the job-script tests
#                                 against a real Slurm and across two namespace hosts, which need
#                                 root, the disk-full fault test, valgrind memcheck), static analysis
#                                 (clang-tidy, cppcheck), AddressSanitizer + UndefinedBehavior-
#                                 Sanitizer (unit suites and an MPI subset, leak checking on),
#                                 ThreadSanitizer + Archer (clang), and a bounded libFuzzer run of
#                                 the parsers (clang; ctest label fuzz).
# Both end with the list of skipped tests and their reasons. docs/reliability.md describes each stage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZE=quick
case "${1:-}" in
--full) SIZE=full ;;
--quick | "") ;;
*)
    echo "usage: bash scripts/test.sh [--full]" >&2
    exit 2
    ;;
esac
export SQCUBE_TEST_SIZE=$SIZE
bash scripts/install-deps.sh --tests
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Every ctest run writes a JUnit file; at the end (pass or fail) the skipped tests are listed.
JUNITS=()
ctest_run() { # ctest_run BUILD_DIR NAME CTEST_ARGS...
    local dir=$1 name=$2
    shift 2
    JUNITS+=("$ROOT/$dir/junit-$name.xml")
    (cd "$dir" && ctest --output-on-failure --output-junit "junit-$name.xml" "$@")
}
summary() {
    local st=$?
    [ "${#JUNITS[@]}" -eq 0 ] || /usr/bin/python3 tests/lib/ctest_skips.py "${JUNITS[@]}"
    return $st
}
trap summary EXIT

echo "== format: clang-format --dry-run --Werror"
clang-format --dry-run --Werror src/*.c src/*.h tests/unit/*.c bench/*.c examples/*.c \
    tests/fuzz/*.c tests/fuzz/*.h tests/sanitizers/*.c

echo "== build: Release, warnings as errors ($SIZE test sizes)"
bash scripts/build.sh build-test -DSQCUBE_WERROR=ON -DSQCUBE_TEST_SIZE="$SIZE"
echo "== ctest: all suites ($SIZE)"
ctest_run build-test all -j 2

if [ "$SIZE" = quick ]; then
    echo "test.sh: all quick stages passed (bash scripts/test.sh --full adds the full sizes," \
        "sanitizers, static analysis and fuzzing)"
    exit 0
fi

echo "== build: AddressSanitizer + UndefinedBehaviorSanitizer"
CMAKE_BUILD_TYPE=Debug bash scripts/build.sh build-asan -DSQCUBE_WERROR=ON \
    -DSQCUBE_ENABLE_ASAN=ON -DSQCUBE_ENABLE_UBSAN=ON -DSQCUBE_TEST_MAX_RANKS=2 \
    -DSQCUBE_TEST_SIZE=full
# Leak checking is on for the MPI runs too, with Open MPI's own leaks (MPI_Init, MPI_Finalize, its
# progress thread) suppressed in tests/sanitizers/lsan.supp, each with its reason. Those
# suppressions need the full (slow) unwinder to see through Open MPI's frame-pointer-less
# libraries, which makes each MPI call several times slower (a matrix case with thousands of
# small transfers then passes its time limit); so leaks are checked on the error table (every
# failure path, and successful runs of the edge inputs, on 3 ranks), and the matrix runs under
# ASan + UBSan without the leak check.
echo "== ctest under sanitizers: unit suites, then 1 and 2 ranks"
ctest_run build-asan unit -L unit
ASAN_OPTIONS=detect_leaks=0 ctest_run build-asan mpi \
    -R 'mpi_(fixtures|np[12]_t[12]|affinity_doctor)$|users_(export_.*|progress_count)$'
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
    LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0" \
    ctest_run build-asan leaks -R 'mpi_(fixtures|errors)$'

echo "== static analysis: clang-tidy and cppcheck over src/"
bash scripts/lint.sh build-test

echo "== build: ThreadSanitizer + Archer (clang, LLVM OpenMP)"
CC=clang CMAKE_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-tsan -DSQCUBE_WERROR=ON \
    -DSQCUBE_ENABLE_TSAN=ON -DSQCUBE_TEST_SIZE=full
echo "== ctest under ThreadSanitizer: every unit suite, whole runs, the planted-race canary"
ctest_run build-tsan tsan -L tsan

echo "== build: libFuzzer targets (clang)"
CC=clang CMAKE_BUILD_TYPE=Debug bash scripts/build.sh build-fuzz -DSQCUBE_WERROR=ON \
    -DSQCUBE_BUILD_TESTS=OFF -DSQCUBE_BUILD_FUZZERS=ON \
    -DSQCUBE_FUZZ_SECONDS="${SQCUBE_FUZZ_SECONDS:-20}"
echo "== fuzz: each parser for ${SQCUBE_FUZZ_SECONDS:-20}s from its seed corpus (ctest -L fuzz)"
ctest_run build-fuzz fuzz -L fuzz -j 2
echo "test.sh: all stages passed"
