#!/usr/bin/python3
"""Assert that sqcube outputs from different run configurations agree.

Every file is compared with the first one:
  * both must be complete format_version 1 files;
  * /square and /cube: same shape and dtype, identical bitwise (NaN
    positions equal; NaN payloads are not compared);
  * count, nonfinite_count, min, max: identical (same HDF5 type; NaN equals
    NaN; min/max compare with ==, so -0.0 equals 0.0);
  * input_type, output_type: identical;
  * sum_exact, sum_sq_exact, sum_cube_exact: identical strings when present
    (present in one file and not the other is a difference);
  * sum, sum_sq, sum_cube: for int64 input they are the correctly rounded
    exact sums, so they must be bitwise identical; for float64 input they may
    differ in the last bits: |a - b| <= 1e-12 * max(|a|, |b|, S) where S is
    the sum of |terms| estimated from the first file's data (sum of
    sqrt(square) for sum, of square for sum_sq, of |cube| for sum_cube), so
    that sums with heavy cancellation are not held to an impossible bound.
    Non-finite sums must be equal (NaN equals NaN).

The data are read in slices (bounded memory).  Exit status: 0 all agree,
1 any difference (or a file that is not a complete output), 2 bad usage.
"""

import argparse
import math
import os
import sys

try:
    import numpy as np
    import h5py
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("compare_outputs: numpy/h5py missing; run with "
                     "/usr/bin/python3\n")
    sys.exit(2)

EXIT_OK, EXIT_DIFFER, EXIT_USAGE = 0, 1, 2
SLICE = 1 << 20
MAX_SHOWN = 10
REL_TOL = 1e-12
TINY = sys.float_info.min
SUMS = ("sum", "sum_sq", "sum_cube")
EXACT = ("sum_exact", "sum_sq_exact", "sum_cube_exact")
INFO = ("ranks", "threads_per_rank", "schedule", "summation", "chunk",
        "nchunks")
INPUT_ID = ("input_kind", "generator", "input_file", "input_dataset")


def as_py(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray) and v.shape == ():
        return as_py(v[()])
    return v


def attr_type(obj, name):
    aid = obj.attrs.get_id(name)
    tid = aid.get_type()
    if isinstance(tid, h5py.h5t.TypeStringID):
        return "string"
    dt = aid.dtype
    if dt.kind in "iu":
        return "int%d" % (8 * dt.itemsize)
    if dt.kind == "f":
        return "float%d" % (8 * dt.itemsize)
    return str(dt)


def fmt(v):
    if isinstance(v, float):
        return repr(v)
    return repr(v) if isinstance(v, str) else str(v)


def same_scalar(a, b):
    """Equality with NaN == NaN."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
    return a == b


class Out:
    def __init__(self, path):
        self.path = path
        self.f = h5py.File(path, "r")
        self.attrs = {k: as_py(v) for k, v in self.f.attrs.items()}
        self.types = {k: attr_type(self.f, k) for k in self.f.attrs}
        self.prov = {}
        if isinstance(self.f.get("provenance"), h5py.Group):
            self.prov = {k: as_py(v)
                         for k, v in self.f["provenance"].attrs.items()}

    def close(self):
        self.f.close()


def describe(o):
    return ", ".join("%s %s" % (k, o.prov.get(k, "?")) for k in INFO)


def validity_problems(o):
    probs = []
    if o.attrs.get("complete") != 1:
        probs.append("%s: complete = %s (partial or invalid file)"
                     % (o.path, o.attrs.get("complete", "missing")))
    if o.attrs.get("format_version") != 1:
        probs.append("%s: format_version = %s, expected 1"
                     % (o.path, o.attrs.get("format_version", "missing")))
    for name in ("square", "cube"):
        d = o.f.get(name)
        if not isinstance(d, h5py.Dataset) or d.ndim != 1:
            probs.append("%s: /%s missing or not 1-D" % (o.path, name))
    return probs


def compare_attrs(ref, o, diffs):
    for name in ("input_type", "output_type", "count", "nonfinite_count",
                 "min", "max"):
        a, b = ref.attrs.get(name), o.attrs.get(name)
        ta, tb = ref.types.get(name), o.types.get(name)
        if ta != tb:
            diffs.append("%s: type %s vs %s" % (name, ta, tb))
        elif not same_scalar(a, b):
            diffs.append("%s: %s vs %s" % (name, fmt(a), fmt(b)))
    for name in EXACT:
        a, b = ref.attrs.get(name), o.attrs.get(name)
        if a != b:
            diffs.append("%s: %s vs %s" % (name, fmt(a) if a is not None
                                           else "absent",
                                           fmt(b) if b is not None
                                           else "absent"))


def compare_sums(ref, o, scales, diffs):
    int_input = ref.attrs.get("input_type") == "int64"
    for k, name in enumerate(SUMS):
        a, b = ref.attrs.get(name), o.attrs.get(name)
        if not isinstance(a, float) or not isinstance(b, float):
            diffs.append("%s: %s vs %s (not both float64)"
                         % (name, fmt(a), fmt(b)))
            continue
        if int_input:
            ok = (np.float64(a).view(np.uint64)
                  == np.float64(b).view(np.uint64))
            how = "bitwise"
        elif not (math.isfinite(a) and math.isfinite(b)):
            ok = same_scalar(a, b)
            how = "non-finite"
        else:
            tol = REL_TOL * max(abs(a), abs(b), scales[k], TINY)
            ok = abs(a - b) <= tol
            how = "tolerance %.3g" % tol
        if not ok:
            diffs.append("%s: %s vs %s (%s)" % (name, fmt(a), fmt(b), how))


def bit_diff(a, b):
    """Indices where two arrays differ (floats: bitwise, NaN == NaN)."""
    if a.dtype.kind == "f":
        na, nb = np.isnan(a), np.isnan(b)
        d = (na != nb) | (~na & (a.view(np.uint64) != b.view(np.uint64)))
    else:
        d = a != b
    return np.flatnonzero(d)


def compare_data(ref, others, diffs_by_file):
    """One pass over all files; returns the tolerance scales for sums."""
    usable = []
    for o in others:
        ok = True
        for name in ("square", "cube"):
            a, b = ref.f[name], o.f[name]
            if a.shape != b.shape:
                diffs_by_file[o.path].append(
                    "/%s: shape %s vs %s" % (name, a.shape, b.shape))
                ok = False
            elif (a.dtype.kind, a.dtype.itemsize) != (b.dtype.kind,
                                                      b.dtype.itemsize):
                diffs_by_file[o.path].append(
                    "/%s: dtype %s vs %s" % (name, a.dtype, b.dtype))
                ok = False
        if ok:
            usable.append(o)
    n = ref.f["square"].shape[0]
    native = {name: np.dtype("%s%d" % (ref.f[name].dtype.kind,
                                       ref.f[name].dtype.itemsize))
              for name in ("square", "cube")}
    counts = {(o.path, name): 0 for o in usable for name in ("square",
                                                             "cube")}
    shown = {(o.path, name): [] for o in usable for name in ("square",
                                                            "cube")}
    s_abs = [0.0, 0.0, 0.0]
    is_float = native["square"].kind == "f"
    for start in range(0, n, SLICE):
        stop = min(n, start + SLICE)
        rdata = {}
        for name in ("square", "cube"):
            rdata[name] = np.asarray(ref.f[name][start:stop]).astype(
                native[name], copy=False)
        if is_float:
            sq = rdata["square"]
            cu = rdata["cube"]
            fs = np.isfinite(sq)
            fc = np.isfinite(cu)
            s_abs[0] += math.fsum(np.sqrt(np.abs(sq[fs])).tolist())
            s_abs[1] += math.fsum(np.abs(sq[fs]).tolist())
            s_abs[2] += math.fsum(np.abs(cu[fc]).tolist())
        for o in usable:
            for name in ("square", "cube"):
                b = np.asarray(o.f[name][start:stop]).astype(
                    native[name], copy=False)
                a = rdata[name]
                idx = bit_diff(a, b)
                if idx.size:
                    key = (o.path, name)
                    counts[key] += int(idx.size)
                    room = MAX_SHOWN - len(shown[key])
                    for i in idx[:max(0, room)].tolist():
                        shown[key].append((start + i, a[i], b[i]))
    for (path, name), c in counts.items():
        if c:
            diffs_by_file[path].append(
                "/%s: %d element%s" % (name, c, " differs" if c == 1
                                       else "s differ"))
            for i, a, b in shown[(path, name)]:
                diffs_by_file[path].append(
                    "/%s[%d]: %s vs %s" % (name, i, fmt(as_py(a)),
                                           fmt(as_py(b))))
    return s_abs


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="compare_outputs.py",
        description="Check that sqcube output files from different run "
        "configurations (ranks, threads, schedule, chunk, summation) agree:"
        " /square and /cube bitwise, count/nonfinite_count/min/max and the "
        "exact-sum strings identical, float sums within 1e-12 relative.",
        epilog="Exit status: 0 all agree, 1 a difference, 2 bad usage.")
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="output files A B [C ...]; each is compared with A")
    args = ap.parse_args(argv)
    if len(args.files) < 2:
        ap.error("need at least two output files")
    for p in args.files:
        if not os.path.isfile(p):
            ap.error("%s: no such file" % p)

    outs = []
    problems = []
    try:
        for p in args.files:
            try:
                outs.append(Out(p))
            except (OSError, ValueError) as e:
                problems.append("%s: cannot open as HDF5: %s" % (p, e))
        for o in outs:
            problems.extend(validity_problems(o))
        if problems:
            for msg in problems:
                print("  - " + msg)
            print("compare_outputs: DIFFER (%d problem%s)"
                  % (len(problems), "" if len(problems) == 1 else "s"))
            return EXIT_DIFFER

        ref, others = outs[0], outs[1:]
        for o in outs:
            print("%s: %s" % (o.path, describe(o)))
        for o in others:
            for k in INPUT_ID:
                if ref.prov.get(k) != o.prov.get(k):
                    print("note: %s provenance %s %s differs from %s (%s)"
                          % (o.path, k, fmt(o.prov.get(k)), ref.path,
                             fmt(ref.prov.get(k))))
        diffs = {o.path: [] for o in others}
        for o in others:
            compare_attrs(ref, o, diffs[o.path])
        scales = compare_data(ref, others, diffs)
        for o in others:
            compare_sums(ref, o, scales, diffs[o.path])
        ndiff = 0
        for o in others:
            d = diffs[o.path]
            if d:
                print("%s vs %s: DIFFER" % (o.path, ref.path))
                for msg in d:
                    print("  - " + msg)
                ndiff += len(d)
            else:
                print("%s vs %s: agree" % (o.path, ref.path))
        if ndiff:
            print("compare_outputs: DIFFER (%d difference%s)"
                  % (ndiff, "" if ndiff == 1 else "s"))
            return EXIT_DIFFER
        print("compare_outputs: OK (%d files agree, N=%s, %s -> %s)"
              % (len(outs), ref.attrs.get("count"),
                 ref.attrs.get("input_type"), ref.attrs.get("output_type")))
        return EXIT_OK
    finally:
        for o in outs:
            o.close()


if __name__ == "__main__":
    sys.exit(main())
