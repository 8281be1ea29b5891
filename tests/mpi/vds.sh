#!/usr/bin/env bash
# Inputs parallel HDF5 cannot read through MPI-IO, or reaches another way (issue 16): a virtual
# dataset (VDS) over two files (relative source names, run from another directory) and an
# external link, each run on 1 to 4 ranks and compared bit for bit with the same run on a plain
# copy of the data (square, cube, and the reductions); /provenance records how the input was read;
# sqcube verify (which reads the VDS the same way) accepts the result.
# Usage: vds.sh SQCUBE WORKDIR
set -euo pipefail
SQCUBE=$(realpath "$1") WORK=$2
source "$(dirname "$0")/../lib/common.sh"
rm -rf "$WORK" && mkdir -p "$WORK/in" "$WORK/elsewhere"
"$PY" - "$WORK/in" <<'PYEOF'
import os, sys, h5py, numpy as np
d = sys.argv[1]
x = np.linspace(-3.0, 3.0, 1000)
x[[17, 600, 999]] = [np.nan, np.inf, -0.0]
y = (np.arange(6 * 50, dtype=np.int16) * 37 % 2001 - 1000).reshape(6, 50)
with h5py.File(os.path.join(d, "plain.h5"), "w") as f:
    f["x"] = x
    f["y"] = y
with h5py.File(os.path.join(d, "part_a.h5"), "w") as f:
    f["x"] = x[:600]
    f["y"] = y[:4]
with h5py.File(os.path.join(d, "part_b.h5"), "w") as f:
    f.create_dataset("x", data=x[600:], chunks=(100,), compression="gzip")
    f["y"] = y[4:]
lx = h5py.VirtualLayout(shape=(1000,), dtype="f8")
lx[:600] = h5py.VirtualSource("part_a.h5", "x", shape=(600,))
lx[600:] = h5py.VirtualSource("part_b.h5", "x", shape=(400,))
ly = h5py.VirtualLayout(shape=(6, 50), dtype="i2")
ly[:4] = h5py.VirtualSource("part_a.h5", "y", shape=(4, 50))
ly[4:] = h5py.VirtualSource("part_b.h5", "y", shape=(2, 50))
with h5py.File(os.path.join(d, "vds.h5"), "w", libver="latest") as f:
    f.create_virtual_dataset("x", lx)
    f.create_virtual_dataset("y", ly)
with h5py.File(os.path.join(d, "link.h5"), "w") as f:
    f["x"] = h5py.ExternalLink("plain.h5", "/x")
    f["y"] = h5py.ExternalLink("plain.h5", "/y")
PYEOF
cd "$WORK/elsewhere" # VDS source names are relative to the VDS file, not to here

compare() { # compare OUT REFERENCE ACCESS-PATTERN
    "$PY" - "$@" <<'PYEOF' || fail "$1 differs from $2"
import sys, h5py, numpy as np
out, ref, pattern = sys.argv[1:4]
with h5py.File(out, "r") as a, h5py.File(ref, "r") as b:
    for k in ("square", "cube"):
        x, y = a[k][()], b[k][()]
        assert x.dtype == y.dtype and x.shape == y.shape, k
        assert x.tobytes() == y.tobytes(), "%s: bytes differ" % k
    for k in ("count", "sum", "sum_sq", "sum_cube", "min", "max", "nonfinite_count"):
        va, vb = a.attrs[k], b.attrs[k]
        assert np.asarray(va).tobytes() == np.asarray(vb).tobytes(), "%s: %r vs %r" % (k, va, vb)
    acc = a["provenance"].attrs["input_access"]
    assert pattern in acc, "input_access %r lacks %r" % (acc, pattern)
PYEOF
}
n=0
RANKS=(1 2 3 4)
[ "$SQ_SIZE" = full ] || RANKS=(1 4) # quick size: one rank and the most
for np in "${RANKS[@]}"; do
    for ds in x y; do
        sq_mpi "$np" 1 run --input "$WORK/in/plain.h5:/$ds" --chunk 64 --output "$WORK/plain_$ds$np.h5" --quiet
        sq_mpi "$np" 1 run --input "../in/vds.h5:/$ds" --chunk 64 --output "$WORK/vds_$ds$np.h5" --quiet
        sq_mpi "$np" 2 run --input "$WORK/in/link.h5:/$ds" --chunk 64 --io independent \
            --output "$WORK/link_$ds$np.h5" --quiet
        compare "$WORK/vds_$ds$np.h5" "$WORK/plain_$ds$np.h5" "serial: a virtual dataset (2 mappings)"
        compare "$WORK/link_$ds$np.h5" "$WORK/plain_$ds$np.h5" "through an external link to"
        "$PY" - "$WORK/vds_$ds$np.h5" <<'PYEOF' || fail "io_read_actual of a VDS run"
import sys, h5py
p = h5py.File(sys.argv[1], "r")["provenance"].attrs
assert p["io_read_actual"].startswith("serial"), p["io_read_actual"]
PYEOF
        sq_mpi "$np" 1 verify "$WORK/vds_$ds$np.h5" >/dev/null || fail "verify vds_$ds$np.h5"
        n=$((n + 2))
    done
done
echo "vds: all $n runs identical to the plain copy"
