#!/usr/bin/python3
"""Checks a figure the analysis scripts wrote: the PNG decodes, is WIDTH x HEIGHT pixels, and is not
blank (more than one colour). With --svg, the SVG beside it parses as XML with an <svg> root.

  check_png.py FILE.png WIDTH_PX HEIGHT_PX [--svg]
"""
import sys
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402


def main():
    path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    img = mpimg.imread(path)  # decodes the PNG (raises if it does not)
    if img.shape[0] != h or img.shape[1] != w:
        sys.exit(f"FAIL: {path} is {img.shape[1]}x{img.shape[0]} pixels, expected {w}x{h}")
    flat = img.reshape(-1, img.shape[2] if img.ndim == 3 else 1)
    colours = len(np.unique(flat, axis=0))
    if colours < 2 or float(img.var()) == 0.0:
        sys.exit(f"FAIL: {path} is blank ({colours} colour)")
    if "--svg" in sys.argv[4:]:
        svg = path[:-4] + ".svg"
        root = ET.parse(svg).getroot()
        if not root.tag.endswith("svg"):
            sys.exit(f"FAIL: {svg} has root <{root.tag}>")
    print(f"ok: {path}: {w}x{h} pixels, {colours} colours")


if __name__ == "__main__":
    main()
