#!/usr/bin/env bash
# The man page renders: groff finds nothing to warn about (-ww), and man -l shows every section.
# Usage: man_render.sh PAGE. Exits 77 (skipped) where groff or man is not installed.
set -euo pipefail
PAGE=$1
command -v groff >/dev/null && command -v man >/dev/null ||
    { echo "skip: groff or man missing (apt-get install groff-base man-db)"; exit 77; }
warnings=$(groff -man -ww -z "$PAGE" 2>&1)
[ -z "$warnings" ] || { echo "FAIL: groff warns: $warnings"; exit 1; }
text=$(MANWIDTH=100 man -l "$PAGE" 2>&1)
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS PROGRESS OUTPUT "EXIT STATUS" \
    ENVIRONMENT EXAMPLES "SEE ALSO"; do
    grep -q "^$section" <<<"$text" || { echo "FAIL: no section $section in man -l $PAGE"; exit 1; }
done
grep -q -- "--summary-json FILE" <<<"$text" || { echo "FAIL: no --summary-json in the page"; exit 1; }
echo "ok: $PAGE renders without warnings, all sections present"
