#!/usr/bin/python3
"""Fit the cost model of docs/scaling.md to bench/scaling.sh's measurements, test it on held-back
runs, and predict runs at 1,000 to 100,000 ranks.

    /usr/bin/python3 bench/scaling_fit.py [CSV]     (default bench/results/scaling.csv)

The model (seconds; P ranks, T threads per rank, N elements, chunk c, C cores on this machine):

  wall = T_start + T_fixed + T_loop + T_queue
  T_start = s0 + s1 P                       mpirun, MPI_Init, MPI_Finalize (`sqcube --version`)
  T_fixed = m0 + m1 P                       a run's fixed costs besides start-up: resolve, host
                                            names, file create, one round, reduction, /timing,
                                            attributes, close, rename (one-chunk run minus T_start)
  T_loop  = N a / min(P T, C)               per-element compute (generate, square, cube, sums)
          + N w                             per-element write (the shared file system: 16 B / w)
          + (R - 1) (l0 + l1 L(P))          per round beyond the first: R = ceil(ceil(N/c) / P)
                                            (l0i, l1i with --io independent)
  T_queue = dyn (K/P q_rt + K q_srv)        dynamic schedule only, K = ceil(N/c) chunks: each
                                            rank's round trips, and rank 0 serving every one
  reduce  = rho L(P)                        the /timing reduce phase (part of T_fixed)
  L(P)    = ceil(log2 P) sigma(P)           tree steps, times sigma(P) = max(1, P T / C): the
                                            time-slicing of P T threads on C cores, which on this
                                            machine multiplies every wait for another rank

Each constant is fitted by linear least squares on the series measured for it (medians of the
repeats), on training ranks 1, 2, 4, 8, 16 and (for the chunk and element series) all chunk sizes
and N but the held-back 32K chunk and N = 8M; the rest (3, 6, 12, 24, 32 ranks, the 32K chunk,
N = 8M) is predicted and the errors printed. Then the same terms, with this machine's per-element
and per-round constants and stated assumptions for the network and the parallel file system,
predict large runs.
"""

import csv
import math
import statistics
import sys
from collections import defaultdict

import numpy as np
from scipy.optimize import nnls

TRAIN_RANKS = {1, 2, 4, 8, 16}
HELD_CHUNK = 32768
HELD_N = 8388608


def load(path):
    groups = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            key = (row["series"], int(row["ranks"]), int(row["threads"]), int(row["n"]),
                   int(row["chunk"]), row["schedule"], row["io"])
            groups[key].append(row)
    runs = []
    for key, rows in groups.items():
        med = lambda col: (statistics.median(float(r[col]) for r in rows) if rows[0][col] else None)
        series, p, t, n, c, sched, io = key
        runs.append(dict(series=series, P=p, T=t, N=n, c=c, sched=sched, io=io, reps=len(rows),
                         wall=med("wall_s"), total=med("total_s"), reduce=med("reduce_s"),
                         work=(med("read_s") + med("compute_s")) if rows[0]["read_s"] else None,
                         K=int(rows[0]["nchunks"]) if rows[0]["nchunks"] else 0,
                         C=int(rows[0]["cores"])))
    return runs


def sigma(P, T, C):
    return max(1.0, P * T / C)


def L(P, T, C):
    return math.ceil(math.log2(P)) * sigma(P, T, C) if P > 1 else 0.0


def rounds(N, c, P):
    return math.ceil(math.ceil(N / c) / P) if N else 0


def lsq(rows, features, target):
    A = np.array([[f(r) for f in features] for r in rows], dtype=float)
    y = np.array([target(r) for r in rows], dtype=float)
    x, _ = nnls(A, y)  # every constant is a cost: none may be negative
    return x


def is_train(r):
    if r["P"] not in TRAIN_RANKS:
        return False
    if r["series"] == "chunks" and r["c"] == HELD_CHUNK:
        return False
    if r["series"] == "elements" and r["N"] == HELD_N:
        return False
    return True


def fit(runs):
    by = defaultdict(list)
    for r in runs:
        by[r["series"], is_train(r)].append(r)
    k = {}
    # T_start: s0 + s1 P
    k["s0"], k["s1"] = lsq(by["startup", True], [lambda r: 1, lambda r: r["P"]], lambda r: r["wall"])
    t_start = lambda r: k["s0"] + k["s1"] * r["P"]
    # T_fixed: m0 + m1 P, from one-chunk runs minus the fitted start-up
    k["m0"], k["m1"] = lsq(by["tiny", True], [lambda r: 1, lambda r: r["P"]],
                           lambda r: r["wall"] - t_start(r))
    # reduce: rho L(P), from the reduce phase of the one-chunk runs
    (k["rho"],) = lsq([r for r in by["tiny", True] if r["P"] > 1],
                      [lambda r: L(r["P"], r["T"], r["C"])], lambda r: r["reduce"])
    # T_loop: a from the read (generate) and compute phases; w, l0, l1 from the run phase
    # ('total') less that of a one-chunk run at P and less the compute
    tiny_total = {r["P"]: r["total"] for r in runs if r["series"] == "tiny"}
    loop_rows = [r for r in by["chunks", True] + by["elements", True] if r["P"] in tiny_total]
    per_core = lambda r: r["N"] / min(r["P"] * r["T"], r["C"])
    (k["a"],) = lsq(loop_rows, [per_core], lambda r: r["work"])
    feats = [lambda r: r["N"], lambda r: rounds(r["N"], r["c"], r["P"]) - 1,
             lambda r: (rounds(r["N"], r["c"], r["P"]) - 1) * L(r["P"], r["T"], r["C"])]
    k["w"], k["l0"], k["l1"] = lsq(loop_rows, feats, lambda r: r["total"] - tiny_total[r["P"]]
                                   - k["a"] * per_core(r))
    # The same per-round constants with --io independent (no collective write: the round's only
    # collective is the agreement), from the static runs of the counter series
    ind_rows = [r for r in by["counter", True] if r["sched"] == "static" and r["P"] in tiny_total]
    k["l0i"], k["l1i"] = lsq(ind_rows, feats[1:],
                             lambda r: r["total"] - tiny_total[r["P"]] - r["N"] * k["w"]
                             - r["N"] * k["a"] / min(r["P"] * r["T"], r["C"]))
    # T_queue: dynamic minus static run phase, same P, same chunks
    static = {(r["P"], r["N"], r["c"]): r["total"] for r in runs
              if r["series"] == "counter" and r["sched"] == "static"}
    dyn_rows = [r for r in by["counter", True] if r["sched"] == "dynamic"]
    k["q_rt"], k["q_srv"] = lsq(dyn_rows, [lambda r: r["K"] / r["P"], lambda r: r["K"]],
                                lambda r: r["total"] - static[r["P"], r["N"], r["c"]])
    return k


def predict_wall(k, r):
    P, T, C, N, c = r["P"], r["T"], r["C"], r["N"], r["c"]
    t = k["s0"] + k["s1"] * P
    if r["series"] == "startup":
        return t
    t += k["m0"] + k["m1"] * P
    R = max(rounds(N, c, P), 1)
    l0, l1 = (k["l0"], k["l1"]) if r["io"] == "collective" else (k["l0i"], k["l1i"])
    t += N * k["a"] / min(P * T, C) + N * k["w"] + (R - 1) * (l0 + l1 * L(P, T, C))
    if r["sched"] == "dynamic":
        K = math.ceil(N / c)
        t += K / P * k["q_rt"] + K * k["q_srv"]
    return t


UNITS = {
    "s0": ("s", "start-up, fixed"), "s1": ("s/rank", "start-up per rank (local launch)"),
    "m0": ("s", "run's fixed costs"), "m1": ("s/rank", "run's fixed costs per rank"),
    "rho": ("s/step", "reduction, per tree step"), "a": ("s/element/core", "compute"),
    "w": ("s/element", "write (16 bytes)"), "l0": ("s/round", "per-round fixed cost"),
    "l1": ("s/round/step", "per-round collective, per tree step"),
    "l0i": ("s/round", "per-round fixed cost, --io independent"),
    "l1i": ("s/round/step", "per-round collective, per tree step, --io independent"),
    "q_rt": ("s/chunk/rank", "work-queue round trip"),
    "q_srv": ("s/chunk", "work-queue service at rank 0"),
}


def report_fit(runs, k):
    print("== fitted constants (this machine, medians of the repeats)")
    for name, (unit, what) in UNITS.items():
        print("  %-6s %12.4g %-16s %s" % (name, k[name], unit, what))
    print("  derived: write bandwidth 16 B / w = %.2f GB/s; counter service %.3g ops/s at rank 0"
          % (16 / k["w"] / 1e9 if k["w"] > 0 else float("inf"),
             1 / k["q_srv"] if k["q_srv"] > 0 else float("inf")))
    for train in (True, False):
        rows = [r for r in runs if is_train(r) == train]
        errs = []
        print("== %s: measured vs predicted wall time (median of %s repeats)"
              % ("training" if train else "held back", rows[0]["reps"] if rows else "?"))
        if not train:
            print("  %-9s %3s %2s %9s %8s %-8s %9s %9s %7s"
                  % ("series", "P", "T", "N", "chunk", "schedule", "measured", "model", "error"))
        for r in sorted(rows, key=lambda r: (r["series"], r["sched"], r["P"], r["T"], r["N"], r["c"])):
            p = predict_wall(k, r)
            e = (p - r["wall"]) / r["wall"]
            errs.append(abs(e))
            if not train:
                print("  %-9s %3d %2d %9d %8d %-8s %9.3f %9.3f %+6.0f%%"
                      % (r["series"], r["P"], r["T"], r["N"], r["c"], r["sched"], r["wall"], p,
                         100 * e))
        if errs:
            print("  %d runs: median |error| %.0f%%, 90th percentile %.0f%%, max %.0f%%"
                  % (len(errs), 100 * statistics.median(errs),
                     100 * sorted(errs)[int(0.9 * (len(errs) - 1))], 100 * max(errs)))


# What a cluster changes: assumptions, not measurements (docs/scaling.md says why). The constants
# fitted on this machine that carry over: a (compute per element per core), max(l0, l0i) (a
# round's fixed CPU cost: HDF5 selections and calls), m0 (a run's fixed cost), s1 x C (one
# process's start-up CPU time: C processes start at once on C cores), and the counter's service
# time (measured by bench_counter_rate).
CLUSTER = dict(
    alpha=2e-6,          # s: network latency per message (InfiniBand / Slingshot class)
    beta=10e9,           # B/s: per-node injection bandwidth (100 Gb/s NIC, rounded down)
    B_fs=1e12,           # B/s: aggregate parallel file-system bandwidth (1 TB/s)
    launch_step=0.1,     # s: launcher (srun/PMIx) per level of its tree over nodes
    endpoint=100,        # bytes per rank exchanged at MPI_Init (the modex), gathered by every node
    mds_opens=50e3,      # opens/s the metadata server sustains (every rank opens the file)
    ppn=8,               # ranks per node (hybrid: 8 ranks x 8 threads on a 64-core node)
    threads=8,
    host_len=11,         # bytes a host name takes in /provenance hosts ("nid001234, ")
    hosts_max=4096,      # sizeof(sq_provenance.hosts): the list is cut there
    name_max=256,        # MPI_MAX_PROCESSOR_NAME (Open MPI): bytes per rank gathered on rank 0
    strcmp=4.0e-9,       # s per host-name comparison in sq_par_hosts (bench_hosts_scan, here)
    stats_bytes=1960,    # sizeof(sq_stats): the message of each step of the reduction
    merge=1e-6,          # s: one sq_stats_merge (3 256-bit and 3 70-digit additions; a bound)
    q_hw=1e-6,           # s per fetch-and-add served with network atomics (assumed)
)


def predict_cluster(k, N, P, c, in_bytes, cl, q_srv):
    """The named terms (seconds) of a run of N elements on P ranks with chunk c on a cluster."""
    nodes = max(1, P // cl["ppn"])
    T = cl["threads"]
    K = math.ceil(N / c)
    R = math.ceil(K / P)
    busy_nodes = max(1, min(P, K) // cl["ppn"])  # with fewer chunks than ranks, some idle
    steps = math.ceil(math.log2(P)) if P > 1 else 0
    a, b = cl["alpha"], cl["beta"]
    t = {}
    t["start-up"] = (k["s0"] + k["s1"] * k["C"] + cl["launch_step"] * math.ceil(math.log2(nodes))
                     + P * cl["endpoint"] / b)
    t["metadata"] = (k["m0"] + P / cl["mds_opens"] + P * cl["name_max"] / b
                     + hosts_scan(P, cl["ppn"], cl) + P * 40 / b)
    t["compute"] = R * min(c, N) * k["a"] / T  # R rounds of (at most) one chunk per rank
    t["I/O"] = N * (16 + in_bytes) / min(cl["B_fs"], busy_nodes * b)
    # per round: HDF5's fixed cost, the agreement (an allreduce), ROMIO's two-phase exchange of
    # offsets (an allgather of 16 B per rank) and counts (an all-to-all, Bruck: log2 P steps of
    # P/2 x 4 B)
    # (the fixed CPU cost: the larger of the two fitted here, l0 collective and l0i independent)
    t["rounds"] = R * (max(k["l0"], k["l0i"]) + steps * 2 * a + 16 * P / b + steps * (a + 2 * P / b))
    # reduce to rank 0 and broadcast back: 2 log2 P steps of one sq_stats message
    t["reduction"] = steps * (2 * (a + cl["stats_bytes"] / b) + cl["merge"])
    t_round = (t["compute"] + t["I/O"] + t["rounds"]) / R if R else 0.0
    t["queue_demand"] = P / t_round if t_round else 0.0  # fetch-and-adds per second asked
    t["queue_use_sw"] = t["queue_demand"] * q_srv        # utilisation of rank 0's counter
    t["queue_use_hw"] = t["queue_demand"] * cl["q_hw"]
    return t


def hosts_scan(P, ppn, cl):
    """Seconds rank 0 spends finding the distinct host names (sq_par_hosts) at P ranks: it
    compares each rank's name with the earlier ones until one matches, and stops once the list is
    full, so about r_cut^2 / 2 comparisons, r_cut the first rank past the cut (ranks numbered node
    by node, ppn per node)."""
    r_cut = min(P, (cl["hosts_max"] // cl["host_len"]) * ppn)
    return r_cut * r_cut / 2 * cl["strcmp"]


def load_rate(path):
    """bench_counter_rate's CSV: the service time per fetch-and-add at the most ranks, per osc."""
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return {}
    out = {}
    for osc in sorted({r["osc"] for r in rows}):
        mine = [r for r in rows if r["osc"] == osc]
        top = max(int(r["ranks"]) for r in mine)
        rates = [float(r["ops_per_s"]) for r in mine if int(r["ranks"]) == top]
        out[osc] = (top, 1 / statistics.median(rates))
        print("  counter service (%s osc): %s" % (osc, ", ".join(
            "%s ranks %.3g ops/s" % (r["ranks"], float(r["ops_per_s"])) for r in mine)))
    return out


def report_cluster(k, rate):
    cl = CLUSTER
    q_sw, where = (rate["default"][1], "this machine, default osc") if "default" in rate else (
        5e-6, "assumed: no counter CSV")
    print("== predictions on a cluster: software counter q_srv = %.3g s (%s), network atomics "
          "%.3g s; assumptions: %s"
          % (q_sw, where, cl["q_hw"], ", ".join("%s=%g" % kv for kv in cl.items())))
    cases = [("1e12 elements generated (16 TB written)", 1e12, 0),
             ("1 PB of float64 input (1.25e14 elements; 1 PB read, 2 PB written)", 1.25e14, 8)]
    names = ("start-up", "metadata", "compute", "I/O", "rounds", "reduction")
    print("  sq_par_hosts' scan for distinct names at 100000 ranks: %s" % ", ".join(
        "%d ranks per node %.3g s" % (ppn, hosts_scan(100000, ppn, cl)) for ppn in (1, 8, 64, 128)))
    for label, N, in_bytes in cases:
        for c in (524288, 16777216):
            print("  %s, chunk %d:" % (label, c))
            print("    %7s" % "P" + "".join(" %9s" % n for n in names)
                  + " %9s %10s %7s %7s" % ("total", "FAA/s", "use sw", "use hw"))
            for P in (1000, 10000, 100000):
                t = predict_cluster(k, int(N), P, c, in_bytes, cl, q_sw)
                tot = sum(t[n] for n in names)
                print("    %7d" % P + "".join(" %9.3g" % t[n] for n in names)
                      + " %9.4g %10.3g %7.2f %7.3f" % (tot, t["queue_demand"], t["queue_use_sw"],
                                                       t["queue_use_hw"]))


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/scaling.csv"
    runs = load(path)
    k = fit(runs)
    k["C"] = runs[0]["C"]
    report_fit(runs, k)
    rate = load_rate(path[:-4] + "_counter.csv" if path.endswith(".csv") else path + "_counter")
    report_cluster(k, rate)


if __name__ == "__main__":
    main()
