#!/usr/bin/python3
"""Plot each rank's seconds per phase from a result file's /timing table, as stacked bars (read,
compute, reduce, write), with each rank's total marked, to show load imbalance.

The imbalance printed and shown in the title is max/mean over ranks of the busy time (read +
compute + write): 1.00 is perfect balance, 1.25 means the slowest rank worked 25% longer than the
average. With 2 or more threads per rank (/provenance/overlap = 1) thread 0 writes while the others
compute, so a bar can be taller than the rank's total: the phases overlap in time.

Example:
  analysis/phases.py out.h5 -o phases.png
"""
import argparse
import sys

import numpy as np

import sqresult

COLOURS = {"read": "#4c72b0", "compute": "#55a868", "reduce": "#c44e52", "write": "#8172b2"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="a sqcube result file (.h5)")
    sqresult.add_figure_args(p, "phases.png")
    args = p.parse_args(argv)
    try:
        run = sqresult.read_h5(args.file)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"phases.py: error: {e}")
    t = run["timing"]
    ranks = np.arange(len(t))
    col = {ph: i for i, ph in enumerate(sqresult.PHASES)}
    busy = t[:, col["read"]] + t[:, col["compute"]] + t[:, col["write"]]
    imbalance = float(busy.max() / busy.mean()) if len(busy) and busy.mean() > 0 else 1.0

    fig, axes = sqresult.figure(args)
    ax = axes[0][0]
    bottom = np.zeros(len(t))
    for ph in ["read", "compute", "reduce", "write"]:
        ax.bar(ranks, t[:, col[ph]], bottom=bottom, color=COLOURS[ph], label=ph, width=0.7)
        bottom += t[:, col[ph]]
    ax.plot(ranks, t[:, col["total"]], "k_", markersize=24, markeredgewidth=2, label="total")
    ax.set_xlabel("rank")
    ax.set_ylabel("seconds")
    ax.set_xticks(ranks if len(ranks) <= 32 else ranks[:: max(1, len(ranks) // 16)])
    ax.set_xlim(-0.6, len(t) - 0.4)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    lines = [[args.title]] if args.title else [
        [run["input"], f"N = {run['n']}"],
        [f"{run['label']} (ranks x threads)", f"{run['schedule']} schedule", f"{run['io']} I/O",
         f"imbalance (max/mean busy) {imbalance:.2f}"]]
    if run["overlap"] and not args.title:
        lines.append(["phases overlap (thread 0 writes beside the others' compute)"])
    sqresult.title(fig, lines)
    ax.grid(axis="y", alpha=0.3)
    print(f"{args.file}: {len(t)} ranks, busy time (read + compute + write) "
          f"min {busy.min():.4f} s, mean {busy.mean():.4f} s, max {busy.max():.4f} s, "
          f"imbalance (max/mean) {imbalance:.3f}")
    sqresult.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
