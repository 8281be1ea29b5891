#!/usr/bin/python3
"""Plot speed-up and parallel efficiency against cores (ranks x threads) from a set of runs of
the same input: result files (.h5), --summary-json documents (.json) or --log-csv files (.csv).

Time is the slowest rank's `total` (the run phase). Repeats of one configuration (same ranks and
threads) keep the fastest. The baseline is the configuration with the fewest cores (the fastest
of those if several); with p0 its cores and T0 its time, a run on p cores in time T has
  speed-up    S = T0 / T             (ideal: p / p0)
  efficiency  E = S / (p / p0)       (ideal: 100%)
Runs of different inputs or N are separate series. Strong scaling (fixed N) is what this reads;
for weak scaling (N growing with p) plot the GB/s column of summary.py instead.

Examples:
  analysis/scaling.py out/scale_*.h5 -o scaling.png
  analysis/scaling.py runs.csv --svg
"""
import argparse
import sys
from collections import defaultdict

import sqresult


def series(runs):
    """{(input, n): [(cores, ranks, threads, seconds)] sorted by cores}, fastest repeat each."""
    best = {}
    for r in runs:
        key = (r["input"], r["n"], r["ranks"], r["threads"])
        t = r["phase_max"]["total"]
        if key not in best or t < best[key]:
            best[key] = t
    out = defaultdict(list)
    for (inp, n, ranks, threads), t in best.items():
        out[(inp, n)].append((ranks * threads, ranks, threads, t))
    for pts in out.values():
        pts.sort(key=lambda x: (x[0], x[3]))
    return dict(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="result files, JSON summaries or CSV logs")
    sqresult.add_figure_args(p, "scaling.png", width=10, height=4.5)
    args = p.parse_args(argv)
    try:
        runs = sqresult.read_runs(args.files)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"scaling.py: error: {e}")
    if not runs:
        sys.exit("scaling.py: error: no runs in the files given")
    groups = series(runs)

    fig, axes = sqresult.figure(args, 1, 2)
    ax_s, ax_e = axes[0]
    w = max(len("input"), *(len(inp) for inp, _ in groups))  # the whole input, never cut
    print(f"{'input':<{w}} {'N':>12} {'RxT':>6} {'cores':>5} {'time_s':>10} {'speedup':>8} "
          f"{'efficiency':>10}")
    for (inp, n), pts in sorted(groups.items()):
        p0, _, _, t0 = pts[0]
        # One line per threads-per-rank count (the ranks grow along it), all against the one
        # baseline of the input.
        for threads in sorted({q[2] for q in pts}):
            line = [q for q in pts if q[2] == threads]
            xs = [q[0] for q in line]
            sp = [t0 / q[3] if q[3] > 0 else float("nan") for q in line]
            ef = [100 * s / (q[0] / p0) for s, q in zip(sp, line)]
            for (cores, ranks, _, t), s, e in zip(line, sp, ef):
                print(f"{inp:<{w}} {n:>12} {f'{ranks}x{threads}':>6} {cores:>5} {t:>10.4f} "
                      f"{s:>8.3f} {e:>9.1f}%")
            label = (f"{inp}, " if len(groups) > 1 else "") + \
                f"{threads} thread{'s' if threads > 1 else ''}/rank"
            ln = ax_s.plot(xs, sp, "o-", label=label)[0]
            ax_e.plot(xs, ef, "o-", color=ln.get_color(), label=label)
            for x, y, q in zip(xs, sp, line):
                ax_s.annotate(f"{q[1]}x{q[2]}", (x, y), textcoords="offset points",
                              xytext=(4, -10), fontsize=7)
    lo = min(pts[0][0] for pts in groups.values())
    hi = max(pts[-1][0] for pts in groups.values())
    ax_s.plot([lo, hi], [1, hi / lo], "k--", lw=1, label="ideal")
    ax_e.axhline(100, color="k", ls="--", lw=1, label="ideal")
    ax_s.set_xlabel("cores (ranks x threads)")
    ax_s.set_ylabel("speed-up over the fewest cores")
    ax_e.set_xlabel("cores (ranks x threads)")
    ax_e.set_ylabel("parallel efficiency (%)")
    ax_e.set_ylim(0, max(110, max(max(100 * (pts[0][3] / q[3]) / (q[0] / pts[0][0])
                                          for q in pts) for pts in groups.values()) + 10))
    for ax in (ax_s, ax_e):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if args.title:
        sqresult.title(fig, [[args.title]], fontsize=10)
    elif len(groups) == 1:
        (inp, n), = groups
        sqresult.title(fig, [[f"strong scaling: {inp}", f"N = {n}"]], fontsize=10)
    sqresult.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
