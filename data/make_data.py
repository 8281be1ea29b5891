#!/usr/bin/python3
"""Create input data for sqcube.

  make_data.py sample OUT.h5                 the classic example x = [2,3,4,5]
  make_data.py large OUT.h5 [--n N] [--seed S]
                                             N float64 normal values (default
                                             10,000,000) plus NaN/Inf at fixed
                                             positions, written in slices
  make_data.py fixtures DIR                  the integration-test inputs

All output is deterministic: the same command writes the same values (and,
since object time stamps are switched off, the same bytes for a given
h5py/HDF5 version).  Exit status: 0 success, 1 failure, 2 bad usage.
"""

import argparse
import io
import math
import os
import sys

try:
    import numpy as np
    import h5py
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("make_data: numpy/h5py missing; run with "
                     "/usr/bin/python3\n")
    sys.exit(2)

SLICE = 1 << 20
CREATED_BY = "data/make_data.py"


def new_file(path):
    return h5py.File(path, "w", libver="earliest", track_order=False)


def put(f, name, data, dtype=None, **attrs):
    d = f.create_dataset(name, data=data, dtype=dtype, track_times=False)
    for k, v in attrs.items():
        d.attrs[k] = v
    return d


# --------------------------------------------------------------------------
# sample
# --------------------------------------------------------------------------
def make_sample(out):
    with new_file(out) as f:
        put(f, "x", np.array([2, 3, 4, 5], dtype=np.int64),
            description="classic sqcube example: squares 4 9 16 25, "
            "cubes 8 27 64 125",
            created_by=CREATED_BY + " sample")
    print("make_data: wrote %s (/x int64 [2, 3, 4, 5])" % out)


# --------------------------------------------------------------------------
# large
# --------------------------------------------------------------------------
def large_specials(n):
    """Fixed (index, value) pairs, as fractions of N so any N works."""
    wanted = [(n // 7, math.nan), (n // 5, math.inf), (n // 3, -math.inf),
              (n // 2, math.nan), ((2 * n) // 3, math.inf),
              (n - 1, -math.inf)]
    seen = {}
    for i, v in wanted:
        if 0 <= i < n and i not in seen:
            seen[i] = v
    return sorted(seen.items())


def make_large(out, n, seed):
    if n < 0:
        raise ValueError("--n must be >= 0")
    specials = large_specials(n)
    rng = np.random.default_rng(seed)
    with new_file(out) as f:
        d = f.create_dataset("x", shape=(n,), dtype=np.float64,
                             track_times=False)
        for start in range(0, n, SLICE):
            stop = min(n, start + SLICE)
            x = rng.standard_normal(stop - start)
            for i, v in specials:
                if start <= i < stop:
                    x[i - start] = v
            d[start:stop] = x
        d.attrs["description"] = (
            "float64 standard-normal values with NaN/+Inf/-Inf at the "
            "positions in special_indices")
        d.attrs["distribution"] = (
            "numpy.random.default_rng(seed).standard_normal, drawn in "
            "consecutive slices of %d elements" % SLICE)
        d.attrs["seed"] = np.int64(seed)
        d.attrs["n"] = np.int64(n)
        d.attrs["special_indices"] = np.array([i for i, _ in specials],
                                              dtype=np.int64)
        d.attrs["special_values"] = np.array(
            [repr(v) for _, v in specials], dtype=h5py.string_dtype())
        d.attrs["nonfinite_count"] = np.int64(len(specials))
        d.attrs["created_by"] = "%s large --n %d --seed %d" % (CREATED_BY,
                                                               n, seed)
    print("make_data: wrote %s (/x float64, N=%d, seed=%d, %d non-finite)"
          % (out, n, seed, len(specials)))


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------
FLOAT_SPECIALS = [
    math.nan, math.inf, -math.inf, -0.0, 0.0,
    5e-324, -5e-324,                  # smallest subnormals
    1e-310, 2.2250738585072014e-308,  # subnormal, smallest normal
    1e200, -1e200,                    # square and cube overflow to +/-inf
    -1e-300, 1e-300,                  # square underflows to 0, cube to -0/0
    1e-160, 1e-108,                   # square / cube become subnormal
    1.7976931348623157e308,           # DBL_MAX
    1.3407807929942596e154,           # ~sqrt(DBL_MAX): square near the top
    5.643803094122362e102,            # ~cbrt(DBL_MAX)
    1.0, -1.0, 2.0, -2.0, 0.5, 3.0, 0.1, -0.1, 1.0 / 3.0,
    float.fromhex("-0x1.fffffffffffffp+0"),   # cube rounding exercised
    float("-nan"),
]
INT_SPECIALS = [2097151, -2097152, 0, -1, 1, 2, -2, 2097150, -2097151,
                1048576, -1048576, 1000, -1000, 1291, -1291]


def spread_positions(n, count):
    """Distinct, well spread positions; the first two are 0 and n-1."""
    pos = [0, n - 1]
    k = 0
    while len(pos) < count:
        p = (13 + 97 * k) % n
        k += 1
        if p not in pos:
            pos.append(p)
    return pos


def fixture_floats_special(path):
    n = 1009
    rng = np.random.default_rng(1009)
    # ordinary values over many magnitudes, both signs
    x = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 7, n)
    for p, v in zip(spread_positions(n, len(FLOAT_SPECIALS)), FLOAT_SPECIALS):
        x[p] = v
    with new_file(path) as f:
        put(f, "x", x, description="float64 with NaN, +Inf, -Inf, -0.0, "
            "subnormals, 1e200 (cube overflows), -1e-300 and ordinary "
            "values; length 1009 (prime)")


def fixture_ints_edge(path):
    n = 1013
    rng = np.random.default_rng(1013)
    x = rng.integers(-2097152, 2097152, n, dtype=np.int64)
    x[1::3] = rng.integers(-100, 101, len(x[1::3]), dtype=np.int64)
    for p, v in zip(spread_positions(n, len(INT_SPECIALS)), INT_SPECIALS):
        x[p] = v
    with new_file(path) as f:
        put(f, "x", x, description="int64 within the int64-output range "
            "[-2097152, 2097151], with both ends, 0, -1, 1 and ordinary "
            "values; length 1013 (prime)")


def fixture_ints_overflow(path):
    x = (np.arange(1000, dtype=np.int64) % 201) - 100
    x[777] = 2097152
    with new_file(path) as f:
        put(f, "x", x, description="int64, small values except x[777] = "
            "2097152 whose cube overflows int64")


def fixture_multi(path):
    with new_file(path) as f:
        put(f, "a", np.linspace(0.0, 1.0, 10),
            description="first of two datasets: FILE alone is ambiguous")
        f.create_group("grp")
        put(f, "grp/b", np.arange(10, dtype=np.float64) * -1.5,
            description="second of two datasets")


def fixture_nested(path):
    with new_file(path) as f:
        f.create_group("grp/sub")
        put(f, "grp/sub/x", np.arange(-50, 50, dtype=np.int64),
            description="the only dataset, nested: FILE alone finds it")


def fixture_big_endian(path):
    rng = np.random.default_rng(500)
    x = rng.standard_normal(500) * 100.0
    x[0], x[1], x[499] = -0.0, 1e200, -3.0
    with new_file(path) as f:
        put(f, "x", x.astype(">f8"), dtype=">f8",
            description="big-endian float64 ('>f8'), length 500")


def fixture_unsupported(dirpath):
    with new_file(os.path.join(dirpath, "unsupported_int32.h5")) as f:
        put(f, "x", np.arange(10, dtype=np.int32),
            description="int32: unsupported type")
    with new_file(os.path.join(dirpath, "unsupported_2d.h5")) as f:
        put(f, "x", np.arange(30, dtype=np.float64).reshape(10, 3),
            description="2-D float64: unsupported rank")
    with new_file(os.path.join(dirpath, "unsupported_string.h5")) as f:
        put(f, "x", np.array([b"one", b"two", b"three"], dtype="S8"),
            description="fixed-length strings: unsupported type")
    with new_file(os.path.join(dirpath, "unsupported_scalar.h5")) as f:
        put(f, "x", np.float64(3.5), description="0-d float64: unsupported")
    with new_file(os.path.join(dirpath, "empty.h5")) as f:
        put(f, "x", np.zeros((0,), dtype=np.float64),
            description="1-D float64 with zero elements")


def fixture_broken(dirpath):
    with open(os.path.join(dirpath, "not_hdf5.h5"), "w") as t:
        t.write("This is a plain text file, not HDF5.\n2 3 4 5\n")
    buf = io.BytesIO()
    with h5py.File(buf, "w", libver="earliest") as f:
        f.create_dataset("x", data=np.arange(100000, dtype=np.float64),
                         track_times=False)
    with open(os.path.join(dirpath, "truncated.h5"), "wb") as t:
        t.write(buf.getvalue()[:1000])


def make_fixtures(dirpath):
    os.makedirs(dirpath, exist_ok=True)
    single = [("floats_special.h5", fixture_floats_special),
              ("ints_edge.h5", fixture_ints_edge),
              ("ints_overflow.h5", fixture_ints_overflow),
              ("multi.h5", fixture_multi),
              ("nested.h5", fixture_nested),
              ("big_endian.h5", fixture_big_endian)]
    for name, fn in single:
        fn(os.path.join(dirpath, name))
    fixture_unsupported(dirpath)
    fixture_broken(dirpath)
    names = sorted(os.listdir(dirpath))
    print("make_data: wrote fixtures in %s: %s"
          % (dirpath, " ".join(n for n in names if n.endswith(".h5"))))


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="make_data.py",
        description="Create sqcube input files (deterministic).",
        epilog="Exit status: 0 success, 1 failure, 2 bad usage.")
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("sample", help="x = [2, 3, 4, 5] as int64 /x")
    p.add_argument("out", metavar="OUT.h5")
    p = sub.add_parser("large", help="large float64 /x (normal + NaN/Inf)")
    p.add_argument("out", metavar="OUT.h5")
    p.add_argument("--n", type=int, default=10_000_000,
                   help="number of elements (default 10000000)")
    p.add_argument("--seed", type=int, default=0,
                   help="numpy default_rng seed (default 0)")
    p = sub.add_parser("fixtures", help="integration-test inputs into DIR")
    p.add_argument("dir", metavar="DIR")
    args = ap.parse_args(argv)
    if args.cmd == "large" and (args.n < 0 or args.seed < 0):
        ap.error("--n and --seed must be >= 0")
    try:
        if args.cmd == "sample":
            make_sample(args.out)
        elif args.cmd == "large":
            make_large(args.out, args.n, args.seed)
        else:
            make_fixtures(args.dir)
    except (OSError, ValueError) as e:
        sys.stderr.write("make_data.py: error: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
