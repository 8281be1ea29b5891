#!/usr/bin/python3
"""A quick look at a dataset of a result file (or any HDF5 file): its values against the element
index and their histogram, from a bounded sample, so that a file of billions of elements previews
in seconds and in little memory.

At most --max-points elements are read (default 100000), never the whole dataset:
  strided  every s-th element along each axis (1-D: s = ceil(N / max-points)), the default;
  random   1-D: 64 blocks of contiguous elements at random offsets; N-D: random indices along the
           first axis, strided along the others. --seed makes it repeatable.
Non-finite values (NaN, +-Inf) are counted and left out of the histogram.

Examples:
  analysis/preview.py out.h5                    # /cube
  analysis/preview.py out.h5 --dataset square --log --max-points 1e6 -o square.png
"""
import argparse
import math
import sys

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
    sqresult.add_figure_args(p, "preview.png", width=10, height=4)
    args = p.parse_args(argv)
    cap = int(args.max_points)
    if cap < 1:
        sys.exit("preview.py: error: --max-points must be at least 1")

    import h5py
    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        sys.exit(f"preview.py: error: cannot open {args.file}: {e}")
    with f:
        if args.dataset not in f or not isinstance(f[args.dataset], h5py.Dataset):
            names = []
            # Numeric datasets only: those a histogram can show (not /provenance/affinity).
            f.visititems(lambda k, v: names.append(k)
                         if isinstance(v, h5py.Dataset) and v.dtype.kind in "iuf" else None)
            sys.exit(f"preview.py: error: {args.file} has no dataset '{args.dataset}'; "
                     f"its datasets: {', '.join(names)}")
        d = f[args.dataset]
        n = math.prod(d.shape)
        idx, vals, how = sample(d, cap, args.sample, np.random.default_rng(args.seed))
        shape = "x".join(map(str, d.shape)) or "scalar"
    vals = np.asarray(vals, dtype=float) if vals.dtype.kind != "f" else vals
    finite = np.isfinite(vals)
    nonfinite = int((~finite).sum())
    fv = vals[finite]
    print(f"{args.file}:/{args.dataset.lstrip('/')}: shape {shape}, N = {n}; sampled "
          f"{len(vals)} elements ({how}); nonfinite {nonfinite}" +
          (f"; sample min {fv.min():.6g}, mean {fv.mean():.6g}, max {fv.max():.6g}"
           if len(fv) else ""))

    fig, axes = sqresult.figure(args, 1, 2)
    ax_v, ax_h = axes[0]
    if len(fv):
        ax_v.plot(idx[finite], fv, ".", markersize=2 if len(fv) > 2000 else 4, color="#4c72b0")
        ax_h.hist(fv, bins=args.bins, color="#55a868", log=args.log)
    else:
        for ax in (ax_v, ax_h):
            ax.text(0.5, 0.5, "no finite values" if n else "no elements", ha="center",
                    va="center", transform=ax.transAxes)
    ax_v.set_xlabel("element index (row-major)")
    ax_v.set_ylabel(args.dataset.lstrip("/"))
    ax_h.set_xlabel(args.dataset.lstrip("/"))
    ax_h.set_ylabel("count in the sample")
    for ax in (ax_v, ax_h):
        ax.grid(alpha=0.3)
    fig.suptitle(args.title or f"{args.file.split('/')[-1]}:/{args.dataset.lstrip('/')}, "
                 f"N = {n}, {len(vals)} sampled ({how})"
                 + (f", {nonfinite} non-finite" if nonfinite else ""), fontsize=9)
    sqresult.save(fig, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
