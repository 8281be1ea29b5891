#!/usr/bin/python3
"""The netCDF-4 view of one sqcube result, checked with the real readers.

  check_netcdf.py OUT RANKS INPUT DATASET DIMS UNITS2 UNITS3 LONG GRID
  check_netcdf.py OUT RANKS - GENERATOR DIMS - - LONG 0       (generated input)

DIMS: the expected dimension names of /square, comma-separated ("" for a scalar); UNITS2/UNITS3:
the expected `units` of /square and /cube ("-": none); LONG: what `long_name` says the square is
of ("square of LONG"); GRID: 1 when the input is on a lat/lon grid (cdo must see it).

Checks, each against the input read independently (h5py/numpy, netCDF4-python):
  - xarray opens the file with engine="h5netcdf" and engine="netcdf4", no options, every
    warning an error; no phony dimension; /square and /cube have DIMS; /timing has
    (rank, phase) of (RANKS, 5); /provenance's affinity has (affinity_row,) (h5netcdf);
  - the coordinate variables equal the input's, with its attributes (units, ...);
  - values: square == x*x and cube == (x*x)*x in float64 or int64, computed by numpy on the input;
  - attributes: long_name, units, standard_name dropped, carried ones kept; Conventions only for
    a CF input; history's first line is this run's command;
  - the units parse in UDUNITS-2 (udunits2) as the input's units squared and cubed;
  - ncdump -h and ncks -m read the file and show the dimensions, no phony_dim;
  - cdo sinfon sees the lat/lon grid (GRID=1);
  - h5dump reads it.
Exit status 0 when all hold; 1 with a message otherwise.
"""

import os
import subprocess
import sys
import warnings

import numpy as np
import h5py

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Debian's netCDF4 warns about numpy's ABI on import
    import netCDF4  # noqa: F401  (loaded before warnings become errors)
    import xarray as xr

DROPPED = {"standard_name", "missing_value", "valid_range", "valid_min", "valid_max",
           "scale_factor", "add_offset", "actual_range", "cell_methods", "cell_measures",
           "coordinates", "grid_mapping", "bounds", "ancillary_variables", "flag_values",
           "flag_masks", "flag_meanings", "formula_terms", "compress"}
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def open_xr(path, engine, group=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_dataset(path, engine=engine, group=group)
        ds.load()
    return ds


def input_values(path, dataset):
    with h5py.File(path, "r") as f:
        x = f[dataset][()]
    return np.asarray(x)


def expected(x):
    if x.dtype.kind in "iu":
        x = x.astype(np.int64)
        return x * x, x * x * x
    x = x.astype(np.float64)
    return x * x, (x * x) * x


def input_netcdf(path, dataset):
    """The input variable and its coordinates as netCDF-C sees them, or None for plain HDF5."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = xr.open_dataset(path, engine="netcdf4", decode_times=False)
        return ds, ds[dataset.lstrip("/")]
    except Exception:  # a plain HDF5 file: netCDF-C needs phony dims or fails
        return None, None


def main(argv):
    if len(argv) != 10:
        sys.exit(__doc__)
    out, ranks, inp, dset, dims, u2, u3, long_name, grid = argv[1:]
    ranks = int(ranks)
    dims = tuple(d for d in dims.split(",") if d)
    generated = inp == "-"

    xs = {}
    for engine in ("h5netcdf", "netcdf4"):
        try:
            xs[engine] = open_xr(out, engine)
        except Exception as e:
            failures.append("xarray engine=%s: %s: %s" % (engine, type(e).__name__, e))
    if failures:
        return report(out)
    try:
        prov = open_xr(out, "h5netcdf", group="provenance")
        check(prov["affinity"].dims == ("affinity_row",),
              "provenance/affinity dims %s" % (prov["affinity"].dims,))
    except Exception as e:
        failures.append("xarray h5netcdf group=provenance: %s" % e)

    x = None if generated else input_values(inp, dset)
    if generated:
        assert dset.startswith("range:")
        x = np.arange(1, int(dset.split(":")[1]) + 1, dtype=np.int64)
    sq, cu = expected(x)
    src_ds, src_var = (None, None) if generated else input_netcdf(inp, dset)
    for engine, ds in xs.items():
        tag = "engine=%s" % engine
        for name in ds.dims:
            check(not name.startswith("phony_dim"), "%s: phony dimension %s" % (tag, name))
        for var, want in (("square", sq), ("cube", cu)):
            v = ds[var]
            check(v.dims == dims, "%s: %s dims %s, expected %s" % (tag, var, v.dims, dims))
            got = v.values
            check(got.shape == want.shape and np.array_equal(got, want, equal_nan=want.dtype.kind == "f"),
                  "%s: %s values differ from numpy on the input" % (tag, var))
            check(v.attrs.get("long_name") == "%s of %s" % (var, long_name),
                  "%s: %s long_name %r" % (tag, var, v.attrs.get("long_name")))
            units = u2 if var == "square" else u3
            if units == "-":
                check("units" not in v.attrs, "%s: %s has units %r" % (tag, var,
                                                                      v.attrs.get("units")))
            else:
                check(v.attrs.get("units") == units,
                      "%s: %s units %r, expected %r" % (tag, var, v.attrs.get("units"), units))
            for a in DROPPED:
                check(a not in v.attrs, "%s: %s carries %s" % (tag, var, a))
            if src_var is not None:
                for a, val in src_var.attrs.items():
                    if a in DROPPED or a in ("long_name", "units") or a.startswith("_"):
                        continue
                    check(a in v.attrs and str(v.attrs[a]) == str(val),
                          "%s: %s lacks the input's attribute %s" % (tag, var, a))
        t = ds["timing"]
        check(t.dims == ("rank", "phase") and t.shape == (ranks, 5),
              "%s: timing dims %s shape %s" % (tag, t.dims, t.shape))
        # coordinates: the input's, values and attributes
        if src_ds is not None:
            for d in dims:
                if d in src_ds.variables:
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")
                        raw = xr.open_dataset(out, engine=engine, decode_times=False)
                    c, s = raw[d], src_ds[d]
                    check(np.array_equal(c.values, s.values) and c.dtype == s.dtype,
                          "%s: coordinate %s differs from the input's" % (tag, d))
                    for a, val in s.attrs.items():
                        if a == "bounds" or a.startswith("_"):
                            continue
                        check(str(c.attrs.get(a)) == str(val),
                              "%s: coordinate %s attribute %s: %r, input %r"
                              % (tag, d, a, c.attrs.get(a), val))
                else:
                    check(d not in ds.variables, "%s: %s has a variable" % (tag, d))
        hist = ds.attrs.get("history", "")
        first = hist.split("\n")[0]
        check(": " in first and " run " in first and os.path.basename(out) in first,
              "%s: history's first line %r" % (tag, first))
        src_conv = None
        if not generated:
            with h5py.File(inp, "r") as f:
                c = f.attrs.get("Conventions")
                src_conv = c.decode() if isinstance(c, bytes) else c
                h = f.attrs.get("history")
                h = h.decode() if isinstance(h, bytes) else h
            if h:
                check(hist.endswith("\n" + h), "%s: history lost the input's %r" % (tag, h))
        want_conv = "CF-1.8" if src_conv and src_conv.startswith("CF-") else None
        check(ds.attrs.get("Conventions") == want_conv,
              "%s: Conventions %r, expected %r" % (tag, ds.attrs.get("Conventions"), want_conv))

    # UDUNITS-2 reads the units as the input's to the power 2 and 3.
    if u2 != "-" and src_var is not None:
        base = src_var.attrs["units"]
        for units, power in ((u2, 2), (u3, 3)):
            rc, text = run(["udunits2", "-H", units, "-W", "(%s)^%d" % (base, power)])
            check(rc == 0 and "udunits2:" not in text and ("1 %s = 1 " % units) in text,
                  "udunits2 cannot read %r as (%s)^%d: %s" % (units, base, power, text.strip()))

    # netCDF-C's tools
    rc, text = run(["ncdump", "-h", out])
    check(rc == 0 and "phony_dim" not in text, "ncdump -h: rc %d %s" % (rc, text[-300:]))
    if dims:
        check("square(%s)" % ", ".join(dims) in text, "ncdump -h: no square(%s)" % ", ".join(dims))
    check("timing(rank, phase)" in text, "ncdump -h: no timing(rank, phase)")
    rc, text = run(["ncks", "-m", out])
    check(rc == 0 and "phony_dim" not in text, "ncks -m: rc %d %s" % (rc, text[-300:]))
    if grid == "1":
        rc, text = run(["cdo", "-s", "sinfon", out])
        check(rc == 0 and "lonlat" in text and "square" in text and "cube" in text,
              "cdo sinfon: rc %d %s" % (rc, text[-400:]))
    rc, text = run(["h5dump", "-H", out])
    check(rc == 0, "h5dump -H: rc %d" % rc)
    return report(out)


def report(out):
    if failures:
        for f in failures:
            print("FAIL: %s: %s" % (out, f), file=sys.stderr)
        return 1
    print("ok: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
