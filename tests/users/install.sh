#!/usr/bin/env bash
# cmake --install puts the binary, the man page and the analysis scripts where users look.
# Usage: install.sh BUILD_DIR PREFIX
set -euo pipefail
BUILD=$1 PREFIX=$2
rm -rf "$PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
# GNUInstallDirs: bin, share/man/man1, share/doc/sqcube, share/sqcube/analysis
for f in bin/sqcube share/man/man1/sqcube.1 share/doc/sqcube/README.md share/doc/sqcube/cli.md \
    share/doc/sqcube/output-format.md share/doc/sqcube/analysis.md \
    share/sqcube/analysis/summary.py share/sqcube/analysis/phases.py \
    share/sqcube/analysis/scaling.py share/sqcube/analysis/preview.py \
    share/sqcube/analysis/sqresult.py; do
    [ -f "$PREFIX/$f" ] || { echo "FAIL: $PREFIX/$f not installed"; exit 1; }
done
[ -x "$PREFIX/share/sqcube/analysis/summary.py" ] || { echo "FAIL: summary.py not executable"; exit 1; }
# the installed scripts run from there (they find sqresult.py beside them)
/usr/bin/python3 "$PREFIX/share/sqcube/analysis/summary.py" --help >/dev/null
grep -q '^\.TH SQCUBE 1' "$PREFIX/share/man/man1/sqcube.1" || { echo "FAIL: man page header"; exit 1; }
echo "ok: installed under $PREFIX"
