#!/usr/bin/python3
"""A quick look at a dataset of a result file (or any HDF5 or netCDF-4 file): its values and their
histogram, from a bounded sample, so that a file of billions of elements previews in seconds and
in little memory.

The axes follow the file's dimensions (a sqcube result carries its input's; docs/output-format.md):
  map      the data has latitude and longitude coordinates (netCDF/CF: lat, lon): one slice of it
           on a lat/lon map, the other dimensions at index 0 or at --index NAME=I;
  1-D      the values against the dimension's coordinate (e.g. time), or the element index;
  else     the values against the element index (row-major over the named dimensions).
Axis and colour bar labels are the coordinates' and the variable's long_name and units.

At most --max-points elements are read (default 100000), never the whole dataset:
  strided  every s-th element along each axis (1-D: s = ceil(N / max-points)), the default;
  random   1-D: 64 blocks of contiguous elements at random offsets; N-D: random indices along the
           first axis, strided along the others. --seed makes it repeatable.
Non-finite values (NaN, +-Inf) are counted and left out of the histogram.

Examples:
  analysis/preview.py out.h5                    # /cube
  analysis/preview.py out.h5 --dataset square --log --max-points 1e6 -o square.png
  analysis/preview.py map.nc --index time=1     # a map slice of /cube (lat/lon input)
"""
import argparse
import math
import sys
import textwrap

import numpy as np

import sqresult


def strides_for(shape, cap):
    """Per-axis strides whose sampled grid holds at most cap elements."""
    if len(shape) == 1:
        return [max(1, math.ceil(shape[0] / cap))]
    strides = [1] * len(shape)

    def count():
        return math.prod(math.ceil(d / s) for d, s in zip(shape, strides))

    while count() > cap:
        i = max(range(len(shape)), key=lambda a: math.ceil(shape[a] / strides[a]))
        strides[i] *= 2
    return strides


def sample(dset, cap, method, rng):
    """(flat element indices, values, description) of at most cap elements of dset."""
    shape = dset.shape
    n = math.prod(shape)
    if shape == ():
        return np.array([0]), np.array([dset[()]]), "scalar"
    if n == 0:
        return np.array([], dtype=np.int64), np.array([]), "empty"
    if n <= cap:
        return np.arange(n), dset[...].reshape(-1), "all elements"
    if method == "random" and len(shape) == 1:
        blocks = 64
        size = max(1, cap // blocks)
        starts = np.unique(rng.integers(0, n - size + 1, size=blocks))
        idx, vals = [], []
        last_end = -1
        for s in starts:
            s = max(int(s), last_end)  # no element twice
            e = min(n, s + size)
            if e <= s:
                continue
            idx.append(np.arange(s, e))
            vals.append(dset[s:e])
            last_end = e
        return (np.concatenate(idx), np.concatenate(vals),
                f"random: {len(idx)} blocks of up to {size}")
    if method == "random":
        trailing = shape[1:]
        per_row_cap = max(1, cap // min(shape[0], 64))
        ts = strides_for(trailing, per_row_cap)
        per_row = math.prod(math.ceil(d / s) for d, s in zip(trailing, ts))
        rows = np.unique(rng.integers(0, shape[0], size=max(1, cap // per_row)))
        sel = (list(rows),) + tuple(slice(None, None, s) for s in ts)
        vals = dset[sel]
        grids = np.meshgrid(rows, *[np.arange(0, d, s) for d, s in zip(trailing, ts)],
                            indexing="ij")
        idx = np.ravel_multi_index([g.reshape(-1) for g in grids], shape)
        return idx, vals.reshape(-1), f"random: {len(rows)} rows, strides {ts} within"
    st = strides_for(shape, cap)
    vals = dset[tuple(slice(None, None, s) for s in st)]
    grids = np.meshgrid(*[np.arange(0, d, s) for d, s in zip(shape, st)], indexing="ij")
    idx = np.ravel_multi_index([g.reshape(-1) for g in grids], shape)
    return idx, vals.reshape(-1), f"strided, every {'x'.join(map(str, st))}"


def parse_index(items, dims, prog):
    """--index NAME=I items as {axis: index}, checked against dims (a list of dimension dicts)."""
    names = [d["name"] for d in dims]
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in names or not value.lstrip("-").isdigit():
            sys.exit(f"{prog}: error: --index {item}: expected NAME=I with NAME one of "
                     f"{', '.join(names) or 'none (a scalar)'}")
        out[names.index(name)] = int(value)
    return out


def map_slice(dset, dims, axes, index, cap, prog):
    """(values 2-D (lat x lon), lat, lon, description) of one lat/lon slice of dset, strided to
    at most cap elements; the other axes at index (default 0)."""
    ilat, ilon = axes
    sel, where = [], []
    for k, d in enumerate(dims):
        if k in axes:
            continue
        i = index.get(k, 0)
        if not -dset.shape[k] <= i < dset.shape[k]:
            sys.exit(f"{prog}: error: --index {d['name']}={i}: the dimension has "
                     f"{dset.shape[k]} elements")
        i %= dset.shape[k]
        v = d["values"]
        units = d["attrs"].get("units", "")
        where.append(f"{d['name']}={i}" + (f" ({v[i]:g} {units})".replace(" )", ")")
                                             if v is not None and v.dtype.kind in "iuf" else ""))
    st = strides_for([dset.shape[ilat], dset.shape[ilon]], cap)
    for k in range(len(dims)):
        if k == ilat:
            sel.append(slice(None, None, st[0]))
        elif k == ilon:
            sel.append(slice(None, None, st[1]))
        else:
            sel.append(index.get(k, 0) % dset.shape[k])
    vals = np.asarray(dset[tuple(sel)])
    if ilat > ilon:  # (lon, lat) order: rows are latitudes on the map
        vals = vals.T
    lat = np.asarray(dims[ilat]["values"])[::st[0]]
    lon = np.asarray(dims[ilon]["values"])[::st[1]]
    how = f"map slice {', '.join(where) or 'whole'}, strided, every {st[0]}x{st[1]}"
    return vals, lat, lon, how, where


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="an HDF5 file (a sqcube result, or an input)")
    p.add_argument("--dataset", default="cube", help="dataset path (default: cube)")
    p.add_argument("--max-points", type=float, default=100000,
                   help="the most elements read (default 100000; 1e6 style accepted)")
    p.add_argument("--sample", choices=["strided", "random"], default="strided",
                   help="how to sample (default strided)")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample random (default 0)")
    p.add_argument("--bins", type=int, default=100, help="histogram bins (default 100)")
    p.add_argument("--log", action="store_true", help="logarithmic count axis")
    p.add_argument("--index", action="append", default=[], metavar="NAME=I",
                   help="the slice a map shows: index I of dimension NAME (default 0; repeat "
                        "for several dimensions)")
    p.add_argument("--no-map", action="store_true",
                   help="values against the element index even when the data has lat/lon")
    sqresult.add_figure_args(p, "preview.png", width=10, height=4)
    args = p.parse_args(argv)
    cap = int(args.max_points)
    if cap < 1:
        sys.exit("preview.py: error: --max-points must be at least 1")

    import h5py
    f = sqresult.open_h5(args.file, "preview.py")
    with f:
        if args.dataset not in f or not isinstance(f[args.dataset], h5py.Dataset):
            names = []
            # Numeric datasets only: those a histogram can show (not /provenance/affinity), and
            # not netCDF's dimensions without a variable (rank, phase, dim0, ...).
            f.visititems(lambda k, v: names.append(k)
                         if isinstance(v, h5py.Dataset) and v.dtype.kind in "iuf"
                         and not sqresult.is_bare_dimension(v) else None)
            sys.exit(f"preview.py: error: {args.file} has no dataset '{args.dataset}'; "
                     f"its datasets: {', '.join(names)}")
        d = f[args.dataset]
        n = math.prod(d.shape)
        dims = sqresult.dimensions(d)
        index = parse_index(args.index, dims, "preview.py")
        var = {k: sqresult._py(v) for k, v in d.attrs.items()}
        axes = None if args.no_map else sqresult.map_axes(dims)
        if axes:
            grid, lat, lon, how, where = map_slice(d, dims, axes, index, cap, "preview.py")
            vals = grid.reshape(-1)
        else:
            idx, vals, how = sample(d, cap, args.sample, np.random.default_rng(args.seed))
        shape = "x".join(map(str, d.shape)) or "scalar"
        if dims:
            shape += f" ({', '.join(x['name'] for x in dims)})"
    vals = np.asarray(vals, dtype=float) if vals.dtype.kind != "f" else vals
    finite = np.isfinite(vals)
    nonfinite = int((~finite).sum())
    fv = vals[finite]
    print(f"{args.file}:/{args.dataset.lstrip('/')}: shape {shape}, N = {n}; sampled "
          f"{len(vals)} elements ({how}); nonfinite {nonfinite}" +
          (f"; sample min {fv.min():.6g}, mean {fv.mean():.6g}, max {fv.max():.6g}"
           if len(fv) else ""))

    name = args.dataset.strip("/").rsplit("/", 1)[-1]
    label = sqresult.axis_label(name, var)
    # Long labels wrap to their panel (about 13 characters of 10-point text an inch): along the
    # height for a colour bar or y axis, along a third of the width for the histogram's x axis.
    tall = max(12, int(0.7 * args.height * 13))
    wide = max(12, int(0.33 * args.width * 13))
    fig, panels = sqresult.figure(args, 1, 2)
    ax_v, ax_h = panels[0]
    if axes:
        ylab = sqresult.axis_label(dims[axes[0]]["name"], dims[axes[0]]["attrs"])
        xlab = sqresult.axis_label(dims[axes[1]]["name"], dims[axes[1]]["attrs"])
        print(f"map: x {xlab}, y {ylab}, colour {label}; {', '.join(where) or 'one slice'}")
        mesh = ax_v.pcolormesh(lon, lat, np.ma.masked_invalid(grid.astype(float)),
                               shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax_v, label=textwrap.fill(label, tall))
        ax_v.set_xlabel(xlab)
        ax_v.set_ylabel(ylab)
    else:
        xdim = dims[0] if len(dims) == 1 and dims[0]["values"] is not None else None
        xs = np.asarray(xdim["values"])[idx] if xdim is not None else idx
        if len(fv):
            ax_v.plot(xs[finite], fv, ".", markersize=2 if len(fv) > 2000 else 4,
                      color="#4c72b0")
        ax_v.set_xlabel(sqresult.axis_label(xdim["name"], xdim["attrs"]) if xdim is not None
                        else "element index (row-major"
                        + (f" over {', '.join(x['name'] for x in dims)})" if len(dims) > 1
                           else ")"))
        ax_v.set_ylabel(textwrap.fill(label, tall))
        print(f"axes: x {ax_v.get_xlabel()}, y {label}".replace("\n", " "))
    if len(fv):
        ax_h.hist(fv, bins=args.bins, color="#55a868", log=args.log)
    else:
        for ax in (ax_v, ax_h):
            ax.text(0.5, 0.5, "no finite values" if n else "no elements", ha="center",
                    va="center", transform=ax.transAxes)
    ax_h.set_xlabel(textwrap.fill(label, wide))
    ax_h.set_ylabel("count in the sample")
    for ax in (ax_v, ax_h) if not axes else (ax_h,):
        ax.grid(alpha=0.3)
    sqresult.title(fig, [[args.title]] if args.title else [
        [f"{args.file.split('/')[-1]}:/{args.dataset.lstrip('/')}", f"N = {n}",
         f"{len(vals)} sampled ({how})"] + ([f"{nonfinite} non-finite"] if nonfinite else [])],
        fontsize=9)
    sqresult.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
