/*
 * h5io_access.h - how an input dataset can be read (private to the HDF5 edge: h5io*.c only).
 *
 * Parallel HDF5 1.10 reads most datasets through the MPI-IO driver, but not a virtual dataset
 * (VDS): those are read by each rank through its own serial (sec2) handle, opened read-only. An
 * external link is followed by HDF5 with the same file access (MPI-IO). A dataset whose filter the
 * library lacks, or a VDS whose source file is missing (HDF5 would silently read fill values), is
 * refused at the probe with one line.
 */
#ifndef SQCUBE_H5IO_ACCESS_H
#define SQCUBE_H5IO_ACCESS_H

#include <hdf5.h>
#include <stddef.h>
#include <sys/types.h>

/* "FIFO", "character device", ...: what a path that is not a regular file is (for messages). */
const char *sq_h5_file_kind(mode_t mode);

/* Describes how dataset d of file (opened serially by the probe) will be read into access (len
 * bytes, for /provenance input_access) and sets *serial for a virtual dataset. Returns 0, or -1
 * with the reason in detail (dlen bytes) when it cannot be read at all. Not collective. */
int sq_h5_input_access(const char *file, hid_t d, char *access, size_t len, int *serial,
                       char *detail, size_t dlen);

/* 1 when d must be read through serial handles (a virtual dataset). Metadata only: collective
 * when the file was opened through MPI-IO (every rank calls it). */
int sq_h5_needs_serial_read(hid_t d);

#endif
