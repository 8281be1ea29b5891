#!/usr/bin/env bash
# cmake --install into any prefix gives a working, relocatable installation: every file where users
# look, the installed docs' links all resolve (and the check catches a missing file), and after the
# prefix is MOVED the installed sqcube runs the quick-start job from a folder outside the source
# tree, with the source and build trees hidden (as root), and the analysis scripts run from there.
# Usage: tree.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/install/common.sh
source "$(dirname "$0")/common.sh"
BUILD=$(cd "$1" && pwd)
WORK=$(scratch tree)
trap 'rm -rf "$WORK"' EXIT
A="$WORK/first prefix" # a space in the prefix, as some sites have
B="$WORK/moved/elsewhere"
install_into "$BUILD" "$A"

version=$("$A/bin/sqcube" --version | head -n 1 | awk '{print $2}')
[ -n "$version" ] || fail "sqcube --version printed no version"
expected=(
    bin/sqcube share/man/man1/sqcube.1
    share/doc/sqcube/README.md share/doc/sqcube/docs/sqcube.1 share/doc/sqcube/jobs/README.md
    share/doc/sqcube/data/README.md share/doc/sqcube/data/sample.h5
    share/sqcube/analysis/sqresult.py
    "share/modulefiles/sqcube/$version.lua" "share/modulefiles/sqcube/$version"
)
for f in "$SRC"/docs/*.md "$SRC"/docs/img/*; do expected+=("share/doc/sqcube/docs/${f#"$SRC/docs/"}"); done
executable=(bin/sqcube share/doc/sqcube/data/make_data.py)
for f in "$SRC"/jobs/*/*; do executable+=("share/doc/sqcube/jobs/${f#"$SRC/jobs/"}"); done
for f in summary phases scaling preview; do executable+=("share/sqcube/analysis/$f.py"); done
for f in "${expected[@]}" "${executable[@]}"; do [ -f "$A/$f" ] || fail "$A/$f not installed"; done
for f in "${executable[@]}"; do [ -x "$A/$f" ] || fail "$A/$f is not executable"; done
echo "ok: ${#expected[@]} + ${#executable[@]} files installed under $A (sqcube $version)"
grep -q '^\.TH SQCUBE 1' "$A/share/man/man1/sqcube.1" || fail "man page header"

# The installed docs link only to installed files; a missing folder is caught.
"$PY" "$HERE/doc_links.py" "$A/share/doc/sqcube" 30 || fail "the installed docs link to files that are not installed"
cp -r "$A/share/doc/sqcube" "$WORK/docs-copy"
rm -r "$WORK/docs-copy/docs/img"
if "$PY" "$HERE/doc_links.py" "$WORK/docs-copy" >"$WORK/links.log"; then
    fail "doc_links.py passed with docs/img removed"
fi
grep -q 'broken link: .*img/' "$WORK/links.log" || fail "doc_links.py did not name the missing images"

# Nothing in the binary points into the source or build tree.
if grep -aqF -e "$SRC/" -e "$BUILD/" "$A/bin/sqcube"; then
    fail "$A/bin/sqcube holds a path into $SRC or $BUILD"
fi

# Move the prefix, then use it from a folder outside the source tree.
mkdir -p "$(dirname "$B")" "$WORK/run"
mv "$A" "$B"
"$B/bin/sqcube" --version >/dev/null || fail "the moved sqcube does not start"
MANPATH="$B/share/man" man -w sqcube | grep -qxF "$B/share/man/man1/sqcube.1" || fail "man -w sqcube with the moved MANPATH"
hide=("$SRC")
case "$BUILD/" in "$SRC"/*) ;; *) hide+=("$BUILD") ;; esac
quick_job "$B/bin/sqcube" "$WORK/run" 1e6 "${hide[@]}"
"$PY" "$B/share/sqcube/analysis/summary.py" "$WORK/run/quick.h5" >"$WORK/summary.txt" \
    || fail "the moved analysis/summary.py failed"
grep -q 'quick.h5' "$WORK/summary.txt" || { cat "$WORK/summary.txt"; fail "summary.py did not list quick.h5"; }
echo "ok: the moved prefix $B works (binary, man page, analysis scripts)"
