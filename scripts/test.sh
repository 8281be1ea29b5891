#!/usr/bin/env bash
# The whole test suite: install what is missing, check formatting, build with warnings as errors,
# run every ctest suite (CUnit suites, the MPI integration tests, the job-script tests against a
# real Slurm and across two namespace hosts, which need root, the disk-full fault test, valgrind
# memcheck), static analysis (clang-tidy, cppcheck), then AddressSanitizer + UndefinedBehavior-
# Sanitizer (unit suites and an MPI subset, leak checking on), ThreadSanitizer + Archer (clang),
# and a bounded libFuzzer run of the parsers (clang). docs/reliability.md describes each stage.
#   bash scripts/test.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-deps.sh --tests
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== format: clang-format --dry-run --Werror"
clang-format --dry-run --Werror src/*.c src/*.h tests/unit/*.c bench/*.c examples/*.c \
    tests/fuzz/*.c tests/fuzz/*.h tests/sanitizers/*.c

echo "== build: Release, warnings as errors"
bash scripts/build.sh build-test -DSQCUBE_WERROR=ON
echo "== ctest: all suites"
(cd build-test && ctest --output-on-failure -j 2)

echo "== build: AddressSanitizer + UndefinedBehaviorSanitizer"
CMAKE_BUILD_TYPE=Debug bash scripts/build.sh build-asan -DSQCUBE_WERROR=ON \
    -DSQCUBE_ENABLE_ASAN=ON -DSQCUBE_ENABLE_UBSAN=ON -DSQCUBE_TEST_MAX_RANKS=2
# Leak checking is on for the MPI runs too, with Open MPI's own leaks (MPI_Init, MPI_Finalize, its
# progress thread) suppressed in tests/sanitizers/lsan.supp, each with its reason. Those
# suppressions need the full (slow) unwinder to see through Open MPI's frame-pointer-less
# libraries, which makes each MPI call several times slower (a matrix case with thousands of
# small transfers then passes its time limit); so leaks are checked on the error table (every
# failure path, and successful runs of the edge inputs, on 3 ranks), and the matrix runs under
# ASan + UBSan without the leak check.
echo "== ctest under sanitizers: unit suites, then 1 and 2 ranks"
(cd build-asan && ctest --output-on-failure -L unit &&
    ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -R 'mpi_(fixtures|np[12]_t[12]|affinity_doctor)$|users_(export_.*|progress_count)$' &&
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 \
    LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0" \
    ctest --output-on-failure -R 'mpi_(fixtures|errors)$')

echo "== static analysis: clang-tidy and cppcheck over src/"
bash scripts/lint.sh build-test

echo "== build: ThreadSanitizer + Archer (clang, LLVM OpenMP)"
CC=clang CMAKE_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh build-tsan -DSQCUBE_WERROR=ON \
    -DSQCUBE_ENABLE_TSAN=ON
echo "== ctest under ThreadSanitizer: unit suites, whole runs, the planted-race canary"
(cd build-tsan && ctest --output-on-failure -L tsan)

echo "== build: libFuzzer targets (clang)"
CC=clang CMAKE_BUILD_TYPE=Debug bash scripts/build.sh build-fuzz -DSQCUBE_WERROR=ON \
    -DSQCUBE_BUILD_TESTS=OFF -DSQCUBE_BUILD_FUZZERS=ON
echo "== fuzz: each parser for ${SQCUBE_FUZZ_SECONDS:-20}s from its seed corpus"
bash tests/fuzz/run.sh build-fuzz "${SQCUBE_FUZZ_SECONDS:-20}"
echo "test.sh: all stages passed"
