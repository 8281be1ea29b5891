#!/usr/bin/python3
"""The job as an mpi4py + parallel h5py user would write it: each rank draws its contiguous share
of x uniform in [0, 1) with numpy, computes x**2 and x**3, and all ranks write /square and /cube
of one HDF5 file through the mpio driver, collectively (the layout sqcube writes).
Rank 0 prints the wall time of the work (after imports).
Usage: mpirun -np P peer_mpi4py.py OUTPUT N   (Debian's python3-mpi4py and python3-h5py-mpi)"""
import sys
import time

from mpi4py import MPI
import h5py
import numpy as np


def main():
    comm = MPI.COMM_WORLD
    if len(sys.argv) != 3:
        if comm.rank == 0:
            print(__doc__, file=sys.stderr)
        return 2
    if not h5py.get_config().mpi:
        if comm.rank == 0:
            print("peer_mpi4py: this h5py has no MPI support (python3-h5py-mpi, run under mpirun)",
                  file=sys.stderr)
        return 1
    out, n = sys.argv[1], int(float(sys.argv[2]))
    comm.Barrier()
    t0 = time.perf_counter()
    lo = n * comm.rank // comm.size
    hi = n * (comm.rank + 1) // comm.size
    x = np.random.default_rng(comm.rank).random(hi - lo)
    sq = x * x
    cu = sq * x
    with h5py.File(out, "w", driver="mpio", comm=comm) as f:
        dsq = f.create_dataset("square", (n,), dtype="f8")
        dcu = f.create_dataset("cube", (n,), dtype="f8")
        with dsq.collective:
            dsq[lo:hi] = sq
        with dcu.collective:
            dcu[lo:hi] = cu
    comm.Barrier()
    if comm.rank == 0:
        print("peer_mpi4py: N = %d, %d ranks: %.4f s" % (n, comm.size, time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
