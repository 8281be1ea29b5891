#!/usr/bin/python3
"""Summarise sqcube runs as a table: N, ranks x threads, reductions, seconds per phase, GB/s.

Reads result files (.h5), --summary-json documents (.json) and --log-csv files (.csv, one run per
row), in the order given. Times are the slowest rank's (max over ranks) per phase; GB/s is the
effective bandwidth, 24 bytes per element over the slowest rank's total. Integer sums are exact.

Examples:
  analysis/summary.py out/*.h5
  analysis/summary.py --format csv runs.csv > table.csv
  analysis/summary.py out/*.h5 --png -o table.png
"""
import argparse
import csv
import os
import sys

import sqresult

COLUMNS = ["file", "input", "N", "RxT", "cores", "schedule", "io", "sum", "sum_sq", "sum_cube",
           "min", "max", "nonfinite", "read_s", "compute_s", "reduce_s", "write_s", "total_s",
           "GB/s"]


def row(run):
    red = run["reductions"]
    sums = [red.get(s + "_exact") or sqresult.fmt_value(red[s]) for s in sqresult.SUMS]
    t = run["phase_max"]
    return [os.path.basename(run["path"]), run["input"], str(run["n"]), run["label"],
            str(run["cores"]), run["schedule"], run["io"], *sums,
            sqresult.fmt_value(red["min"]), sqresult.fmt_value(red["max"]),
            str(red["nonfinite_count"]),
            *(f"{t[p]:.4f}" for p in sqresult.PHASES), f"{run['gb_per_s']:.3f}"]


def print_text(rows, out):
    widths = [max(len(r[i]) for r in [COLUMNS] + rows) for i in range(len(COLUMNS))]
    for r in [COLUMNS] + rows:
        out.write("  ".join(c.rjust(w) if i >= 2 else c.ljust(w)
                            for i, (c, w) in enumerate(zip(r, widths))).rstrip() + "\n")


def print_markdown(rows, out):
    out.write("| " + " | ".join(COLUMNS) + " |\n")
    out.write("|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|\n")
    for r in rows:
        out.write("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |\n")


def draw_png(rows, args):
    """The table as a figure, for slides and reports; long values are shortened to fit."""
    keep = ["file", "N", "RxT", "sum", "read_s", "compute_s", "write_s", "total_s", "GB/s"]
    idx = [COLUMNS.index(k) for k in keep]

    def short(text):
        return text if len(text) <= 16 else text[:7] + "..." + text[-6:]

    cells = [[short(r[i]) for i in idx] for r in rows] or [[""] * len(keep)]
    fig, axes = sqresult.figure(args)
    ax = axes[0][0]
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=keep, loc="center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.3)
    for (r, _), cell in table.get_celld().items():
        if r == 0:
            cell.set_facecolor("#d9e4f2")
    words = [args.title] if args.title else [f"sqcube: {len(rows)} run(s)",
                                             "times of the slowest rank (s)"]
    sqresult.title(fig, [words], fontsize=10)
    sqresult.save(fig, args)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="result files (.h5), JSON summaries, CSV logs")
    p.add_argument("--format", choices=["text", "csv", "markdown"], default="text",
                   help="table format on stdout (default text)")
    p.add_argument("--sort", choices=["none", "n", "cores"], default="none",
                   help="order of the rows (default: as given)")
    p.add_argument("--png", action="store_true",
                   help="also draw the table into a PNG (-o, default summary.png)")
    sqresult.add_figure_args(p, "summary.png", width=10, height=3)
    args = p.parse_args(argv)
    try:
        runs = sqresult.read_runs(args.files)
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"summary.py: error: {e}")
    if args.sort == "n":
        runs.sort(key=lambda r: (r["n"], r["cores"]))
    elif args.sort == "cores":
        runs.sort(key=lambda r: (r["cores"], r["ranks"], r["n"]))
    rows = [row(r) for r in runs]
    if args.format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    elif args.format == "markdown":
        print_markdown(rows, sys.stdout)
    else:
        print_text(rows, sys.stdout)
    if args.png:
        draw_png(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
