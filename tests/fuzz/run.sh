#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, each from its seed corpus in the repository
# (tests/fuzz/corpus/<target>/, read only: new inputs go to a scratch corpus in the build tree).
# A crash, leak, sanitizer report or property failure stops the run with status 1; the input that
# caused it is left as BUILD/fuzz-artifacts/crash-*, to be fixed and added as a CUnit regression
# case in tests/unit/test_options.c.
#   bash tests/fuzz/run.sh [BUILD_DIR] [SECONDS_PER_TARGET] [TARGET]   (defaults: build-fuzz, 30, all)
# (ctest runs it once per target: the fuzz_<target> entries, label fuzz.)
# BUILD_DIR must be configured with CC=clang -DSQCUBE_BUILD_FUZZERS=ON (scripts/test.sh does it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build-fuzz}" && pwd)
SECONDS_EACH=${2:-30}
TARGETS=${3:-options count gen_spec input_spec hints}
ART="$BUILD/fuzz-artifacts"
mkdir -p "$ART"
for target in $TARGETS; do
    bin="$BUILD/tests/fuzz/fuzz_$target"
    [ -x "$bin" ] || { echo "fuzz: $bin is missing; build with -DSQCUBE_BUILD_FUZZERS=ON" >&2; exit 1; }
    scratch="$BUILD/fuzz-corpus/$target"
    mkdir -p "$scratch"
    echo "== fuzz_$target: ${SECONDS_EACH}s from $(ls "$ROOT/tests/fuzz/corpus/$target" | wc -l) seeds"
    # -max_len 4096: longer than any option value the parsers accept (and than SQ_PATH_MAX).
    if ! "$bin" -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$ART/${target}-" \
        "$scratch" "$ROOT/tests/fuzz/corpus/$target" >"$BUILD/fuzz-$target.log" 2>&1; then
        tail -40 "$BUILD/fuzz-$target.log"
        echo "fuzz: fuzz_$target failed; the input is in $ART/${target}-*" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$BUILD/fuzz-$target.log" | tr '\n' ' '
    echo
done
echo "fuzz: $TARGETS: ${SECONDS_EACH}s each without a finding"
