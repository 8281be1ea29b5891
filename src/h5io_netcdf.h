/*
 * h5io_netcdf.h - the netCDF-4 view of a result file (private to the HDF5 edge: h5io*.c only).
 *
 * A netCDF-4 file is an HDF5 file whose every variable axis has a dimension scale (HDF5's H5DS):
 * a 1-D dataset whose name is the dimension's name, holding the coordinate values (a coordinate
 * variable) or nothing (a dimension without a variable, marked by netCDF's NAME text). These
 * functions give /square, /cube, /timing and /provenance/affinity their dimensions, copy the
 * input's coordinate variables, derive the variables' attributes, and write `Conventions` and
 * `history`, so that netCDF-C (ncdump, NCO, CDO), h5netcdf and xarray read the file as it is.
 *
 * Parallel HDF5 rule kept here: every metadata change (creating a dataset, an attribute, a scale,
 * attaching one) is made by every rank with identical arguments; the raw data of the small
 * coordinate datasets is written by rank 0 in a collective call where the other ranks select
 * nothing. No MPI calls of its own (the ranks' agreement comes from the identical inputs).
 */
#ifndef SQCUBE_H5IO_NETCDF_H
#define SQCUBE_H5IO_NETCDF_H

#include <hdf5.h>
#include <stdint.h>

#include "plan.h"

/* Where the data came from: an input dataset (its file's metadata read through src_dxpl) or a
 * generator (src_dset < 0, generator its spec). */
typedef struct sq_nc_source {
    hid_t src_file;        /* the open input file, or -1 */
    hid_t src_dset;        /* the open input dataset, or -1 */
    hid_t src_dxpl;        /* transfer list for reading its coordinates (collective or not) */
    const char *src_name;  /* the input dataset's path, e.g. "/t2m" ("" for generated) */
    const char *generator; /* the generator spec for generated input, else "" */
} sq_nc_source;

/* The dimension names given to the axes of an input without dimension scales: dim0, dim1, ... */
#define SQ_NC_DIM_PREFIX "dim"

/* Gives /square and /cube (of shape, in file) their dimensions: the input's dimension names with
 * its coordinate variables copied (values and attributes), or SQ_NC_DIM_PREFIX<k> dimensions
 * without variables; writes their long_name, units and carried attributes, and the root's
 * `Conventions` (a CF input) and the input's `history`. rank: this process's rank in the file's
 * communicator (0 writes the coordinate values). Collective. Returns 0 or -1 (HDF5's detail
 * captured by the caller's error handler). */
int sq_nc_describe(hid_t file, hid_t square, hid_t cube, const sq_shape *shape,
                   const sq_nc_source *src, int rank);

/* /timing's dimensions `rank` and `phase`, without variables (the phase names are the `phases`
 * attribute). Collective. */
int sq_nc_timing(hid_t file, hid_t timing, int64_t nranks, int64_t nphases);

/* /provenance/affinity's dimension `affinity_row` (no variable), created in group. Collective. */
int sq_nc_affinity(hid_t group, hid_t affinity, int64_t rows);

/* Prepends "<date>: <command_line>" (date from end_time_utc, ISO 8601 UTC, written as NCO and CDO
 * do: "Tue Nov 25 18:20:00 2026") to the root attribute `history` (kept from the input by
 * sq_nc_describe), one line per run. Collective. */
int sq_nc_history(hid_t file, const char *end_time_utc, const char *command_line);

#endif
