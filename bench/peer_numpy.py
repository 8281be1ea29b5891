#!/usr/bin/python3
"""The job as a numpy + h5py user would write it: x uniform in [0, 1), x**2 and x**3, both written
to one HDF5 file as /square and /cube (the layout sqcube writes). Prints the wall time of the work
(after imports). Usage: peer_numpy.py OUTPUT N"""
import sys
import time

import h5py
import numpy as np


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, n = sys.argv[1], int(float(sys.argv[2]))
    t0 = time.perf_counter()
    x = np.random.default_rng(0).random(n)
    sq = x * x
    cu = sq * x
    with h5py.File(out, "w") as f:
        f["square"] = sq
        f["cube"] = cu
    print("peer_numpy: N = %d: %.4f s" % (n, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
