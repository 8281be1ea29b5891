#!/usr/bin/python3
"""Independently verify one sqcube output file (format_version 1).

The input values x are regenerated from the provenance `generator` string
(range / uniform) or read from the provenance input file and dataset (or
from the --input override), and every element, every reduction and the file
structure are checked against the format specification, never against
sqcube's own code.  The file is processed in slices, so memory stays bounded
for large files.

Inputs may be any HDF5 integer type (computed as int64; a uint64 input with
float64 output is computed as float64) or float32/float64 (computed as
float64), of any rank (0-D scalar up to N-D, zero-size dimensions allowed);
elements are compared in row-major order.  Float sums must be the correctly
rounded exact sums of their float64 terms, bit for bit.

Exit status: 0 all checks pass, 1 a mismatch (or an output/input file that
cannot be verified), 2 bad usage (bad arguments, OUTPUT or --input file not
found, --input dataset ambiguous).
"""

import argparse
import datetime
import math
import os
import re
import sys

from sqresults import (MAX_SHOWN, attr_kind, blocks, fmt, np,
                       h5py, prod, same_bits, shape_str, where)

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2

PROG = "check_output"
PHASES = ("read", "compute", "reduce", "write", "total")

# int64 output: every x^3 must fit in int64.
I64_OUT_MIN, I64_OUT_MAX = -2097152, 2097151
# Largest |x| whose square fits in int64 (3037000499**2 < 2**63 - 1).
SQ_FIT = 3037000499

ROOT_INT_ATTRS = ("format_version", "complete", "count", "nonfinite_count")
ROOT_FLOAT_ATTRS = ("sum", "sum_sq", "sum_cube")
ROOT_STR_ATTRS = ("input_type", "output_type")
EXACT_ATTRS = ("sum_exact", "sum_sq_exact", "sum_cube_exact")
CLOSED_ATTRS = ("sum_closed_form", "sum_sq_closed_form",
                "sum_cube_closed_form")
INT64_MAX = 2 ** 63 - 1

PROV_STR = ("sqcube_version", "git_commit", "compiler", "c_flags",
            "build_type", "mpi_library", "mpi_thread_level", "hdf5_version",
            "command_line", "schedule", "summation", "input_kind",
            "input_file", "input_dataset", "input_datatype", "generator",
            "hosts", "start_time_utc", "end_time_utc",
            "output_type_requested", "input_shape")
# Strings that may legitimately be empty (no git, no extra flags, ...).
PROV_STR_MAY_BE_EMPTY = ("git_commit", "c_flags", "build_type", "input_file",
                         "input_dataset", "generator")
PROV_INT = ("ranks", "threads_per_rank", "chunk", "nchunks", "input_count")

ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class UsageError(Exception):
    """Bad command line (exit 2)."""


class Fatal(Exception):
    """A problem that makes the remaining checks meaningless (exit 1)."""


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------
class Report:
    def __init__(self):
        self.problems = 0
        self._group = None
        self._group_problems = []

    def begin(self, group):
        self._group = group
        self._group_problems = []

    def fail(self, msg):
        self._group_problems.append(msg)
        self.problems += 1

    def end(self, summary):
        if self._group_problems:
            print("%s: FAILED (%d problem%s)" % (
                self._group, len(self._group_problems),
                "" if len(self._group_problems) == 1 else "s"))
            for msg in self._group_problems:
                print("  - " + msg)
        else:
            print("%s: ok (%s)" % (self._group, summary))
        sys.stdout.flush()
        return not self._group_problems


# --------------------------------------------------------------------------
# HDF5 attribute helpers
# --------------------------------------------------------------------------
def get_attr(rep, obj, where, name, want, scalar=True):
    """Fetch attribute `name`, checking its HDF5 type; None if unusable."""
    if name not in obj.attrs:
        rep.fail("%s attribute '%s' is missing" % (where, name))
        return None
    kind, shape = attr_kind(obj, name)
    if kind != want:
        rep.fail("%s attribute '%s' has type %s, expected %s"
                 % (where, name, kind, want))
        return None
    if scalar and shape != ():
        rep.fail("%s attribute '%s' has shape %s, expected scalar"
                 % (where, name, shape))
        return None
    val = obj.attrs[name]
    if want == "int64":
        return int(val)
    if want == "float64":
        return float(val)
    if want == "vlen-utf8":
        if isinstance(val, bytes):
            val = val.decode("utf-8")
        return val
    return val


# --------------------------------------------------------------------------
# Input sources
# --------------------------------------------------------------------------
def parse_int(text):
    try:
        return int(text, 10)
    except ValueError:
        return int(text, 0)


def parse_float(text):
    try:
        return float(text)
    except ValueError:
        return float.fromhex(text)


def parse_generator(spec):
    """Parse 'range:N' or 'uniform:N[:seed=S][:low=A][:high=B]'."""
    parts = spec.split(":")
    kind = parts[0]
    if kind not in ("range", "uniform") or len(parts) < 2:
        raise ValueError("unknown generator '%s'" % spec)
    n = parse_int(parts[1])
    if n < 0:
        raise ValueError("negative N in generator '%s'" % spec)
    if kind == "range":
        if len(parts) != 2:
            raise ValueError("range takes no options: '%s'" % spec)
        if n > 2 ** 63 - 1:
            raise ValueError("range N too large: '%s'" % spec)
        return {"kind": "range", "n": n}
    opts = {"seed": 0, "low": 0.0, "high": 1.0}
    seen = set()
    for p in parts[2:]:
        if "=" not in p:
            raise ValueError("bad option '%s' in '%s'" % (p, spec))
        key, val = p.split("=", 1)
        if key not in opts or key in seen:
            raise ValueError("bad option '%s' in '%s'" % (p, spec))
        seen.add(key)
        if key == "seed":
            opts["seed"] = parse_int(val) % (1 << 64)
        else:
            opts[key] = parse_float(val)
    return {"kind": "uniform", "n": n, "seed": opts["seed"],
            "low": opts["low"], "high": opts["high"]}


def splitmix64(seed, start, stop):
    """SplitMix64 outputs number start+1 .. stop (1-based) as uint64."""
    u64 = np.uint64
    with np.errstate(over="ignore"):
        i = np.arange(start + 1, stop + 1, dtype=np.uint64)
        z = u64(seed) + i * u64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> u64(30))) * u64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> u64(27))) * u64(0x94D049BB133111EB)
        z = z ^ (z >> u64(31))
    return z


class GeneratorSource:
    def __init__(self, spec):
        self.spec = spec
        self.g = parse_generator(spec)
        self.n = self.g["n"]
        self.shape = (self.n,)
        self.input_type = "int64" if self.g["kind"] == "range" else "float64"
        self.description = "generator %s" % spec

    def expected_input_type(self, out_t):
        return self.input_type

    def read(self, sel, start, stop):
        """Elements start .. stop-1 (flat row-major indices) as a 1-D array;
        `sel` is the HDF5 selection of the same block (unused here)."""
        if self.g["kind"] == "range":
            return np.arange(start + 1, stop + 1, dtype=np.int64)
        z = splitmix64(self.g["seed"], start, stop)
        u = (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
        low = np.float64(self.g["low"])
        high = np.float64(self.g["high"])
        span = high - low                              # high - low first,
        with np.errstate(over="ignore", invalid="ignore"):
            x = low + span * u                         # then *u, then +low
        # a value that rounded up to high becomes the largest double below high
        return np.where(x < high, x, np.nextafter(high, low))

    def close(self):
        pass


def _numpy_u64_to_float_is_correctly_rounded():
    tricky = [2 ** 63 + 5, 2 ** 64 - 1, 2 ** 63 + 1024, 2 ** 63 + 1025,
              2 ** 63 + 3072, 2 ** 63 + 3071, 2 ** 53 + 1, 2 ** 53 + 3,
              2 ** 64 - 1025, 2 ** 64 - 1024, 2 ** 64 - 1023, 0, 1]
    arr = np.array(tricky, dtype=np.uint64).astype(np.float64)
    return all(float(a) == float(t) for a, t in zip(arr.tolist(), tricky))


NUMPY_U2F_OK = _numpy_u64_to_float_is_correctly_rounded()


class FileSource:
    """An HDF5 input dataset of any integer type or float32/float64, any
    rank, either byte order.  read() returns a block converted the way
    sqcube computes it: integers to int64 exactly (uint64 values above the
    int64 range are recorded in `too_big` and replaced by INT64_MAX, which
    is outside every valid int64-output range), floats to float64 exactly,
    and uint64 computed as float64 rounded to nearest."""

    def __init__(self, path, dataset):
        self.path = path
        self.dataset = dataset
        try:
            self.f = h5py.File(path, "r")
        except (OSError, ValueError) as e:
            raise Fatal("cannot open input file %s: %s" % (path, e))
        if dataset not in self.f or not isinstance(self.f[dataset],
                                                   h5py.Dataset):
            self.f.close()
            raise Fatal("input file %s has no dataset %s" % (path, dataset))
        self.d = self.f[dataset]
        dt = self.d.dtype
        self.stored = dt
        self.is_u64 = dt.kind == "u" and dt.itemsize == 8
        if dt.kind in "iu" and dt.itemsize in (1, 2, 4, 8):
            self.input_type = "int64"
        elif dt.kind == "f" and dt.itemsize in (4, 8):
            self.input_type = "float64"
        else:
            self.f.close()
            raise Fatal("input dataset %s:%s has unsupported type %s"
                        % (path, dataset, dt))
        self.shape = tuple(int(v) for v in self.d.shape)
        self.n = prod(self.shape)
        self.too_big = []           # (flat index, value) of uint64 > int64
        self.description = "file %s:%s (%s%s, shape %s)" % (
            path, dataset, dt.str, "" if dt.itemsize == 1 else
            (" big-endian" if dt.byteorder == ">" or (
                dt.byteorder == "=" and sys.byteorder == "big")
             else " little-endian"), shape_str(self.shape))

    def expected_input_type(self, out_t):
        """uint64 is computed as float64 when the output is float64."""
        if self.is_u64 and out_t == "float64":
            return "float64"
        return self.input_type

    def use(self, input_type):
        """Convert as input_type (the type the output says x is computed
        in; only uint64 has a choice)."""
        self.input_type = input_type
        self.description += ", as %s" % input_type

    def read(self, sel, start, stop):
        raw = np.asarray(self.d[sel]).reshape(-1)
        if raw.shape[0] != stop - start:
            raise Fatal("input block %d..%d read %d elements (checker bug?)"
                        % (start, stop, raw.shape[0]))
        if self.input_type == "float64":
            if self.is_u64:
                u = raw.astype(np.uint64, copy=False)
                if NUMPY_U2F_OK:
                    return u.astype(np.float64)
                return np.array([float(v) for v in u.tolist()],
                                dtype=np.float64)
            return raw.astype(np.float64)          # float32 -> exact
        if self.is_u64:
            u = raw.astype(np.uint64, copy=False)
            big = u > np.uint64(INT64_MAX)
            if big.any():
                idx = np.flatnonzero(big)
                self.too_big.extend((start + int(i), int(u[i]))
                                    for i in idx.tolist())
                u = np.where(big, np.uint64(INT64_MAX), u)
            return u.astype(np.int64)
        return raw.astype(np.int64)

    def close(self):
        self.f.close()


def list_datasets(f):
    names = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            names.append("/" + name)
    f.visititems(visit)
    return names


def split_input_arg(arg):
    """Split FILE[:/DATASET]; a whole existing path wins over a split."""
    if os.path.isfile(arg):
        return arg, None
    pos = arg.find(":/")
    while pos >= 0:
        if os.path.isfile(arg[:pos]):
            return arg[:pos], arg[pos + 1:]
        pos = arg.find(":/", pos + 1)
    raise UsageError("--input %s: no such file" % arg)


def resolve_override(arg, prov_dataset):
    path, dataset = split_input_arg(arg)
    if dataset is not None:
        return path, dataset
    try:
        with h5py.File(path, "r") as f:
            names = list_datasets(f)
    except (OSError, ValueError) as e:
        raise UsageError("--input %s: cannot open: %s" % (path, e))
    if prov_dataset and prov_dataset in names:
        return path, prov_dataset
    if len(names) == 1:
        return path, names[0]
    raise UsageError("--input %s: %d datasets (%s); give FILE:/DATASET"
                     % (path, len(names), ", ".join(names[:5])))


# --------------------------------------------------------------------------
# Exact arithmetic helpers
# --------------------------------------------------------------------------
def _numpy_int_to_float_is_exactly_rounded():
    tricky = [2 ** 53 + 1, 2 ** 53 + 3, -(2 ** 53 + 1), 2 ** 62 + 2 ** 9,
              2 ** 62 + 2 ** 9 + 1, 2 ** 63 - 1, -(2 ** 63), 3037000499 ** 2,
              2097151 ** 3, -(2097151 ** 3), 2 ** 54 + 2, 2 ** 54 + 6]
    arr = np.array(tricky, dtype=np.int64).astype(np.float64)
    return all(float(a) == float(t) for a, t in zip(arr.tolist(), tricky))


NUMPY_I2F_OK = _numpy_int_to_float_is_exactly_rounded()


def exact_sum_i64(v):
    """Exact Python-int sum of an int64 array (len <= 2**30)."""
    if v.size == 0:
        return 0
    lo = v & np.int64(0xFFFFFFFF)          # 0 <= lo < 2**32
    hi = v >> np.int64(32)                 # -2**31 <= hi < 2**31
    return ((int(hi.sum(dtype=np.int64)) << 32)
            + int(lo.sum(dtype=np.int64)))


def int_powers(x):
    """Exact x^2 and x^3 pieces for an int64 array.

    Returns (m2, sq_fast, sq_slow, m3, cu_fast, cu_slow): sq_fast is an int64
    array holding x^2 where m2 (x^2 fits int64), sq_slow the Python ints of
    the rest; likewise for cubes with m3.
    """
    m2 = (x >= -SQ_FIT) & (x <= SQ_FIT)
    m3 = (x >= I64_OUT_MIN) & (x <= I64_OUT_MAX)
    x2 = x[m2]
    sq_fast = x2 * x2
    sq_slow = [v * v for v in x[~m2].tolist()]
    x3 = x[m3]
    cu_fast = x3 * x3 * x3
    cu_slow = [v * v * v for v in x[~m3].tolist()]
    return m2, sq_fast, sq_slow, m3, cu_fast, cu_slow


def to_float_once(mask, fast, slow):
    """Correctly rounded float64 of exact integers (fast int64 + slow ints)."""
    out = np.empty(mask.shape[0], dtype=np.float64)
    if NUMPY_I2F_OK:
        out[mask] = fast.astype(np.float64)
    else:
        out[mask] = [float(v) for v in fast.tolist()]
    out[~mask] = [float(v) for v in slow]
    return out


# Every finite double is an integer multiple of 2**-1074; sums are kept as
# exact integers in units of 2**UNIT_EXP (a little finer, so every shift
# below is a left shift).
UNIT_EXP = -1074 - 53
_MANT_SCALE = float(2 ** 53)
_LO_BITS = 26


def round_to_double(total, exp=UNIT_EXP):
    """total * 2**exp rounded once to float64, to nearest, ties to even,
    with gradual underflow; +/-inf when the rounded value overflows."""
    if total == 0:
        return 0.0
    neg = total < 0
    a = -total if neg else total
    ulp = max(a.bit_length() + exp - 53, -1074)  # exponent of the result ulp
    shift = ulp - exp
    if shift > 0:
        q = a >> shift
        r = a - (q << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
    else:
        q = a << -shift
    if q.bit_length() + ulp > 1024:           # >= 2**1024 after rounding
        v = math.inf
    else:
        v = math.ldexp(float(q), ulp)         # q <= 2**53: exact
    return -v if neg else v


class ExactFloatSum:
    """IEEE-aware sum of float64 terms, exact then correctly rounded once.

    NaN (or both infinities) gives NaN, else an infinity gives that
    infinity, else the exact sum of the finite terms rounded to nearest
    (which may overflow to +/-inf).  Finite terms are split into integer
    mantissa and exponent, bucketed by exponent with numpy (int64 sums of
    26-bit halves cannot overflow for blocks of < 2**36 terms), and the
    buckets are added into one Python integer: exact, fast, and memory
    bounded by the block.
    """

    def __init__(self):
        self.total = 0
        self.nan = self.pinf = self.ninf = False

    def add(self, arr):
        arr = np.asarray(arr, dtype=np.float64).reshape(-1)
        fin = np.isfinite(arr)
        if not fin.all():
            bad = arr[~fin]
            self.nan |= bool(np.isnan(bad).any())
            self.pinf |= bool((bad == np.inf).any())
            self.ninf |= bool((bad == -np.inf).any())
            arr = arr[fin]
        arr = arr[arr != 0]
        if arr.size == 0:
            return
        m, e = np.frexp(arr)                  # arr = m * 2**e, |m| in [.5, 1)
        mant = (m * _MANT_SCALE).astype(np.int64)   # exact, |mant| < 2**53
        shift = e.astype(np.int64) + (-53 - UNIT_EXP)   # >= 1 (subnormals)
        order = np.argsort(shift, kind="stable")
        shift = shift[order]
        mant = mant[order]
        starts = np.flatnonzero(np.concatenate(
            ([True], shift[1:] != shift[:-1])))
        hi = np.add.reduceat(mant >> _LO_BITS, starts)
        lo = np.add.reduceat(mant & ((1 << _LO_BITS) - 1), starts)
        total = 0
        for h, l_, sh in zip(hi.tolist(), lo.tolist(),
                             shift[starts].tolist()):
            total += ((h << _LO_BITS) + l_) << sh
        self.total += total

    def expected(self):
        """The required value; 0.0 stands for an exact zero (either sign
        accepted)."""
        if self.nan or (self.pinf and self.ninf):
            return math.nan
        if self.pinf:
            return math.inf
        if self.ninf:
            return -math.inf
        return round_to_double(self.total)

    def exact_zero(self):
        return not (self.nan or self.pinf or self.ninf) and self.total == 0


def zero_aware_min(num):
    """min of non-NaN float64 values with -0.0 < +0.0."""
    v = float(num.min())
    if v == 0.0:
        zeros = num[num == 0]
        return -0.0 if bool(np.signbit(zeros).any()) else 0.0
    return v


def zero_aware_max(num):
    """max of non-NaN float64 values with -0.0 < +0.0."""
    v = float(num.max())
    if v == 0.0:
        zeros = num[num == 0]
        return 0.0 if bool((~np.signbit(zeros)).any()) else -0.0
    return v


def f_less(a, b):
    """a < b in the order that puts -0.0 below +0.0 (no NaN)."""
    if a == b == 0.0:
        return math.copysign(1.0, a) < math.copysign(1.0, b)
    return a < b


class Mismatches:
    def __init__(self, name, shape=None):
        self.name = name
        self.shape = shape
        self.count = 0
        self.shown = []

    def add(self, idx, expected, actual, offset):
        self.count += int(idx.size)
        for k in idx[: max(0, MAX_SHOWN - len(self.shown))].tolist():
            self.shown.append((offset + k, expected[k], actual[k]))

    def where(self, i):
        return where(i, self.shape)

    def report(self, rep, note=""):
        if not self.count:
            return
        rep.fail("/%s: %d element%s%s" % (
            self.name, self.count,
            " differs" if self.count == 1 else "s differ", note))
        for i, e, a in self.shown:
            rep.fail("/%s%s: expected %s, actual %s"
                     % (self.name, self.where(i), fmt(e), fmt(a)))


def float_mismatch(expected, actual):
    """Indices where float arrays differ bitwise (NaN vs NaN is equal)."""
    ne = np.isnan(expected)
    na = np.isnan(actual)
    diff = (ne != na) | (~ne & (expected.view(np.uint64)
                                != actual.view(np.uint64)))
    return np.flatnonzero(diff)


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------
def check_structure(rep, f):
    rep.begin("structure")
    a = {}
    for name in ROOT_INT_ATTRS:
        if name == "complete" and name not in f.attrs:
            rep.fail("no 'complete' attribute: this is a partial, invalid "
                     "file")
            a[name] = None
            continue
        a[name] = get_attr(rep, f, "root", name, "int64")
    for name in ROOT_FLOAT_ATTRS:
        a[name] = get_attr(rep, f, "root", name, "float64")
    for name in ROOT_STR_ATTRS:
        a[name] = get_attr(rep, f, "root", name, "vlen-utf8")
    if a["complete"] is not None and a["complete"] != 1:
        rep.fail("complete = %d, expected 1" % a["complete"])
    if a["format_version"] is not None and a["format_version"] != 1:
        rep.fail("format_version = %d, expected 1" % a["format_version"])
    in_t, out_t = a["input_type"], a["output_type"]
    if in_t is not None and in_t not in ("int64", "float64"):
        rep.fail("input_type = %r, expected 'int64' or 'float64'" % in_t)
        in_t = None
    if out_t is not None and out_t not in ("int64", "float64"):
        rep.fail("output_type = %r, expected 'int64' or 'float64'" % out_t)
        out_t = None
    if in_t == "float64" and out_t == "int64":
        rep.fail("output_type int64 is impossible for float64 input")
    # min / max types depend on input type and count.
    for name in ("min", "max"):
        if name not in f.attrs:
            rep.fail("root attribute '%s' is missing" % name)
            a[name] = None
            continue
        kind, shape = attr_kind(f, name)
        if shape != ():
            rep.fail("root attribute '%s' has shape %s, expected scalar"
                     % (name, shape))
            a[name] = None
            continue
        if kind not in ("int64", "float64"):
            rep.fail("root attribute '%s' has type %s" % (name, kind))
            a[name] = None
            continue
        a[name] = (kind, f.attrs[name])
    # exact strings present iff int64 input
    for name in EXACT_ATTRS:
        if in_t == "int64":
            a[name] = get_attr(rep, f, "root", name, "vlen-utf8")
        elif name in f.attrs:
            rep.fail("root attribute '%s' present but input_type is %s"
                     % (name, in_t))
    a["input_type"], a["output_type"] = in_t, out_t
    # range:N closed forms: strings, present iff the input is range:N
    # (read from /provenance here; their values are checked with the sums)
    range_n = provenance_range_n(f)
    for name in CLOSED_ATTRS:
        a[name] = None
        if range_n is not None:
            a[name] = get_attr(rep, f, "root", name, "vlen-utf8")
        elif name in f.attrs:
            rep.fail("root attribute '%s' present but the input is not "
                     "generated by range:N" % name)
    # datasets: same shape (any rank, scalar included), count elements
    n = a["count"]
    shapes = {}
    for name in ("square", "cube"):
        if name not in f or not isinstance(f[name], h5py.Dataset):
            rep.fail("dataset /%s is missing" % name)
            continue
        d = f[name]
        shapes[name] = tuple(int(v) for v in d.shape)
        if n is not None and prod(d.shape) != n:
            rep.fail("/%s has shape %s (%d elements), count is %d"
                     % (name, shape_str(d.shape), prod(d.shape), n))
        dt = d.dtype
        got = ("int64" if dt.kind == "i" and dt.itemsize == 8 else
               "float64" if dt.kind == "f" and dt.itemsize == 8 else str(dt))
        if out_t is not None and got != out_t:
            rep.fail("/%s has dtype %s, output_type is %s"
                     % (name, dt, out_t))
        elif dt.itemsize > 1 and dt.byteorder not in ("<", "=", "|"):
            rep.fail("/%s has dtype %s, expected little-endian"
                     % (name, dt.str))
        elif dt.byteorder == "=" and sys.byteorder != "little":
            rep.fail("/%s is not little-endian" % name)
    if len(shapes) == 2 and shapes["square"] != shapes["cube"]:
        rep.fail("/square has shape %s but /cube has shape %s"
                 % (shape_str(shapes["square"]), shape_str(shapes["cube"])))
    ok = rep.end("format_version 1, complete 1, N=%s, shape %s, %s -> %s"
                 % (n, shape_str(shapes["square"]) if "square" in shapes
                    else "?", in_t, out_t))
    fatal = (n is None or in_t is None or out_t is None
             or (in_t == "float64" and out_t == "int64")
             or len(shapes) != 2
             or shapes["square"] != shapes["cube"]
             or prod(shapes["square"]) != n)
    return a, ok, fatal


def provenance_range_n(f):
    """N when /provenance says the input is generated by range:N."""
    g = f.get("provenance")
    if not isinstance(g, h5py.Group):
        return None
    kind, spec = g.attrs.get("input_kind"), g.attrs.get("generator")
    if isinstance(kind, bytes):
        kind = kind.decode("utf-8", "replace")
    if isinstance(spec, bytes):
        spec = spec.decode("utf-8", "replace")
    if kind != "generate" or not isinstance(spec, str):
        return None
    try:
        gen = parse_generator(spec)
    except ValueError:
        return None
    return gen["n"] if gen["kind"] == "range" else None


def check_storage(rep, f, g):
    """The layout the file has, read by h5py, against --compress as /provenance records it:
    contiguous without it; chunked with shuffle and gzip at that level with it (a scalar or an
    empty dataset stays contiguous)."""
    level = get_attr(rep, g, "/provenance", "compress_level", "int64")
    storage = get_attr(rep, g, "/provenance", "storage", "vlen-utf8")
    if level is None or storage is None:
        return
    for name in ("square", "cube"):
        d = f.get(name)
        if not isinstance(d, h5py.Dataset):
            continue
        chunked = level > 0 and d.ndim > 0 and d.size > 0
        if not chunked:
            if d.chunks is not None or d.compression is not None:
                rep.fail("/%s is chunked %r / %r, expected contiguous (compress_level %d)"
                         % (name, d.chunks, d.compression, level))
            if storage != "contiguous":
                rep.fail("/provenance storage = %r, expected 'contiguous'" % storage)
            continue
        if d.compression != "gzip" or d.compression_opts != level or not d.shuffle:
            rep.fail("/%s: compression %r level %r shuffle %r, expected gzip level %d + shuffle"
                     % (name, d.compression, d.compression_opts, d.shuffle, level))
        want = "chunked %s, shuffle + deflate level %d" % (shape_str(d.chunks), level)
        if storage != want:
            rep.fail("/provenance storage = %r, but the file has %r" % (storage, want))


# The method of the sums as docs/output-format.md describes it: how the recorded text must begin
# and end (a text cut at a fixed length, as it once was at 255 characters, fails the end).
SUMMATION = {"int64": ("exact: 256-bit integer sums", "identical for every decomposition)"),
             "float64": ("exact-then-rounded: ",
                         "the correctly rounded sum, identical for every decomposition")}


def check_summation(rep, f, text):
    in_t = f.attrs.get("input_type")
    if isinstance(in_t, bytes):
        in_t = in_t.decode()
    if text is None or in_t not in SUMMATION:
        return
    head, tail = SUMMATION[in_t]
    if not text.startswith(head) or not text.endswith(tail):
        rep.fail("/provenance summation = %r: for %s input it must begin %r and end %r "
                 "(cut?)" % (text, in_t, head, tail))


# io_write_actual as docs/output-format.md lists it, by what the run asked for.
IO_ACTUAL = ("collective (contiguous)", "collective (chunked)", "independent",
             "independent (chunked)", "collective and independent",
             "collective and independent (contiguous)",
             "collective and independent (chunked)", "none (no data)")


def check_io_actual(rep, f, g, n):
    actual = get_attr(rep, g, "/provenance", "io_write_actual", "vlen-utf8")
    mode = get_attr(rep, g, "/provenance", "io_mode_requested", "vlen-utf8")
    if actual is None or mode is None:
        return
    if actual not in IO_ACTUAL:
        rep.fail("/provenance io_write_actual = %r, not one of the documented %s"
                 % (actual, ", ".join(IO_ACTUAL)))
        return
    sq = f.get("square")
    if not n or not isinstance(sq, h5py.Dataset):
        return  # rank 0 had nothing to write
    schedule = get_attr(rep, g, "/provenance", "schedule", "vlen-utf8")
    nchunks = get_attr(rep, g, "/provenance", "nchunks", "int64")
    ranks = get_attr(rep, g, "/provenance", "ranks", "int64")
    if actual == "none (no data)" and (schedule == "dynamic" or (nchunks or 0) < (ranks or 1)):
        return  # rank 0 may have taken no chunk from the shared counter, or had none
    if mode == "independent":
        want = "independent"
    else:  # collective: chunked (--compress) or contiguous, as h5py sees the file
        want = "collective (chunked)" if sq.chunks is not None else "collective (contiguous)"
    if actual != want:
        rep.fail("/provenance io_write_actual = %r, expected %r (--io %s, %s /square)"
                 % (actual, want, mode, "chunked" if sq.chunks is not None else "contiguous"))


def check_provenance(rep, f, n):
    rep.begin("provenance")
    p = {}
    if "provenance" not in f or not isinstance(f["provenance"], h5py.Group):
        rep.fail("group /provenance is missing")
        rep.end("")
        return None
    g = f["provenance"]
    for name in PROV_STR:
        p[name] = get_attr(rep, g, "/provenance", name, "vlen-utf8")
        if (p[name] is not None and p[name] == ""
                and name not in PROV_STR_MAY_BE_EMPTY):
            rep.fail("/provenance %s is empty" % name)
    for name in PROV_INT:
        p[name] = get_attr(rep, g, "/provenance", name, "int64")
    for name, lo in (("ranks", 1), ("threads_per_rank", 1), ("chunk", 1),
                     ("nchunks", 0), ("input_count", 0)):
        if p[name] is not None and p[name] < lo:
            rep.fail("/provenance %s = %d, expected >= %d"
                     % (name, p[name], lo))
    if p["input_count"] is not None and n is not None \
            and p["input_count"] != n:
        rep.fail("/provenance input_count = %d but count = %d"
                 % (p["input_count"], n))
    sq = f.get("square")
    if p["input_shape"] is not None and isinstance(sq, h5py.Dataset):
        want = shape_str(sq.shape)
        if p["input_shape"] != want:
            rep.fail("/provenance input_shape = %r but /square has shape %r"
                     % (p["input_shape"], want))
    check_storage(rep, f, g)
    check_summation(rep, f, p["summation"])
    check_io_actual(rep, f, g, n)
    kind = p["input_kind"]
    if kind == "generate":
        if p["input_file"]:
            rep.fail("generated input but input_file = %r" % p["input_file"])
        if p["input_dataset"]:
            rep.fail("generated input but input_dataset = %r"
                     % p["input_dataset"])
        if not p["generator"]:
            rep.fail("generated input but generator is empty")
        else:
            try:
                g_n = parse_generator(p["generator"])["n"]
                if n is not None and g_n != n:
                    rep.fail("generator %s has N=%d but count = %d"
                             % (p["generator"], g_n, n))
            except ValueError as e:
                rep.fail("cannot parse generator: %s" % e)
    elif kind == "file":
        if p["generator"]:
            rep.fail("file input but generator = %r" % p["generator"])
        if p["input_file"] is not None and not os.path.isabs(
                p["input_file"]):
            rep.fail("input_file %r is not an absolute path"
                     % p["input_file"])
        if p["input_dataset"] is not None and not p[
                "input_dataset"].startswith("/"):
            rep.fail("input_dataset %r does not start with '/'"
                     % p["input_dataset"])
    elif kind is not None:
        rep.fail("input_kind = %r, expected 'file' or 'generate'" % kind)
    times = []
    for name in ("start_time_utc", "end_time_utc"):
        t = p[name]
        if t is None:
            continue
        if not ISO_RE.match(t):
            rep.fail("%s = %r is not ISO 8601 YYYY-MM-DDTHH:MM:SSZ"
                     % (name, t))
            continue
        try:
            times.append(datetime.datetime.strptime(t[:19],
                                                    "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            rep.fail("%s = %r is not a valid date/time" % (name, t))
    if len(times) == 2 and times[1] < times[0]:
        rep.fail("end_time_utc %s is before start_time_utc %s"
                 % (p["end_time_utc"], p["start_time_utc"]))
    req = p["output_type_requested"]
    out_t = f.attrs.get("output_type")
    if isinstance(out_t, bytes):
        out_t = out_t.decode()
    if req in ("int64", "float64") and out_t is not None and req != out_t:
        rep.fail("output_type_requested %s but output_type %s"
                 % (req, out_t))
    rep.end("ranks %s x threads %s, schedule %s, summation %r, chunk %s, "
            "nchunks %s, input %s %s, shape %s"
            % (p["ranks"], p["threads_per_rank"], p["schedule"],
               p["summation"], p["chunk"], p["nchunks"], kind,
               p["generator"] if kind == "generate"
               else "%s:%s" % (p["input_file"], p["input_dataset"]),
               p["input_shape"]))
    return p


def check_timing(rep, f, prov):
    rep.begin("timing")
    if "timing" not in f or not isinstance(f["timing"], h5py.Dataset):
        rep.fail("dataset /timing is missing")
        return rep.end("")
    d = f["timing"]
    dt = d.dtype
    ranks = prov.get("ranks") if prov else None
    if not (dt.kind == "f" and dt.itemsize == 8):
        rep.fail("/timing dtype %s, expected float64" % dt)
    if d.ndim != 2 or d.shape[1] != len(PHASES):
        rep.fail("/timing shape %s, expected (ranks, %d)"
                 % (d.shape, len(PHASES)))
    elif ranks is not None and d.shape[0] != ranks:
        rep.fail("/timing has %d rows, provenance ranks = %d"
                 % (d.shape[0], ranks))
    if "phases" not in d.attrs:
        rep.fail("/timing attribute 'phases' is missing")
    else:
        kind, shape = attr_kind(d, "phases")
        if kind != "vlen-utf8" or shape != (len(PHASES),):
            rep.fail("/timing phases has type %s shape %s, expected %d "
                     "variable-length UTF-8 strings"
                     % (kind, shape, len(PHASES)))
        names = [v.decode() if isinstance(v, bytes) else str(v)
                 for v in np.asarray(d.attrs["phases"]).ravel().tolist()]
        if tuple(names) != PHASES:
            rep.fail("/timing phases = %s, expected %s"
                     % (names, list(PHASES)))
    tmax = float("nan")
    if dt.kind == "f" and d.size:
        t = np.asarray(d[()], dtype=np.float64)
        bad = ~(np.isfinite(t) & (t >= 0))
        if bad.any():
            for idx in np.argwhere(bad)[:MAX_SHOWN].tolist():
                rep.fail("/timing%s = %s, expected finite >= 0"
                         % (list(idx), fmt(t[tuple(idx)])))
        if t.ndim == 2 and t.shape[1] == len(PHASES):
            tmax = float(np.nanmax(t[:, -1]))
    return rep.end("%s ranks x %d phases, max total %.6g s"
                   % (d.shape[0] if d.ndim else "?", len(PHASES), tmax))


def open_input(prov, override):
    """Build the input source (override: a resolved (FILE, DATASET))."""
    if override is not None:
        return FileSource(*override)
    if prov is None:
        raise Fatal("no /provenance: cannot find the input (use --input)")
    kind = prov.get("input_kind")
    if kind == "generate":
        try:
            return GeneratorSource(prov.get("generator") or "")
        except ValueError as e:
            raise Fatal("cannot regenerate input: %s" % e)
    if kind == "file":
        path, dataset = prov.get("input_file"), prov.get("input_dataset")
        if not path or not dataset:
            raise Fatal("provenance input_file/input_dataset missing "
                        "(use --input)")
        if not os.path.isfile(path):
            raise Fatal("provenance input_file %s does not exist "
                        "(use --input FILE[:/DATASET])" % path)
        return FileSource(path, dataset)
    raise Fatal("provenance input_kind %r: cannot find the input" % kind)


def check_elements_and_reductions(rep, f, attrs, src):
    n = attrs["count"]
    in_t, out_t = attrs["input_type"], attrs["output_type"]
    shape = tuple(int(v) for v in f["square"].shape)

    rep.begin("input")
    if src.n != n:
        rep.fail("input has %d elements, output count is %d" % (src.n, n))
    if tuple(src.shape) != shape:
        rep.fail("input has shape %s, /square and /cube have shape %s"
                 % (shape_str(src.shape), shape_str(shape)))
    want_t = src.expected_input_type(out_t)
    if want_t != in_t:
        rep.fail("input is %s (computed as %s with %s output) but "
                 "input_type is %s" % (src.description, want_t, out_t, in_t))
    elif isinstance(src, FileSource):
        src.use(in_t)
    if not rep.end("%s, N=%d" % (src.description, src.n)):
        raise Fatal("input does not match the output; stopping")

    dsq, dcu = f["square"], f["cube"]
    native_out = np.dtype(np.int64 if out_t == "int64" else np.float64)
    mm_sq, mm_cu = Mismatches("square", shape), Mismatches("cube", shape)
    out_of_range = Mismatches("input", shape)   # int64 output impossible
    is_int = in_t == "int64"
    exact = [0, 0, 0]                       # int64 input: exact sums
    fsums = [ExactFloatSum(), ExactFloatSum(), ExactFloatSum()]
    nonfinite = 0
    vmin = vmax = None

    for sel, start, stop in blocks(shape):
        x = src.read(sel, start, stop)
        sq = np.asarray(dsq[sel]).reshape(-1).astype(native_out, copy=False)
        cu = np.asarray(dcu[sel]).reshape(-1).astype(native_out, copy=False)
        if is_int:
            lo, hi = int(x.min()), int(x.max())
            vmin = lo if vmin is None else min(vmin, lo)
            vmax = hi if vmax is None else max(vmax, hi)
            m2, sq_fast, sq_slow, m3, cu_fast, cu_slow = int_powers(x)
            exact[0] += exact_sum_i64(x)
            exact[1] += exact_sum_i64(sq_fast) + sum(sq_slow)
            exact[2] += exact_sum_i64(cu_fast) + sum(cu_slow)
            if out_t == "int64":
                if not m3.all():
                    bad = np.flatnonzero(~m3)
                    out_of_range.add(bad, x, x, start)
                # compare only where exact values fit in int64
                exp_sq = np.zeros_like(x)
                exp_cu = np.zeros_like(x)
                exp_sq[m2] = sq_fast
                exp_cu[m3] = cu_fast
                d = np.flatnonzero(m3 & (exp_sq != sq))
                mm_sq.add(d, exp_sq, sq, start)
                d = np.flatnonzero(m3 & (exp_cu != cu))
                mm_cu.add(d, exp_cu, cu, start)
            else:
                exp_sq = to_float_once(m2, sq_fast, sq_slow)
                exp_cu = to_float_once(m3, cu_fast, cu_slow)
                mm_sq.add(float_mismatch(exp_sq, sq), exp_sq, sq, start)
                mm_cu.add(float_mismatch(exp_cu, cu), exp_cu, cu, start)
        else:
            with np.errstate(over="ignore", under="ignore",
                             invalid="ignore"):
                exp_sq = x * x
                exp_cu = exp_sq * x
            mm_sq.add(float_mismatch(exp_sq, sq), exp_sq, sq, start)
            mm_cu.add(float_mismatch(exp_cu, cu), exp_cu, cu, start)
            nonfinite += int(np.count_nonzero(~np.isfinite(x)))
            num = x[~np.isnan(x)]
            if num.size:
                lo, hi = zero_aware_min(num), zero_aware_max(num)
                vmin = lo if vmin is None or f_less(lo, vmin) else vmin
                vmax = hi if vmax is None or f_less(vmax, hi) else vmax
            # float64 input: sums of x and of the STORED values
            fsums[0].add(x)
            fsums[1].add(sq)
            fsums[2].add(cu)

    rep.begin("elements")
    too_big = getattr(src, "too_big", [])
    if too_big:
        rep.fail("%d uint64 input value%s above 2^63-1 cannot be computed "
                 "as int64 (sqcube should have refused or used float64)"
                 % (len(too_big), "" if len(too_big) == 1 else "s"))
        for i, v in too_big[:MAX_SHOWN]:
            rep.fail("x%s = %d" % (out_of_range.where(i), v))
    # (uint64 values above int64, reported just above, are not repeated)
    n_oor = out_of_range.count - len(too_big)
    if n_oor > 0:
        big_idx = set(i for i, _ in too_big)
        rep.fail("%d input value%s outside [%d, %d]: int64 output is "
                 "impossible (sqcube should have refused)"
                 % (n_oor, "" if n_oor == 1 else "s",
                    I64_OUT_MIN, I64_OUT_MAX))
        for i, e, _ in out_of_range.shown:
            if i not in big_idx:
                rep.fail("x%s = %s" % (out_of_range.where(i), fmt(e)))
    mm_sq.report(rep)
    mm_cu.report(rep)
    how = {("int64", "int64"): "exact int64",
           ("int64", "float64"): "exact, rounded once to float64",
           ("float64", "float64"): "IEEE float64 bitwise"}[(in_t, out_t)]
    rep.end("%d squares and %d cubes, shape %s, row-major (%s)"
            % (n, n, shape_str(shape), how))

    rep.begin("reductions")
    if attrs["nonfinite_count"] is not None and \
            attrs["nonfinite_count"] != nonfinite:
        rep.fail("nonfinite_count = %d, expected %d"
                 % (attrs["nonfinite_count"], nonfinite))
    # min / max (float: NaN ignored, -0.0 below +0.0, sign bit checked)
    for name, want in (("min", vmin), ("max", vmax)):
        got = attrs.get(name)
        if got is None:
            continue
        kind, val = got
        if want is None:
            if kind != "float64" or not math.isnan(float(val)):
                rep.fail("%s = %s (%s), expected float64 NaN (no numbers)"
                         % (name, fmt(val), kind))
        elif kind != in_t:
            rep.fail("%s has type %s, expected %s" % (name, kind, in_t))
        elif is_int and int(val) != want:
            rep.fail("%s = %d, expected %d" % (name, int(val), want))
        elif not is_int and not same_bits(val, want):
            rep.fail("%s = %s, expected %s%s"
                     % (name, fmt(val), fmt(want),
                        " (sign of zero: -0.0 orders below +0.0)"
                        if want == 0.0 else ""))
    names = ("sum", "sum_sq", "sum_cube")
    extra = ""
    if is_int:
        for k, name in enumerate(names):
            want_f = float(exact[k])
            got = attrs[name]
            if got is not None and not same_bits(got, want_f):
                rep.fail("%s = %s, expected %s (correctly rounded %d)"
                         % (name, fmt(got), fmt(want_f), exact[k]))
            sname = name + "_exact"
            got_s = attrs.get(sname)
            if got_s is not None and got_s != str(exact[k]):
                rep.fail("%s = %r, expected %r" % (sname, got_s,
                                                   str(exact[k])))
        extra = ", exact strings"
    else:
        for k, name in enumerate(names):
            got = attrs[name]
            if got is None:
                continue
            want = fsums[k].expected()
            if math.isnan(want):
                ok = math.isnan(got)
            elif fsums[k].exact_zero():
                ok = got == 0.0                # +0.0 or -0.0
            else:
                ok = same_bits(got, want)
            if not ok:
                rep.fail("%s = %s (%s), expected %s (%s): the exact sum of "
                         "the float64 terms rounded once, bit for bit"
                         % (name, fmt(got), float(got).hex(), fmt(want),
                            float(want).hex()))
        extra = ", float sums exact and correctly rounded (bitwise)"
    # range:N: the generator's closed forms, in the file and in the sums
    range_n = provenance_range_n(f)
    if range_n is not None:
        t = range_n * (range_n + 1) // 2
        closed = (t, range_n * (range_n + 1) * (2 * range_n + 1) // 6, t * t)
        for k, name in enumerate(names):
            if is_int and exact[k] != closed[k]:
                rep.fail("%s: streamed exact %d != closed form %d "
                         "(checker bug?)" % (name, exact[k], closed[k]))
            cname = CLOSED_ATTRS[k]
            got_c = attrs.get(cname)
            if got_c is not None and got_c != str(closed[k]):
                rep.fail("%s = %r, expected %r (closed form for range:%d)"
                         % (cname, got_c, str(closed[k]), range_n))
            ename = EXACT_ATTRS[k]
            got_e = attrs.get(ename)
            if got_c is not None and got_e is not None and got_c != got_e:
                rep.fail("%s = %r differs from %s = %r"
                         % (cname, got_c, ename, got_e))
        extra += ", closed forms"
    rep.end("count %d, nonfinite %d, min %s, max %s%s"
            % (n, nonfinite, fmt(vmin) if vmin is not None else "nan",
               fmt(vmax) if vmax is not None else "nan", extra))


def run(args):
    rep = Report()
    if not os.path.isfile(args.output):
        raise UsageError("%s: no such file" % args.output)
    try:
        f = h5py.File(args.output, "r")
    except (OSError, ValueError) as e:
        print("structure: FAILED (1 problem)")
        print("  - cannot open %s as HDF5: %s" % (args.output, e))
        print("check_output: FAILED (%s: not a readable HDF5 file)"
              % args.output)
        return EXIT_MISMATCH
    src = None
    override = None
    try:
        if args.input is not None:     # usage errors before any output
            prov_ds = None
            g = f.get("provenance")
            if isinstance(g, h5py.Group):
                prov_ds = g.attrs.get("input_dataset")
                if isinstance(prov_ds, bytes):
                    prov_ds = prov_ds.decode("utf-8", "replace")
                if not isinstance(prov_ds, str):
                    prov_ds = None
            override = resolve_override(args.input, prov_ds)
        attrs, _, fatal = check_structure(rep, f)
        prov = check_provenance(rep, f, attrs["count"])
        check_timing(rep, f, prov)
        if fatal:
            raise Fatal("structure unusable; element checks skipped")
        try:
            src = open_input(prov, override)
        except Fatal as e:
            rep.begin("input")
            rep.fail(str(e))
            rep.end("")
            raise Fatal("cannot read the input; element checks skipped")
        check_elements_and_reductions(rep, f, attrs, src)
    except Fatal as e:
        rep.problems += 1
        print("check_output: %s" % e)
    finally:
        if src is not None:
            src.close()
        f.close()
    if rep.problems:
        print("check_output: FAILED (%s: %d problem%s)"
              % (args.output, rep.problems,
                 "" if rep.problems == 1 else "s"))
        return EXIT_MISMATCH
    print("check_output: OK (%s: N=%d, %s -> %s, %s ranks)"
          % (args.output, attrs["count"], attrs["input_type"],
             attrs["output_type"], prov.get("ranks") if prov else "?"))
    return EXIT_OK


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="check_output.py",
        description="Independently verify an sqcube output file (format 1):"
        " structure, provenance, timing, every element of /square and "
        "/cube, and every reduction.  The input is regenerated from the "
        "provenance generator string or read from the provenance input "
        "file (or --input).",
        epilog="Exit status: 0 OK, 1 mismatch or unverifiable file, "
        "2 bad usage.")
    ap.add_argument("output", metavar="OUTPUT", help="sqcube output file")
    ap.add_argument("--input", metavar="FILE[:/DATASET]",
                    help="read x from this file/dataset instead of the one "
                    "named in /provenance (FILE alone: the provenance "
                    "dataset if FILE has it, else FILE's only dataset)")
    args = ap.parse_args(argv)
    try:
        return run(args)
    except UsageError as e:
        sys.stderr.write("check_output.py: error: %s\n" % e)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
