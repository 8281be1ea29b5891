#!/usr/bin/python3
"""Checks --summary-json and --log-csv against the result files, read with h5py, and against
independent arithmetic (the closed forms of range:N, max and mean over /timing's rows).

  check_export.py json RESULT.h5 SUMMARY.json [range N]
  check_export.py csv LOG.csv RESULT.h5...      (one row per file, in order, under one header)
"""
import csv
import json
import math
import sys

import h5py
import numpy as np

PHASES = ["read", "compute", "reduce", "write", "total"]
SUMS = ["sum", "sum_sq", "sum_cube"]


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def py(v):
    return v.item() if isinstance(v, np.generic) else v


def read(path):
    with h5py.File(path, "r") as f:
        return ({k: py(v) for k, v in f.attrs.items()},
                {k: py(v) for k, v in f["provenance"].attrs.items()},
                np.array(f["timing"][...]))


def same(a, b, what):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return
    if a != b:
        fail(f"{what}: {a!r} != {b!r}")


def close(a, b, what, rel=1e-12):
    if not math.isclose(a, b, rel_tol=rel, abs_tol=1e-300):
        fail(f"{what}: {a!r} vs {b!r}")


def check_json(h5, js, kind=None, n=None):
    attrs, prov, timing = read(h5)
    d = json.load(open(js))
    same(d["format"], "sqcube-summary", "format")
    same(d["format_version"], 1, "format_version")
    red, st = d["reductions"], d["settings"]
    for k in ["count", "nonfinite_count"] + SUMS:
        same(red[k], attrs[k], k)
    for k in ["min", "max"]:
        a = attrs[k]
        same(None if isinstance(a, float) and not math.isfinite(a) else a, red[k], k)
    for s in SUMS:
        same(red[s + "_exact"], attrs.get(s + "_exact"), s + "_exact")
        same(red[s + "_closed_form"], attrs.get(s + "_closed_form"), s + "_closed_form")
    for k, v in prov.items():
        same(d["provenance"][k], v, f"provenance/{k}")
    same(set(d["provenance"]), set(prov), "provenance keys")
    same(st["n"], prov["input_count"], "n")
    same(st["ranks"], prov["ranks"], "ranks")
    same(st["threads_per_rank"], prov["threads_per_rank"], "threads_per_rank")
    same(st["cores"], prov["ranks"] * prov["threads_per_rank"], "cores")
    same(st["chunk"], prov["chunk"], "chunk")
    same(st["schedule"], prov["schedule"], "schedule")
    same(st["io"], prov["io_mode_requested"], "io")
    same(timing.shape[0], prov["ranks"], "timing rows")
    for i, p in enumerate(PHASES):
        t = d["timing"][p]
        same(t["max"], float(timing[:, i].max()), f"timing/{p}/max")
        same(t["min"], float(timing[:, i].min()), f"timing/{p}/min")
        close(t["avg"], float(timing[:, i].mean()), f"timing/{p}/avg")
    b = d["bandwidth"]
    n_el = prov["input_count"]
    same(b["bytes_moved"], 24.0 * n_el, "bytes_moved")
    same(b["seconds"], float(timing[:, 4].max()), "bandwidth seconds")
    close(b["gb_per_s"], 24.0 * n_el / timing[:, 4].max() / 1e9, "gb_per_s")
    if kind == "range":
        n = int(n)
        forms = [n * (n + 1) // 2, n * (n + 1) * (2 * n + 1) // 6, (n * (n + 1) // 2) ** 2]
        for s, v in zip(SUMS, forms):
            same(red[s + "_exact"], str(v), s + "_exact vs the closed form")
            same(red[s], float(v), s + " vs the closed form rounded")
        same(red["count"], n, "count")
        same((red["min"], red["max"]), (1, n), "min, max")
    print(f"ok: {js} matches {h5} ({len(prov)} provenance fields)")


def check_csv(log, files):
    text = open(log).read()
    lines = text.splitlines()
    header = lines[0]
    if sum(1 for l in lines if l == header) != 1 or not header.startswith("timestamp_utc,"):
        fail(f"{log}: expected one header line first, got {lines[:3]}")
    rows = list(csv.DictReader(open(log, newline="")))
    same(len(rows), len(files), "rows")
    for row, h5 in zip(rows, files):
        attrs, prov, timing = read(h5)
        same(row["output"].split("/")[-1], h5.split("/")[-1], "output")
        same(int(row["n"]), prov["input_count"], "n")
        same(int(row["ranks"]), prov["ranks"], "ranks")
        same(int(row["threads"]), prov["threads_per_rank"], "threads")
        same(int(row["cores"]), prov["ranks"] * prov["threads_per_rank"], "cores")
        same(int(row["chunk"]), prov["chunk"], "chunk")
        same(row["schedule"], prov["schedule"], "schedule")
        same(row["io"], prov["io_mode_requested"], "io")
        same(row["timestamp_utc"], prov["end_time_utc"], "timestamp")
        same(row["input"], prov["generator"], "input")
        for i, p in enumerate(PHASES):
            same(float(row[p + "_max_s"]), float(timing[:, i].max()), f"{p}_max_s")
        close(float(row["gb_per_s"]), 24.0 * prov["input_count"] / timing[:, 4].max() / 1e9,
              "gb_per_s")
        same(int(row["count"]), attrs["count"], "count")
        same(int(row["nonfinite_count"]), attrs["nonfinite_count"], "nonfinite_count")
        for s in SUMS:
            if "sum_exact" in attrs:
                same(row[s], attrs[s + "_exact"], s)
            else:
                same(float(row[s]), attrs[s], s)
        for k in ["min", "max"]:
            same(type(attrs[k])(row[k]), attrs[k], k)
    print(f"ok: {log}: one header, {len(rows)} rows matching {', '.join(files)}")


if __name__ == "__main__":
    if sys.argv[1] == "json":
        check_json(*sys.argv[2:])
    else:
        check_csv(sys.argv[2], sys.argv[3:])
