#!/usr/bin/env bash
# Static analysis of src/: the edges (scripts/check_edges.sh: MPI and HDF5 only in their edge
# files), clang-tidy (checks in .clang-tidy) and cppcheck (suppressions in
# tests/lint/cppcheck.supp, each with its reason), both from the build's compile_commands.json so
# they see the real flags and include paths. Fails on any finding.
#   bash scripts/lint.sh [BUILD_DIR]    (default: build-lint, configured here when missing)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build-lint}
if [ ! -f "$BUILD/compile_commands.json" ]; then
    mkdir -p "$BUILD"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSQCUBE_BUILD_TESTS=OFF >"$BUILD/configure.log" 2>&1 ||
        { cat "$BUILD/configure.log"; exit 1; }
fi
# The generated header (build provenance) must exist for the analysers to parse main.c.
cmake --build "$BUILD" --target sqcube_buildinfo >/dev/null

echo "== edges (scripts/check_edges.sh)"
bash "$ROOT/scripts/check_edges.sh"

echo "== clang-tidy $(clang-tidy --version | grep -o 'version [0-9.]*')"
clang-tidy -p "$BUILD" --quiet src/*.c 2>&1 | grep -v '^[0-9]* warnings\? generated\.$' |
    tee "$BUILD/clang-tidy.log" || true
if grep -qE '(warning|error):' "$BUILD/clang-tidy.log"; then
    echo "lint: clang-tidy found the problems above" >&2
    exit 1
fi

echo "== cppcheck $(cppcheck --version | grep -o '[0-9.]*$')"
# Only the product's sources: a copy of the compilation database limited to src/.
mkdir -p "$BUILD/lint"
/usr/bin/python3 - "$BUILD/compile_commands.json" "$BUILD/lint/compile_commands.json" <<'PYEOF'
import json, sys
db = json.load(open(sys.argv[1]))
json.dump([e for e in db if "/src/" in e["file"]], open(sys.argv[2], "w"), indent=1)
PYEOF
cppcheck --project="$BUILD/lint/compile_commands.json" --std=c11 --quiet --inline-suppr \
    --enable=warning,style,performance,portability --suppressions-list=tests/lint/cppcheck.supp \
    --error-exitcode=1 -j 2
echo "lint: edges, clang-tidy and cppcheck clean"
