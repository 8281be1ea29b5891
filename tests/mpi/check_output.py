#!/usr/bin/python3
"""Independently verify one sqcube output file (format_version 1).

The input values x are regenerated from the provenance `generator` string
(range / uniform) or read from the provenance input file and dataset (or
from the --input override), and every element, every reduction and the file
structure are checked against the format specification, never against
sqcube's own code.  The file is processed in slices, so memory stays bounded
for large files.

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
from fractions import Fraction

try:
    import numpy as np
    import h5py
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("check_output: numpy/h5py missing; run with "
                     "/usr/bin/python3\n")
    sys.exit(2)

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2

PROG = "check_output"
SLICE = 1 << 20                 # elements per slice (bounded memory)
MAX_SHOWN = 10                  # differing elements printed per dataset
REL_TOL = 1e-12                 # float64-input sums, relative to sum |terms|
TINY = sys.float_info.min
PHASES = ("read", "compute", "reduce", "write", "total")

# int64 output: every x^3 must fit in int64.
I64_OUT_MIN, I64_OUT_MAX = -2097152, 2097151
# Largest |x| whose square fits in int64 (3037000499**2 < 2**63 - 1).
SQ_FIT = 3037000499

ROOT_INT_ATTRS = ("format_version", "complete", "count", "nonfinite_count")
ROOT_FLOAT_ATTRS = ("sum", "sum_sq", "sum_cube")
ROOT_STR_ATTRS = ("input_type", "output_type")
EXACT_ATTRS = ("sum_exact", "sum_sq_exact", "sum_cube_exact")

PROV_STR = ("sqcube_version", "git_commit", "compiler", "c_flags",
            "build_type", "mpi_library", "mpi_thread_level", "hdf5_version",
            "command_line", "schedule", "summation", "input_kind",
            "input_file", "input_dataset", "input_datatype", "generator",
            "hosts", "start_time_utc", "end_time_utc",
            "output_type_requested")
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


def fmt(v):
    """Readable value: repr for floats (round-trips), str otherwise."""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, np.integer):
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


# --------------------------------------------------------------------------
# HDF5 attribute helpers
# --------------------------------------------------------------------------
def attr_kind(obj, name):
    """Describe an attribute: ('int64'|'float64'|'vlen-utf8'|other, shape)."""
    aid = obj.attrs.get_id(name)
    shape = aid.shape
    tid = aid.get_type()
    if isinstance(tid, h5py.h5t.TypeStringID):
        if tid.is_variable_str():
            cset = tid.get_cset()
            return ("vlen-utf8" if cset == h5py.h5t.CSET_UTF8
                    else "vlen-ascii"), shape
        return "fixed-string", shape
    dt = aid.dtype
    if dt.kind == "i" and dt.itemsize == 8:
        return "int64", shape
    if dt.kind == "f" and dt.itemsize == 8:
        return "float64", shape
    return str(dt), shape


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
        self.input_type = "int64" if self.g["kind"] == "range" else "float64"
        self.description = "generator %s" % spec

    def read(self, start, stop):
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


class FileSource:
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
        if self.d.ndim != 1:
            raise Fatal("input dataset %s:%s has shape %s, not 1-D"
                        % (path, dataset, self.d.shape))
        if dt.kind == "i" and dt.itemsize == 8:
            self.input_type = "int64"
            self.native = np.dtype(np.int64)
        elif dt.kind == "f" and dt.itemsize == 8:
            self.input_type = "float64"
            self.native = np.dtype(np.float64)
        else:
            raise Fatal("input dataset %s:%s has unsupported type %s"
                        % (path, dataset, dt))
        self.n = int(self.d.shape[0])
        self.description = "file %s:%s (%s, %s)" % (
            path, dataset, dt.str, self.input_type)

    def read(self, start, stop):
        return np.asarray(self.d[start:stop]).astype(self.native, copy=False)

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


def exact_fsum(values):
    """Correctly rounded sum of finite floats (inf on true overflow)."""
    try:
        return math.fsum(values)
    except OverflowError:
        total = sum((Fraction(v) for v in values), Fraction(0))
        try:
            return float(total)
        except OverflowError:
            return math.inf if total > 0 else -math.inf


class FloatSum:
    """Correctly rounded (per slice) IEEE-aware sum with sum of |terms|."""

    def __init__(self):
        self.parts = []
        self.abs_parts = []
        self.nan = self.pinf = self.ninf = False

    def add(self, arr):
        fin = np.isfinite(arr)
        if not fin.all():
            bad = arr[~fin]
            self.nan |= bool(np.isnan(bad).any())
            self.pinf |= bool((bad == np.inf).any())
            self.ninf |= bool((bad == -np.inf).any())
            arr = arr[fin]
        self.parts.append(exact_fsum(arr.tolist()))
        self.abs_parts.append(exact_fsum(np.abs(arr).tolist()))

    def expected(self):
        if self.nan or (self.pinf and self.ninf):
            return math.nan
        if self.pinf:
            return math.inf
        if self.ninf:
            return -math.inf
        try:
            return exact_fsum(self.parts)
        except ValueError:         # slices overflowing both ways
            return math.nan

    def abs_total(self):
        try:
            return exact_fsum(self.abs_parts)
        except ValueError:
            return math.inf


class Mismatches:
    def __init__(self, name):
        self.name = name
        self.count = 0
        self.shown = []

    def add(self, idx, expected, actual, offset):
        self.count += int(idx.size)
        for k in idx[: max(0, MAX_SHOWN - len(self.shown))].tolist():
            self.shown.append((offset + k, expected[k], actual[k]))

    def report(self, rep, note=""):
        if not self.count:
            return
        rep.fail("/%s: %d element%s%s" % (
            self.name, self.count,
            " differs" if self.count == 1 else "s differ", note))
        for i, e, a in self.shown:
            rep.fail("/%s[%d]: expected %s, actual %s"
                     % (self.name, i, fmt(e), fmt(a)))


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
    # datasets
    n = a["count"]
    for name in ("square", "cube"):
        if name not in f or not isinstance(f[name], h5py.Dataset):
            rep.fail("dataset /%s is missing" % name)
            continue
        d = f[name]
        if d.ndim != 1:
            rep.fail("/%s has shape %s, expected 1-D" % (name, d.shape))
            continue
        if n is not None and d.shape[0] != n:
            rep.fail("/%s has %d elements, count is %d"
                     % (name, d.shape[0], n))
        dt = d.dtype
        got = ("int64" if dt.kind == "i" and dt.itemsize == 8 else
               "float64" if dt.kind == "f" and dt.itemsize == 8 else str(dt))
        if out_t is not None and got != out_t:
            rep.fail("/%s has dtype %s, output_type is %s"
                     % (name, dt, out_t))
    ok = rep.end("format_version 1, complete 1, N=%s, %s -> %s"
                 % (n, in_t, out_t))
    fatal = (n is None or in_t is None or out_t is None
             or (in_t == "float64" and out_t == "int64")
             or "square" not in f or "cube" not in f
             or not isinstance(f["square"], h5py.Dataset)
             or not isinstance(f["cube"], h5py.Dataset)
             or f["square"].ndim != 1 or f["cube"].ndim != 1
             or f["square"].shape[0] != n or f["cube"].shape[0] != n)
    return a, ok, fatal


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
    rep.end("ranks %s x threads %s, schedule %s, summation %s, chunk %s, "
            "nchunks %s, input %s %s"
            % (p["ranks"], p["threads_per_rank"], p["schedule"],
               p["summation"], p["chunk"], p["nchunks"], kind,
               p["generator"] if kind == "generate"
               else "%s:%s" % (p["input_file"], p["input_dataset"])))
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

    rep.begin("input")
    if src.n != n:
        rep.fail("input has %d elements, output count is %d" % (src.n, n))
    if src.input_type != in_t:
        rep.fail("input is %s but input_type is %s" % (src.input_type, in_t))
    if not rep.end("%s, N=%d" % (src.description, src.n)):
        raise Fatal("input does not match the output; stopping")

    dsq, dcu = f["square"], f["cube"]
    native_out = np.dtype(np.int64 if out_t == "int64" else np.float64)
    mm_sq, mm_cu = Mismatches("square"), Mismatches("cube")
    out_of_range = Mismatches("input")     # int64 output impossible
    is_int = in_t == "int64"
    exact = [0, 0, 0]                       # int64 input: exact sums
    fsums = [FloatSum(), FloatSum(), FloatSum()]
    nonfinite = 0
    vmin = vmax = None

    for start in range(0, n, SLICE):
        stop = min(n, start + SLICE)
        x = src.read(start, stop)
        sq = np.asarray(dsq[start:stop]).astype(native_out, copy=False)
        cu = np.asarray(dcu[start:stop]).astype(native_out, copy=False)
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
                lo, hi = float(num.min()), float(num.max())
                vmin = lo if vmin is None else min(vmin, lo)
                vmax = hi if vmax is None else max(vmax, hi)
            # float64 input: sums of x and of the STORED values
            fsums[0].add(x)
            fsums[1].add(sq)
            fsums[2].add(cu)

    rep.begin("elements")
    if out_of_range.count:
        rep.fail("%d input value%s outside [%d, %d]: int64 output is "
                 "impossible (sqcube should have refused)"
                 % (out_of_range.count,
                    "" if out_of_range.count == 1 else "s",
                    I64_OUT_MIN, I64_OUT_MAX))
        for i, e, _ in out_of_range.shown:
            rep.fail("x[%d] = %s" % (i, fmt(e)))
    mm_sq.report(rep)
    mm_cu.report(rep)
    how = {("int64", "int64"): "exact int64",
           ("int64", "float64"): "exact, rounded once to float64",
           ("float64", "float64"): "IEEE float64 bitwise"}[(in_t, out_t)]
    rep.end("%d squares and %d cubes (%s)" % (n, n, how))

    rep.begin("reductions")
    if attrs["nonfinite_count"] is not None and \
            attrs["nonfinite_count"] != nonfinite:
        rep.fail("nonfinite_count = %d, expected %d"
                 % (attrs["nonfinite_count"], nonfinite))
    # min / max
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
        elif not is_int and not float(val) == want:
            rep.fail("%s = %s, expected %s" % (name, fmt(val), fmt(want)))
    names = ("sum", "sum_sq", "sum_cube")
    extra = ""
    if is_int:
        for k, name in enumerate(names):
            want_f = float(exact[k])
            got = attrs[name]
            if got is not None and (np.float64(got).view(np.uint64)
                                    != np.float64(want_f).view(np.uint64)):
                rep.fail("%s = %s, expected %s (correctly rounded %d)"
                         % (name, fmt(got), fmt(want_f), exact[k]))
            sname = name + "_exact"
            got_s = attrs.get(sname)
            if got_s is not None and got_s != str(exact[k]):
                rep.fail("%s = %r, expected %r" % (sname, got_s,
                                                   str(exact[k])))
        extra = ", exact strings"
        if isinstance(src, GeneratorSource) and src.g["kind"] == "range":
            t = n * (n + 1) // 2
            closed = (t, n * (n + 1) * (2 * n + 1) // 6, t * t)
            for k, name in enumerate(names):
                if exact[k] != closed[k]:
                    rep.fail("%s: streamed exact %d != closed form %d "
                             "(checker bug?)" % (name, exact[k], closed[k]))
            extra += ", closed forms"
    else:
        for k, name in enumerate(names):
            got = attrs[name]
            if got is None:
                continue
            want = fsums[k].expected()
            scale = max(fsums[k].abs_total(), TINY)
            if math.isnan(want):
                ok = math.isnan(got)
            elif math.isinf(want):
                ok = got == want
            else:
                ok = math.isfinite(got) and abs(got - want) <= REL_TOL * scale
            if not ok:
                rep.fail("%s = %s, expected %s (fsum; tolerance %.3g = "
                         "%g * sum|terms| %s)"
                         % (name, fmt(got), fmt(want), REL_TOL * scale,
                            REL_TOL, fmt(scale)))
        extra = ", sums vs fsum rel %g" % REL_TOL
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
