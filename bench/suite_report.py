#!/usr/bin/python3
"""Turns bench/suite.sh's CSV into the markdown tables of docs/performance.md and two PNG plots.

Usage: suite_report.py SUITE.CSV MEMBW.TXT RESULTS_DIR DISK_DIR

Per N: each command's median wall time and min-max, its ratio to the floor, how many times faster
sqcube is than each Python peer, time per element, the largest peak resident memory of any of its
processes (ranks), and for sqcube the slowest rank's phase times and the compute phase's bandwidth
(24 bytes per element) against the probe's. Writes RESULTS_DIR/suite.md, time_per_element.png and
peak_memory.png."""
import csv
import os
import platform
import re
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PEERS = ("numpy_h5py", "mpi4py_h5py_2")


def load(path):
    runs = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            runs.setdefault((int(row["n"]), row["command"]), []).append(row)
    return runs


def med(rows, key):
    vals = [float(r[key]) for r in rows if r[key] != ""]
    return statistics.median(vals) if vals else None


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    runs = load(argv[1])
    membw_text = open(argv[2]).read().strip()
    m = re.search(r"median [0-9.]+ s = ([0-9.]+) GB/s", membw_text)
    probe = float(m.group(1)) if m else None
    out_dir, disk = argv[3], argv[4]
    sizes = sorted({n for n, _ in runs})
    order = ["floor", "numpy_h5py", "mpi4py_h5py_2",
             "sqcube_1x1", "sqcube_1x2", "sqcube_2x1", "sqcube_2x2"]
    lines = []
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    reps = max(len(v) for v in runs.values())
    lines.append("bench/suite.sh: %d alternating repeats after a warm-up, output files in %s; "
                 "%s, %d cores, %s, %s" % (reps, disk, platform.node(), os.cpu_count(), cpu,
                                           time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    lines.append("")
    lines.append("probe: " + membw_text)
    for n in sizes:
        floor = med(runs.get((n, "floor"), []), "wall_s")
        peer = {p: med(runs.get((n, p), []), "wall_s") for p in PEERS}
        lines += ["", "### N = %s" % format(n, ","), "",
                  "| command | median wall (s) | min - max (s) | / floor | numpy+h5py / this "
                  "| mpi4py+h5py / this | ns / element | peak RSS per rank (MiB) "
                  "| phases read / compute / write (s) | compute GB/s (% of probe) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name in order:
            rows = runs.get((n, name))
            if not rows:
                continue
            walls = sorted(float(r["wall_s"]) for r in rows)
            w = statistics.median(walls)
            rss = max(int(r["peak_rss_kib_per_rank"]) for r in rows) / 1024.0

            def ratio(a, b):
                return "%.2f" % (a / b) if a and b else "-"
            ph, bw = "-", "-"
            if name.startswith("sqcube"):
                rd, cp, wr = (med(rows, k) for k in ("read_s", "compute_s", "write_s"))
                ph = "%.3f / %.3f / %.3f" % (rd, cp, wr)
                if cp and cp > 0:
                    gbs = 24.0 * n / cp / 1e9
                    bw = "%.1f (%s)" % (gbs, "%.0f%%" % (100 * gbs / probe) if probe else "-")
            lines.append("| %s | %.3f | %.3f - %.3f | %s | %s | %s | %.2f | %.0f | %s | %s |" % (
                name, w, walls[0], walls[-1], ratio(w, floor), ratio(peer["numpy_h5py"], w),
                ratio(peer["mpi4py_h5py_2"], w), 1e9 * w / n, rss, ph, bw))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "suite.md"), "w") as f:
        f.write(text)
    print(text)

    for key, fname, ylabel, scale in (
            ("wall_s", "time_per_element.png", "median wall time per element (ns)", None),
            ("peak_rss_kib_per_rank", "peak_memory.png", "peak resident memory per rank (MiB)",
             1 / 1024.0)):
        fig, ax = plt.subplots(figsize=(8, 5))
        for name in order:
            xs, ys = [], []
            for n in sizes:
                rows = runs.get((n, name))
                if not rows:
                    continue
                v = med(rows, key) if key == "wall_s" else \
                    max(int(r[key]) for r in rows)
                xs.append(n)
                ys.append(1e9 * v / n if scale is None else v * scale)
            if xs:
                ax.plot(xs, ys, marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N (elements)")
        ax.set_ylabel(ylabel)
        ax.set_title("sqcube bench suite: %s" % ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, fname), dpi=100)
        plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
