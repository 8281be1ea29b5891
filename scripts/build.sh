#!/usr/bin/env bash
# Configures and builds sqcube. Usage: build.sh BUILD_DIR [extra cmake arguments...]
# The configure output goes to BUILD_DIR/configure.log (shown only when configuring fails).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1
shift
mkdir -p "$BUILD"
LOG="$BUILD/configure.log"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "$@" >"$LOG" 2>&1 \
    || { cat "$LOG"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)"
