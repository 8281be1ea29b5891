#!/usr/bin/python3
"""Writes the real-input benchmark's file: a netCDF-4 file (HDF5 underneath) holding one
(time, lat, lon) float64 variable V with CF coordinate variables and units, the shape of a
climate model's output. 100 x 1000 x 1000 (the default) is 1e8 values, 800 MB of V.

  make_netcdf.py FILE [NTIME NLAT NLON]

V is a smooth field (a surface temperature in K: a latitude profile, a day-night wave, a slow
trend), written one time step at a time so the memory stays at one step. V is contiguous and
uncompressed, as netCDF-4 stores fixed-size variables by default. Uses Debian's python3-netcdf4.
"""
import sys

import numpy as np
from netCDF4 import Dataset


def main():
    if len(sys.argv) not in (2, 5):
        sys.exit(__doc__)
    path = sys.argv[1]
    nt, ny, nx = (int(a) for a in sys.argv[2:5]) if len(sys.argv) == 5 else (100, 1000, 1000)
    with Dataset(path, "w", format="NETCDF4") as f:
        f.createDimension("time", nt)
        f.createDimension("lat", ny)
        f.createDimension("lon", nx)
        t = f.createVariable("time", "f8", ("time",))
        t.units, t.standard_name, t.calendar = "hours since 2000-01-01 00:00:00", "time", "standard"
        lat = f.createVariable("lat", "f8", ("lat",))
        lat.units, lat.standard_name = "degrees_north", "latitude"
        lon = f.createVariable("lon", "f8", ("lon",))
        lon.units, lon.standard_name = "degrees_east", "longitude"
        v = f.createVariable("V", "f8", ("time", "lat", "lon"), contiguous=True)
        v.units, v.standard_name = "K", "surface_temperature"
        v.long_name = "synthetic surface temperature (sqcube bench/make_netcdf.py)"
        f.title = "sqcube real-input benchmark"
        f.Conventions = "CF-1.8"
        t[:] = np.arange(nt, dtype=np.float64) * 6.0
        lat[:] = np.linspace(-90, 90, ny)
        lon[:] = np.linspace(0, 360, nx, endpoint=False)
        profile = 300.0 - 50.0 * np.sin(np.radians(lat[:])) ** 2
        for k in range(nt):
            wave = 8.0 * np.cos(np.radians(lon[:] - 90.0 * k))
            v[k, :, :] = profile[:, None] + wave[None, :] + 0.001 * k
    print(f"make_netcdf: {path}: V({nt}, {ny}, {nx}) float64, {8 * nt * ny * nx / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
