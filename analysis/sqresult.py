"""Reading sqcube results for the analysis scripts, and what their figures share.

A run is described by a plain dict, whatever it came from:
  - a result file (HDF5: root attributes, /provenance, /timing; docs/output-format.md),
  - a --summary-json document, or
  - a row of a --log-csv file.
Keys: path, input, n, ranks, threads, cores, label ("RxT"), schedule, io, chunk, reductions
(count, sum, sum_sq, sum_cube, exact sums as strings where the input is integer, min, max,
nonfinite_count), phase_max (seconds per phase, slowest rank), gb_per_s, and for result files the
whole timing table (ranks x phases) and the provenance attributes.

Uses Debian's python3-h5py, numpy and matplotlib (/usr/bin/python3); matplotlib draws with the
Agg backend (no display needed).
"""
import csv
import json
import math
import os
import sys

import numpy as np

PHASES = ["read", "compute", "reduce", "write", "total"]
SUMS = ["sum", "sum_sq", "sum_cube"]
BYTES_PER_ELEMENT = 24  # x read (or generated), x^2 and x^3 written: 8 bytes each


def _py(v):
    """An HDF5 attribute value as a plain Python value."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _finish(run):
    run["cores"] = run["ranks"] * run["threads"]
    run["label"] = f"{run['ranks']}x{run['threads']}"
    total = run["phase_max"]["total"]
    if run.get("gb_per_s") is None:
        run["gb_per_s"] = BYTES_PER_ELEMENT * run["n"] / total / 1e9 if total > 0 else 0.0
    return run


def read_h5(path):
    import h5py

    with h5py.File(path, "r") as f:
        attrs = {k: _py(v) for k, v in f.attrs.items()}
        if attrs.get("complete") != 1:
            raise ValueError(f"{path}: not a complete sqcube result (no 'complete' attribute)")
        prov = {k: _py(v) for k, v in f["provenance"].attrs.items()}
        timing = np.array(f["timing"][...], dtype=float).reshape(-1, len(PHASES))
        phases = [_py(p) for p in f["timing"].attrs["phases"]]
    if phases != PHASES:
        raise ValueError(f"{path}: unexpected /timing phases {phases}")
    red = {k: attrs.get(k) for k in ["count"] + SUMS + ["min", "max", "nonfinite_count"]}
    for s in SUMS:
        red[s + "_exact"] = attrs.get(s + "_exact")
    gen = prov.get("generator", "")
    inp = gen if prov.get("input_kind") == "generate" else \
        f"{prov.get('input_file', '')}:{prov.get('input_dataset', '')}"
    run = {
        "path": path, "input": inp, "n": int(prov["input_count"]), "ranks": int(prov["ranks"]),
        "threads": int(prov["threads_per_rank"]), "schedule": prov.get("schedule", ""),
        "io": prov.get("io_mode_requested", ""), "chunk": int(prov["chunk"]),
        "overlap": int(prov.get("overlap", 0)), "reductions": red,
        "phase_max": {p: float(timing[:, i].max()) if len(timing) else 0.0
                      for i, p in enumerate(PHASES)},
        "timing": timing, "provenance": prov, "attrs": attrs,
    }
    return _finish(run)


def read_json(path):
    with open(path) as f:
        d = json.load(f)
    if d.get("format") != "sqcube-summary":
        raise ValueError(f"{path}: not a sqcube --summary-json document")
    s = d["settings"]
    run = {
        "path": d["output"], "input": s["input"], "n": s["n"], "ranks": s["ranks"],
        "threads": s["threads_per_rank"], "schedule": s["schedule"], "io": s["io"],
        "chunk": s["chunk"], "overlap": s["overlap"], "reductions": d["reductions"],
        "phase_max": {p: d["timing"][p]["max"] for p in PHASES},
        "gb_per_s": d["bandwidth"]["gb_per_s"], "provenance": d["provenance"],
    }
    return _finish(run)


def _num(text):
    """A CSV number: int when it is one, else float (nan, inf included)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def read_csv(path):
    """Every row of a --log-csv file, as runs."""
    runs = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            red = {k: _num(row[k]) for k in ["count", "min", "max", "nonfinite_count"]}
            for s in SUMS:
                v = row[s]
                integral = row["input_type"] == "int64"
                red[s] = float(v)
                red[s + "_exact"] = v if integral else None
            runs.append(_finish({
                "path": row["output"], "input": row["input"], "n": int(row["n"]),
                "ranks": int(row["ranks"]), "threads": int(row["threads"]),
                "schedule": row["schedule"], "io": row["io"], "chunk": int(row["chunk"]),
                "overlap": int(row["overlap"]), "reductions": red,
                "phase_max": {p: float(row[p + "_max_s"]) for p in PHASES},
                "gb_per_s": float(row["gb_per_s"]), "timestamp": row["timestamp_utc"],
            }))
    return runs


def read_runs(paths):
    """Runs from result files (.h5 or anything HDF5), JSON summaries (.json) and CSV logs (.csv)."""
    runs = []
    for p in paths:
        ext = os.path.splitext(p)[1].lower()
        if ext == ".json":
            runs.append(read_json(p))
        elif ext == ".csv":
            runs.extend(read_csv(p))
        else:
            runs.append(read_h5(p))
    return runs


# ---- netCDF-4 dimensions and coordinates ------------------------------------------------------

# What netCDF-C writes as the NAME of a dimension scale that is a dimension without a coordinate
# variable (its values are meaningless).
NC_NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable."
_SCALE_BOOKKEEPING = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "_Netcdf4Dimid",
                      "_Netcdf4Coordinates", "_nc3_strict"}


def open_h5(path, prog):
    """h5py.File(path) for HDF5 and netCDF-4 files, or exit with one line saying why not (a
    netCDF-3 file is not HDF5: nccopy -k nc4 converts it)."""
    import h5py
    try:
        return h5py.File(path, "r")
    except OSError as e:
        try:
            with open(path, "rb") as f:
                classic = f.read(3) == b"CDF"
        except OSError:
            classic = False
        if classic:
            sys.exit(f"{prog}: error: {path} is a netCDF-3 (classic) file, not HDF5; convert it: "
                     f"nccopy -k nc4 {path} {os.path.splitext(path)[0]}_nc4.nc")
        sys.exit(f"{prog}: error: cannot open {path}: {e}")


def is_bare_dimension(dset):
    """True for a netCDF dimension without a coordinate variable (a scale holding no data)."""
    tag = _py(dset.attrs.get("NAME", b"")) if "NAME" in dset.attrs else ""
    return isinstance(tag, str) and tag.startswith(NC_NOT_A_VARIABLE)


def dimensions(dset):
    """The axes of an h5py dataset as [{name, values, attrs}]: the names of its dimension scales
    (a netCDF-4 file, a sqcube result) with the coordinate variable's values and attributes
    (values None for a dimension without one), else dim0, dim1, ... (sqcube's names for axes
    without scales)."""
    out = []
    for k in range(len(dset.shape)):
        scales = dset.dims[k] if dset.shape else []
        if len(scales) == 0:
            out.append({"name": f"dim{k}", "values": None, "attrs": {}})
            continue
        s = scales[0]
        values = None if is_bare_dimension(s) else s[...]
        attrs = {a: _py(v) for a, v in s.attrs.items() if a not in _SCALE_BOOKKEEPING}
        out.append({"name": s.name.rsplit("/", 1)[-1], "values": values, "attrs": attrs})
    return out


def _is_axis(dim, names, units, standard):
    a = dim["attrs"]
    return dim["values"] is not None and (dim["name"].lower() in names or
                                          a.get("standard_name") == standard or
                                          str(a.get("units", "")) in units)


def map_axes(dims):
    """(index of the latitude axis, index of the longitude axis) when dims hold both as coordinate
    variables (by name lat/latitude, lon/longitude, CF standard_name or units degrees_north/east),
    else None."""
    lat = [i for i, d in enumerate(dims) if _is_axis(
        d, {"lat", "latitude"}, {"degrees_north", "degree_north", "degrees_N", "degree_N"},
        "latitude")]
    lon = [i for i, d in enumerate(dims) if _is_axis(
        d, {"lon", "longitude"}, {"degrees_east", "degree_east", "degrees_E", "degree_E"},
        "longitude")]
    return (lat[0], lon[0]) if lat and lon else None


def axis_label(name, attrs):
    """"long_name (units)" (else standard_name, else name) of a variable or coordinate."""
    text = str(attrs.get("long_name") or attrs.get("standard_name") or name)
    units = attrs.get("units")
    return f"{text} ({units})" if units not in (None, "") else text


def fmt_value(v):
    """A reduction for a table: exact integers as they are, floats to 6 significant digits."""
    if v is None:
        return ""
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.6g}"
    return str(v)


# ---- figures ---------------------------------------------------------------------------------

def add_figure_args(parser, default_png, width=8.0, height=4.5, dpi=100):
    g = parser.add_argument_group("figure")
    g.add_argument("-o", "--output", default=default_png,
                   help=f"PNG file to write (default: {default_png})")
    g.add_argument("--svg", action="store_true", help="also write an SVG beside the PNG")
    g.add_argument("--width", type=float, default=width, help=f"inches (default {width})")
    g.add_argument("--height", type=float, default=height, help=f"inches (default {height})")
    g.add_argument("--dpi", type=float, default=dpi,
                   help=f"dots per inch (default {dpi}): the PNG is width*dpi x height*dpi pixels")
    g.add_argument("--title", help="figure title (default: one made from the data)")


def figure(args, nrows=1, ncols=1):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(nrows, ncols, figsize=(args.width, args.height), dpi=args.dpi,
                             squeeze=False)
    return fig, axes


def title(fig, lines, fontsize=9):
    """Sets the figure's title, centred over the whole figure, from lines of phrases (lists of
    strings, joined by ", "): where a line does not fit the figure's width it is broken between
    phrases, and a phrase wider than the figure (a long file name) between characters, so that
    no title is clipped at the figure's edges, whatever the input's name or the notes it carries.
    """
    renderer = fig.canvas.get_renderer()
    room = 0.96 * fig.get_figwidth() * fig.dpi
    probe = fig.text(0, 0, "", fontsize=fontsize)

    def fits(text):
        probe.set_text(text)
        return probe.get_window_extent(renderer).width <= room

    out = []
    for phrases in lines:
        cur = ""
        for phrase in phrases:
            cand = f"{cur}, {phrase}" if cur else phrase
            if fits(cand):
                cur = cand
                continue
            if cur:
                out.append(cur + ",")
            cur = phrase
            while not fits(cur):  # one phrase wider than the figure: cut it where it must
                k = len(cur) - 1
                while k > 1 and not fits(cur[:k]):
                    k -= 1
                out.append(cur[:k])
                cur = cur[k:]
        out.append(cur)
    probe.remove()
    fig.suptitle("\n".join(out), fontsize=fontsize)


def save(fig, args):
    """Writes the PNG at exactly width*dpi x height*dpi pixels (no tight bounding box, which would
    change the size), and the SVG when asked. Returns the paths written."""
    fig.tight_layout()
    fig.savefig(args.output, dpi=args.dpi)
    written = [args.output]
    if args.svg:
        svg = os.path.splitext(args.output)[0] + ".svg"
        fig.savefig(svg)
        written.append(svg)
    import matplotlib.pyplot as plt
    plt.close(fig)
    for w in written:
        print(f"wrote {w}", file=sys.stderr)
    return written
