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


# --------------------------------------------------------------------------
# fixtures for the extended input types and shapes
# --------------------------------------------------------------------------
def mix64(count, stream):
    """`count` deterministic uint64 values: SplitMix64 outputs 1..count
    seeded with `stream` (pure integer arithmetic, so independent of
    numpy's random generators and of the platform)."""
    u64 = np.uint64
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = u64(stream) + i * u64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> u64(30))) * u64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> u64(27))) * u64(0x94D049BB133111EB)
        z = z ^ (z >> u64(31))
    return z


def mix_ints(count, lo, hi, stream):
    """Deterministic ints in [lo, hi] (as a Python-int list)."""
    span = hi - lo + 1
    return [lo + v % span for v in mix64(count, stream).tolist()]


def mix_uniform(count, lo, hi, stream):
    """Deterministic float64 values in [lo, hi)."""
    u = (mix64(count, stream) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return lo + (hi - lo) * u


TYPES_N = 1031                    # prime
CUBE_MIN, CUBE_MAX = -2097152, 2097151     # every cube fits int64
# name: (numpy dtype, low, high) of the values written; ends always included
INT_TYPE_FIXTURES = [
    ("int8", "<i1", -128, 127),
    ("int16", "<i2", -32768, 32767),
    ("int32", "<i4", CUBE_MIN, CUBE_MAX),
    ("uint8", "<u1", 0, 255),
    ("uint16", "<u2", 0, 65535),
    ("uint32", "<u4", 0, CUBE_MAX),
    ("uint64", "<u8", 0, CUBE_MAX),
    ("int64be", ">i8", CUBE_MIN, CUBE_MAX),
    ("int32be", ">i4", CUBE_MIN, CUBE_MAX),
    ("uint16be", ">u2", 0, 65535),
]
FLOAT32_SPECIALS = [
    math.nan, math.inf, -math.inf, -0.0, 0.0,
    1e-45,                        # smallest float32 subnormal (1.4e-45)
    -1e-45,
    1e-40,                        # another float32 subnormal
    1.1754943508222875e-38,       # smallest normal float32
    3.4028234663852886e38,        # float32 max (3.4028235e38)
    -3.4028234663852886e38,
    1.0, -1.0, 0.1, -0.1, 1.0 / 3.0, 16777217.0,   # the last rounds to 2**24
]
FLOAT64_BE_SPECIALS = [
    math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, -5e-324,
    1.7976931348623157e308, 1e200, -1e-300, 1.0, -1.0, 0.1,
]


def int_type_values(lo, hi, stream):
    """TYPES_N values in [lo, hi]: both ends, 0/1/-1 and neighbours, small
    values and a spread over the whole range, all deterministic."""
    specials = [lo, hi, 0, 1, lo + 1, hi - 1, 2, hi // 2]
    if lo < 0:
        specials += [-1, -2, lo // 2]
    vals = mix_ints(TYPES_N, lo, hi, stream)
    small = mix_ints(TYPES_N, max(lo, -100), min(hi, 100), stream + 1)
    vals[1::3] = small[1::3]
    for p, v in zip(spread_positions(TYPES_N, len(specials)), specials):
        vals[p] = v
    return vals


def fixture_types(dirpath):
    written = []
    for k, (name, dt, lo, hi) in enumerate(INT_TYPE_FIXTURES):
        vals = int_type_values(lo, hi, 1000 + 10 * k)
        path = os.path.join(dirpath, "types_%s.h5" % name)
        with new_file(path) as f:
            put(f, "x", np.array(vals, dtype=dt), dtype=dt,
                description="%s (%s), length %d: values in [%d, %d] with "
                "both ends, 0 and small values; computed as int64"
                % (name, np.dtype(dt).str, TYPES_N, lo, hi))
        written.append(path)
    for name, dt, specials, stream in (
            ("float32", "<f4", FLOAT32_SPECIALS, 2000),
            ("float32be", ">f4", FLOAT32_SPECIALS, 2010),
            ("float64be", ">f8", FLOAT64_BE_SPECIALS, 2020)):
        mag = mix_ints(TYPES_N, -6, 6, stream + 1)
        x = mix_uniform(TYPES_N, -1.0, 1.0, stream) * 10.0 ** np.array(mag)
        for p, v in zip(spread_positions(TYPES_N, len(specials)), specials):
            x[p] = v
        path = os.path.join(dirpath, "types_%s.h5" % name)
        with new_file(path) as f:
            put(f, "x", x.astype(dt), dtype=dt,
                description="%s (%s), length %d: ordinary values from 1e-6 "
                "to 1e6 of both signs, NaN, +Inf, -Inf, -0.0, subnormals and "
                "the type's largest value; computed as float64"
                % (name, np.dtype(dt).str, TYPES_N))
        written.append(path)
    return written


def fixture_uint64_big(path):
    x = np.array(mix_ints(100, 0, 1000, 3000), dtype=np.uint64)
    x[42] = np.uint64(2 ** 63 + 5)
    with new_file(path) as f:
        put(f, "x", x, dtype="<u8",
            description="uint64, length 100, values <= 1000 except x[42] = "
            "2**63 + 5 (above int64; 2**63 as float64): refused as int64, "
            "computed as float64 with --output-type float64")


def fixture_shapes(dirpath):
    with new_file(os.path.join(dirpath, "shape_scalar.h5")) as f:
        put(f, "x", np.float64(2.5), description="0-D (scalar) float64 2.5")
    x = mix_uniform(7 * 13, -10.0, 10.0, 4000).reshape(7, 13)
    x[3, 5] = math.nan
    with new_file(os.path.join(dirpath, "shape_2d.h5")) as f:
        put(f, "x", x, description="float64 shape (7, 13), values in "
            "[-10, 10), x[3, 5] = NaN")
    x = np.array(mix_ints(30, CUBE_MIN, CUBE_MAX, 4010),
                 dtype=np.int32).reshape(2, 3, 5)
    x[0, 0, 0], x[1, 2, 4], x[0, 1, 2], x[1, 0, 3] = CUBE_MIN, CUBE_MAX, 0, -7
    with new_file(os.path.join(dirpath, "shape_3d.h5")) as f:
        put(f, "x", x, description="int32 shape (2, 3, 5), values in "
            "[-2097152, 2097151] with both ends (first and last element)")
    x = (np.arange(24, dtype=np.float64) - 11.5) * 0.75
    x = x.reshape(2, 1, 3, 4)
    x[1, 0, 2, 3] = -0.0
    with new_file(os.path.join(dirpath, "shape_4d.h5")) as f:
        put(f, "x", x, description="float64 shape (2, 1, 3, 4): "
            "(i - 11.5) * 0.75 in row-major order, last element -0.0")
    with new_file(os.path.join(dirpath, "shape_zero.h5")) as f:
        put(f, "x", np.zeros((3, 0, 2), dtype=np.float64),
            description="float64 shape (3, 0, 2): zero elements")
    x = (np.array(mix_ints(2 * 777, -5000, 5000, 4020),
                  dtype=np.int64)).reshape(2, 777)
    x[0, 0], x[1, 776] = CUBE_MIN, CUBE_MAX
    with new_file(os.path.join(dirpath, "shape_fewrows.h5")) as f:
        put(f, "x", x, description="int64 shape (2, 777): fewer rows than "
            "ranks; x[0, 0] = -2097152, x[1, 776] = 2097151")


CANCEL_PATTERN = [1e308, 1.0, -1e308, 3.0, 1e-300, -1e-300, 2.0 ** -1074]


def fixture_cancel(path):
    x = np.tile(np.array(CANCEL_PATTERN, dtype=np.float64), 37)
    with new_file(path) as f:
        put(f, "x", x, description="float64, length 259: [1e308, 1.0, "
            "-1e308, 3.0, 1e-300, -1e-300, 2**-1074] repeated 37 times; "
            "the exact sum is 148 + 37 * 2**-1074, correctly rounded 148.0 "
            "(sum_sq is +Inf, sum_cube NaN)")


def fixture_cancel_overflow(path):
    big = 5.6e102                 # cube 1.756e308: finite, two overflow
    base = [big, big, -big, -big, 1.5, -2.0 ** -30, 1e-100, 3.0]
    x = np.tile(np.array(base, dtype=np.float64), 25)
    with new_file(path) as f:
        put(f, "x", x, description="float64, length 200: [5.6e102, 5.6e102,"
            " -5.6e102, -5.6e102, 1.5, -2**-30, 1e-100, 3.0] repeated 25 "
            "times: the cubes are finite but two of them overflow when "
            "added in order; the exact sums of x, squares and cubes are "
            "finite and small")


def fixture_zeros(dirpath):
    with new_file(os.path.join(dirpath, "zeros.h5")) as f:
        put(f, "x", np.array([0.0, -0.0, 0.0, -0.0, 5.0, -0.0]),
            description="float64 [0, -0, 0, -0, 5, -0]: min -0.0, max 5.0")
    with new_file(os.path.join(dirpath, "zeros_only.h5")) as f:
        put(f, "x", np.array([0.0, -0.0, 0.0]),
            description="float64 [0, -0, 0]: min -0.0, max +0.0")


def fixture_chunked(path):
    # A chunked, gzip-compressed input: reading it walks the chunk index (metadata) inside every
    # read, which must work with collective and with free-running independent transfers.
    x = np.linspace(-3.0, 3.0, 200000)
    with new_file(path) as f:
        d = f.create_dataset("x", data=x, chunks=(1000,), compression="gzip", track_times=False)
        d.attrs["description"] = ("float64 linspace(-3, 3, 200000), chunks of 1000, gzip: "
                                  "a filtered, chunked input")


def fixture_netcdf(dirpath):
    """netCDF-4 inputs written by netCDF-C itself (python3-netcdf4), as users' files are.

    t2m.nc: t2m(time, lat, lon) float32 in K with CF coordinates (time unlimited, days since
    2000-01-01; lat, lon in degrees), CF attributes and a global history; values
    250 + i/7 over the row-major index i.  ens.nc: counts(member, x) int16, where member is a
    dimension without a coordinate variable and x has one.
    """
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Debian's netCDF4 warns about numpy's ABI on import
        import netCDF4
    with netCDF4.Dataset(os.path.join(dirpath, "t2m.nc"), "w", format="NETCDF4") as f:
        f.Conventions = "CF-1.8"
        f.title = "sqcube test input: 2 m temperature on a small grid"
        f.history = "Sat Jan 01 00:00:00 2000: data/make_data.py fixtures"
        f.createDimension("time", None)
        f.createDimension("lat", 5)
        f.createDimension("lon", 8)
        t = f.createVariable("time", "f8", ("time",))
        t.units = "days since 2000-01-01"
        t.calendar = "standard"
        t.standard_name = "time"
        t.axis = "T"
        t[:] = np.array([0.0, 1.0, 2.0, 3.0])
        la = f.createVariable("lat", "f4", ("lat",))
        la.units = "degrees_north"
        la.standard_name = "latitude"
        la.axis = "Y"
        la[:] = np.linspace(-60.0, 60.0, 5)
        lo = f.createVariable("lon", "f4", ("lon",))
        lo.units = "degrees_east"
        lo.standard_name = "longitude"
        lo.axis = "X"
        lo[:] = np.arange(8) * 45.0
        v = f.createVariable("t2m", "f4", ("time", "lat", "lon"))
        v.units = "K"
        v.long_name = "2 metre temperature"
        v.standard_name = "air_temperature"
        v.cell_methods = "time: mean"
        v.valid_range = np.array([150.0, 350.0], dtype=np.float32)
        v.comment = "synthetic: 250 + i/7 over the row-major index i"
        v[:] = (250.0 + np.arange(160) / 7.0).astype(np.float32).reshape(4, 5, 8)
    with netCDF4.Dataset(os.path.join(dirpath, "ens.nc"), "w", format="NETCDF4") as f:
        f.createDimension("member", 3)
        f.createDimension("x", 6)
        x = f.createVariable("x", "i4", ("x",))
        x.units = "m"
        x[:] = np.arange(6) * 100
        c = f.createVariable("counts", "i2", ("member", "x"))
        c.units = "m s-1"
        c.source = "sqcube test input"
        c[:] = (np.arange(18, dtype=np.int16) - 9).reshape(3, 6)


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
    # extended input types and shapes
    fixture_types(dirpath)
    fixture_uint64_big(os.path.join(dirpath, "uint64_big.h5"))
    fixture_shapes(dirpath)
    fixture_cancel(os.path.join(dirpath, "cancel.h5"))
    fixture_chunked(os.path.join(dirpath, "chunked_gzip.h5"))
    fixture_cancel_overflow(os.path.join(dirpath, "cancel_overflow.h5"))
    fixture_zeros(dirpath)
    fixture_netcdf(dirpath)
    names = sorted(os.listdir(dirpath))
    print("make_data: wrote fixtures in %s: %s"
          % (dirpath, " ".join(n for n in names if n.endswith((".h5", ".nc")))))


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
