#!/usr/bin/python3
"""Helpers of kill_anywhere.sh that read a partial output while, or after, a run writes it.

  kill_probe.py wait PARTIAL K PID   wait until K chunks are flagged in PARTIAL's /checkpoint/done
                                     (exit 0), or until process PID is gone (exit 3); polls every
                                     5 ms, and a file that does not open yet counts as 0 flagged.
  kill_probe.py redone PARTIAL       after a kill: print "FLAGGED WRITTEN_UNFLAGGED NCHUNKS", where
                                     WRITTEN_UNFLAGGED counts the chunks with data in /square or
                                     /cube (the file is never filled: unwritten bytes read as 0)
                                     but no done flag: written work a resume must redo.
"""
import os
import sys
import time

import h5py
import numpy as np


def flagged(path):
    try:
        with h5py.File(path, "r") as f:
            return int(np.count_nonzero(f["checkpoint/done"][:]))
    except Exception:  # not there yet, or not yet an HDF5 file
        return 0


def wait(path, k, pid):
    while True:
        if flagged(path) >= k:
            return 0
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return 3
        time.sleep(0.005)


def redone(path):
    with h5py.File(path, "r") as f:
        done = f["checkpoint/done"][:]
        sq, cu = f["square"], f["cube"]
        n = sq.size
        settings = dict(kv.split("=", 1) for kv in f["checkpoint"].attrs["settings"].split(";"))
        chunk = int(settings["chunk"])
        sqf, cuf = sq[...].reshape(-1), cu[...].reshape(-1)
        written = 0
        for k in np.flatnonzero(done == 0):
            a, b = k * chunk, min(n, (k + 1) * chunk)
            if np.any(sqf[a:b] != 0) or np.any(cuf[a:b] != 0):
                written += 1
        print(int(np.count_nonzero(done)), written, len(done))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "wait":
        sys.exit(wait(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    sys.exit(redone(sys.argv[2]))
