#!/usr/bin/env bash
# The distribution of redone chunks over many random kills: runs tests/mpi/kill_anywhere.sh with
# KILLS kills (default 100) from SEED (default 1) and tabulates, from its per-kill report, how many
# chunks each killed run had written without flagging them (the written work a resume redoes), by
# victim, and how many kills were refused or came after the run had finished.
# Usage: bench/kill_anywhere.sh [BUILD [KILLS [SEED]]]   (BUILD default: build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build} KILLS=${2:-100} SEED=${3:-1}
WORK=$(mktemp -d /tmp/sqcube-kill-anywhere.XXXXXX)
REPORT="$WORK.report"
: >"$REPORT"
bash "$ROOT/tests/mpi/kill_anywhere.sh" "$BUILD/sqcube" "$WORK" "$KILLS" "$SEED" "$REPORT"
rm -rf "$WORK"
echo
echo "redone chunks (written, not flagged) over $KILLS kills, seed $SEED:"
awk '
    $4 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ { n[$6]++; by[$3 " " $6]++; per[$4] += 1; total++ }
    $5 == "finished" { finished++ }
    $6 == "-" && $5 != "finished" { unreadable++ }
    END {
        for (r in n) printf "  %s redone: %d kills\n", r, n[r]
        for (k in by) { split(k, f, " "); printf "  victim %-6s %s redone: %d\n", f[1], f[2], by[k] }
        printf "  resumed with a readable checkpoint: %d; finished before the kill: %d; checkpoint unreadable (refused): %d\n", total, finished + 0, unreadable + 0
    }' "$REPORT" | sort
rm -f "$REPORT"
