#!/usr/bin/env bash
# sqcube across two hosts: two network + UTS namespaces (host names sqth1, sqth2) joined by a veth
# pair (scripts/netns_hosts.sh), one rank on each host, both writing one file collectively over
# TCP. The file must pass `sqcube verify` (run across the two hosts as well) and record 2 ranks and
# both host names in /provenance, and the independent checker (check_output.py) must accept it. Root only: skips with the reason where namespaces cannot be made.
# The namespaces are removed on every exit.
# Usage: two_hosts.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$1 WORK=$2
source "$(dirname "$0")/common.sh"
# A prefix and subnet of its own: bench/two_hosts.sh (sq, 10.211.0) may run at the same time.
NETNS_PREFIX=sqt NETNS_NET=10.212.0
source "$HERE/../../scripts/netns_hosts.sh"
reason=$(netns_hosts_check) || skip "$reason"
command -v mpirun >/dev/null || fail "mpirun not found"
rm -rf "$WORK" && mkdir -p "$WORK"
trap netns_hosts_down EXIT
netns_hosts_down # a run killed before its trap could leave them
netns_hosts_up "$WORK"
H1=${NETNS_HOSTS[0]} H2=${NETNS_HOSTS[1]}
[ "$(in_host 1 hostname)" = "$H1" ] && [ "$(in_host 2 hostname)" = "$H2" ] ||
    fail "the namespaces do not have their own host names: $(in_host 1 hostname), $(in_host 2 hostname)"
MPI=(timeout 120 "${NETNS_MPI[@]}" -np 2 -x OMP_NUM_THREADS=2)

# Where each rank runs: one on each host (not two on the first because of a slot miscount).
got=$(in_host 1 "${MPI[@]}" hostname | sort | xargs)
[ "$got" = "$H1 $H2" ] || fail "mpirun -np 2 ran on '$got', expected one rank on each of $H1 $H2"

out=$WORK/two_hosts.h5
in_host 1 "${MPI[@]}" "$SQCUBE" run --generate uniform:300007 --chunk 10000 --io collective \
    --output "$out" --quiet || fail "sqcube run across $H1 and $H2 failed"
[ -f "$out" ] && [ ! -e "$out.partial" ] || fail "no $out (or a .partial left next to it)"
in_host 1 "${MPI[@]}" "$SQCUBE" verify "$out" --quiet >/dev/null || fail "sqcube verify across both hosts rejects $out"
"$SQCUBE" verify "$out" --quiet >/dev/null || fail "sqcube verify (one rank, this host) rejects $out"
"$PY" "$LIB/check_output.py" "$out" >/dev/null || fail "check_output.py rejects $out"
"$PY" - "$out" "$H1" "$H2" <<'PY' || fail "/provenance of $out does not show the two-host run"
import sys
import h5py

path, h1, h2 = sys.argv[1:]
with h5py.File(path, "r") as f:
    p = f["provenance"].attrs
    hosts = sorted(h.strip() for h in p["hosts"].split(","))
    assert hosts == sorted([h1, h2]), f"hosts = {p['hosts']!r}, expected {h1} and {h2}"
    assert int(p["ranks"]) == 2 and int(p["threads_per_rank"]) == 2, (p["ranks"], p["threads_per_rank"])
    assert p["io_mode_requested"] == "collective", p["io_mode_requested"]
    assert int(f.attrs["count"]) == 300007 and f["square"].shape == (300007,)
    print(f"ok {path}: verified; hosts {p['hosts']}, {p['ranks']} ranks x {p['threads_per_rank']} "
          f"threads, writes {p['io_write_actual']}")
PY

# The transport across hosts: the harness's own `--mca pml ob1` is kept, and without it sqcube
# chooses nothing (the ranks span two hosts); the results are the same bits.
[ "$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs["mpi_transport"])' "$out")" = \
    "as configured: OMPI_MCA_pml=ob1" ] || fail "two hosts, --mca pml ob1: transport not kept"
MPI_FREE=()
for ((i = 0; i < ${#MPI[@]}; ++i)); do
    if [ "${MPI[i]}" = --mca ] && [ "${MPI[i + 1]}" = pml ]; then i=$((i + 2)); continue; fi
    MPI_FREE+=("${MPI[i]}")
done
in_host 1 "${MPI_FREE[@]}" "$SQCUBE" run --generate uniform:300007 --chunk 10000 --io collective \
    --output "$WORK/free.h5" --quiet || fail "sqcube run across $H1 and $H2 without a pml failed"
got=$("$PY" -c 'import sys, h5py; print(h5py.File(sys.argv[1], "r")["provenance"].attrs["mpi_transport"])' "$WORK/free.h5")
[ "$got" = "as configured: the 2 ranks span more than one host (1 on this one)" ] ||
    fail "two hosts, no pml set: mpi_transport '$got'"
"$PY" "$LIB/compare_outputs.py" "$out" "$WORK/free.h5" >/dev/null || fail "two hosts: results differ with and without a pml"
echo "ok transport across two hosts: left alone ($got)"

# sqcube affinity across the hosts: a row for each rank's 2 threads, rank 0 on one host and rank 1
# on the other, and the same rows in the output's /provenance/affinity.
in_host 1 "${MPI[@]}" "$SQCUBE" affinity >"$WORK/affinity" || fail "sqcube affinity across $H1 and $H2 failed"
got=$(awk '$1 ~ /^[0-9]+$/ { print $1 "@" $3 }' "$WORK/affinity" | sort -u | xargs)
[ "$got" = "0@$H1 1@$H2" ] || fail "sqcube affinity shows '$got', expected rank 0 on $H1 and rank 1 on $H2: $(cat "$WORK/affinity")"
[ "$(awk '$1 ~ /^[0-9]+$/' "$WORK/affinity" | wc -l)" -eq 4 ] || fail "sqcube affinity: expected 2 ranks x 2 threads: $(cat "$WORK/affinity")"
grep -q "^placement: " "$WORK/affinity" || fail "sqcube affinity printed no placement verdict"
"$PY" -c 'import sys, h5py; a = h5py.File(sys.argv[1], "r")["provenance/affinity"][...]; got = sorted({(int(r["rank"]), r["host"].decode()) for r in a}); assert got == [(0, sys.argv[2]), (1, sys.argv[3])], got' \
    "$out" "$H1" "$H2" || fail "/provenance/affinity of $out does not name both hosts"
echo "ok sqcube affinity: $got"

echo "two_hosts: all checks passed"
