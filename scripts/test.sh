#!/usr/bin/env bash
# The whole test suite: install what is missing, check formatting, build with warnings as errors,
# run every ctest suite (CUnit suites, the MPI integration tests, the job-script tests against a
# real Slurm and across two namespace hosts, which need root), then build with
# AddressSanitizer + UndefinedBehaviorSanitizer and run the unit suites and an MPI subset.
#   bash scripts/test.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-deps.sh --tests
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== format: clang-format --dry-run --Werror"
clang-format --dry-run --Werror src/*.c src/*.h tests/unit/*.c bench/*.c examples/*.c

echo "== build: Release, warnings as errors"
bash scripts/build.sh build-test -DSQCUBE_WERROR=ON
echo "== ctest: all suites"
(cd build-test && ctest --output-on-failure -j 2)

echo "== build: AddressSanitizer + UndefinedBehaviorSanitizer"
CMAKE_BUILD_TYPE=Debug bash scripts/build.sh build-asan -DSQCUBE_WERROR=ON \
    -DSQCUBE_ENABLE_ASAN=ON -DSQCUBE_ENABLE_UBSAN=ON -DSQCUBE_TEST_MAX_RANKS=2
# Open MPI and its plugins keep allocations to exit; leak checking of the MPI runs waits for a
# suppression file (the unit suites run with leak checking on).
echo "== ctest under sanitizers: unit suites, then 1 and 2 ranks"
(cd build-asan && ctest --output-on-failure -L unit &&
    ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure \
        -R 'mpi_(fixtures|np[12]_t[12]|errors)$|users_(export_.*|progress_count)$')
echo "test.sh: all stages passed"
