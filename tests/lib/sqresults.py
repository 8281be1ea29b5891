"""Reading sqcube output files: what the result checkers share (tests/lib/).

check_output.py (one output against independent arithmetic) and
compare_outputs.py (several outputs against each other) import this module;
so does any test that reads results with h5py.  It holds the walk over a
dataset in bounded blocks, the attribute type probes, element positions and
value formatting, never an expected value: those are each checker's own.
"""

import math
import sys

try:
    import numpy as np
    import h5py
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("%s: numpy/h5py missing; run with /usr/bin/python3\n"
                     % sys.argv[0])
    sys.exit(2)

SLICE = 1 << 20                 # elements per block (bounded memory)
MAX_SHOWN = 10                  # differing elements printed per dataset


def prod(shape):
    n = 1
    for v in shape:
        n *= int(v)
    return n


def shape_str(shape):
    """The /provenance input_shape text: "scalar", "1000", "7 x 13"."""
    if len(shape) == 0:
        return "scalar"
    return " x ".join(str(int(v)) for v in shape)


def blocks(shape, limit=SLICE):
    """Cover an array of `shape` in row-major order with blocks of at most
    `limit` elements, each a contiguous run of the flattened order.

    Yields (selection, flat_start, flat_stop); the selection reads the block
    from an h5py dataset of that shape ( () reads a small dataset whole,
    scalars included).  Blocks are whole rows of the innermost dimensions
    that fit in `limit`, grouped along the next dimension out, so each one
    except a remainder holds more than limit/2 elements.
    """
    n = prod(shape)
    if n == 0:
        return
    if n <= limit:
        yield (), 0, n
        return
    inner, j = 1, len(shape)
    while j > 0 and inner * shape[j - 1] <= limit:
        inner *= shape[j - 1]
        j -= 1
    # prod(shape[j:]) = inner <= limit < prod(shape[j-1:]), so j >= 1
    rows = int(shape[j - 1])
    step = max(1, limit // inner)
    flat = 0
    for outer in np.ndindex(*shape[:j - 1]):
        for r in range(0, rows, step):
            r2 = min(rows, r + step)
            yield tuple(outer) + (slice(r, r2),), flat, flat + (r2 - r) * inner
            flat += (r2 - r) * inner


def where(i, shape):
    """Element position: [flat] for 1-D, [flat] (i, j, ...) otherwise."""
    if shape is None or len(shape) == 1:
        return "[%d]" % i
    if len(shape) == 0:
        return "[()]"
    return "[%d] (index %s)" % (i, ", ".join(
        str(int(v)) for v in np.unravel_index(i, shape)))


def fmt(v):
    """Readable value: repr for floats (round-trips), str otherwise."""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, np.integer):
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def as_py(v):
    """An attribute value as a Python scalar (bytes decoded)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray) and v.shape == ():
        return as_py(v[()])
    return v


def same_bits(a, b):
    """Two float64 values with the same bits (so -0.0 != +0.0)."""
    return bool(np.float64(a).view(np.uint64)
                == np.float64(b).view(np.uint64))


def same_scalar(a, b):
    """Equality; floats bitwise (signed zeros differ), NaN == NaN."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return same_bits(a, b)
    return a == b


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


def attr_type(obj, name):
    """An attribute's type in short: "string", "int32", "float64", ..."""
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
