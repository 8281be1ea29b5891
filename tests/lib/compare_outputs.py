#!/usr/bin/python3
"""Assert that sqcube outputs from different run configurations agree.

Every file is compared with the first one:
  * both must be complete format_version 1 files;
  * /square and /cube: same shape (any rank, 0-D scalars included) and
    dtype, identical bitwise element by element in row-major order (NaN
    positions equal; NaN payloads are not compared);
  * count, nonfinite_count: identical (same HDF5 type);
  * min, max: identical, same HDF5 type; float64 ones bitwise (so -0.0
    differs from +0.0), NaN equals NaN;
  * input_type, output_type, /provenance input_shape: identical;
  * sum_exact, sum_sq_exact, sum_cube_exact and the range:N closed forms
    sum_closed_form, sum_sq_closed_form, sum_cube_closed_form: identical
    strings when present (present in one file and not the other is a
    difference);
  * sum, sum_sq, sum_cube: float64 and bitwise identical (NaN equals NaN):
    for integer input they are the correctly rounded exact integer sums, for
    float input the correctly rounded exact sums of the float64 terms, so no
    decomposition into ranks, threads or chunks may change a bit.

The data are read in blocks of whole rows (bounded memory).  Exit status: 0 all agree,
1 any difference (or a file that is not a complete output), 2 bad usage.
"""

import argparse
import os
import sys

from sqresults import (MAX_SHOWN, as_py, attr_type, blocks, fmt,
                       h5py, np, same_scalar, shape_str, where)

EXIT_OK, EXIT_DIFFER, EXIT_USAGE = 0, 1, 2
SUMS = ("sum", "sum_sq", "sum_cube")
EXACT = ("sum_exact", "sum_sq_exact", "sum_cube_exact",
         "sum_closed_form", "sum_sq_closed_form", "sum_cube_closed_form")
INFO = ("ranks", "threads_per_rank", "schedule", "summation", "chunk",
        "nchunks")
INPUT_ID = ("input_kind", "generator", "input_file", "input_dataset")


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
        if not isinstance(d, h5py.Dataset):
            probs.append("%s: /%s missing or not a dataset" % (o.path, name))
    if not probs and o.f["square"].shape != o.f["cube"].shape:
        probs.append("%s: /square shape %s but /cube shape %s"
                     % (o.path, shape_str(o.f["square"].shape),
                        shape_str(o.f["cube"].shape)))
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
    a, b = ref.prov.get("input_shape"), o.prov.get("input_shape")
    if a != b:
        diffs.append("/provenance input_shape: %s vs %s"
                     % (fmt(a) if a is not None else "absent",
                        fmt(b) if b is not None else "absent"))


def compare_sums(ref, o, diffs):
    for name in SUMS:
        a, b = ref.attrs.get(name), o.attrs.get(name)
        if (not isinstance(a, float) or not isinstance(b, float)
                or ref.types.get(name) != "float64"
                or o.types.get(name) != "float64"):
            diffs.append("%s: %s vs %s (not both float64)"
                         % (name, fmt(a), fmt(b)))
            continue
        if not same_scalar(a, b):
            diffs.append("%s: %s vs %s (%s vs %s; must be bitwise "
                         "identical)" % (name, fmt(a), fmt(b), a.hex(),
                                         b.hex()))


def bit_diff(a, b):
    """Indices where two arrays differ (floats: bitwise, NaN == NaN)."""
    if a.dtype.kind == "f":
        na, nb = np.isnan(a), np.isnan(b)
        d = (na != nb) | (~na & (a.view(np.uint64) != b.view(np.uint64)))
    else:
        d = a != b
    return np.flatnonzero(d)


def compare_data(ref, others, diffs_by_file):
    """One pass over all files, block by block in row-major order."""
    usable = []
    for o in others:
        ok = True
        for name in ("square", "cube"):
            a, b = ref.f[name], o.f[name]
            if a.shape != b.shape:
                diffs_by_file[o.path].append(
                    "/%s: shape %s vs %s" % (name, shape_str(a.shape),
                                             shape_str(b.shape)))
                ok = False
            elif (a.dtype.kind, a.dtype.itemsize) != (b.dtype.kind,
                                                      b.dtype.itemsize):
                diffs_by_file[o.path].append(
                    "/%s: dtype %s vs %s" % (name, a.dtype, b.dtype))
                ok = False
        if ok:
            usable.append(o)
    shape = tuple(int(v) for v in ref.f["square"].shape)
    native = {name: np.dtype("%s%d" % (ref.f[name].dtype.kind,
                                       ref.f[name].dtype.itemsize))
              for name in ("square", "cube")}
    counts = {(o.path, name): 0 for o in usable for name in ("square",
                                                             "cube")}
    shown = {(o.path, name): [] for o in usable for name in ("square",
                                                            "cube")}
    if not usable:
        return
    for sel, start, _ in blocks(shape):
        rdata = {}
        for name in ("square", "cube"):
            rdata[name] = np.asarray(ref.f[name][sel]).reshape(-1).astype(
                native[name], copy=False)
        for o in usable:
            for name in ("square", "cube"):
                b = np.asarray(o.f[name][sel]).reshape(-1).astype(
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
                    "/%s%s: %s vs %s" % (name, where(i, shape),
                                         fmt(as_py(a)), fmt(as_py(b))))


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="compare_outputs.py",
        description="Check that sqcube output files from different run "
        "configurations (ranks, threads, schedule, chunk, summation) agree:"
        " /square and /cube bitwise (any shape), count/nonfinite_count, the "
        "exact-sum and closed-form strings identical, min/max and the float "
        "sums bitwise identical.",
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
        compare_data(ref, others, diffs)
        for o in others:
            compare_sums(ref, o, diffs[o.path])
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
