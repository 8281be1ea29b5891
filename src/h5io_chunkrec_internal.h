/*
 * h5io_chunkrec_internal.h - what h5io.c and h5io_chunkrec.c, the two halves of the HDF5 edge that
 * write a checkpoint, share: HDF5 handles. Never include it outside those two files.
 */
#ifndef SQCUBE_H5IO_CHUNKREC_INTERNAL_H
#define SQCUBE_H5IO_CHUNKREC_INTERNAL_H

#include <hdf5.h>

#include "checkpoint.h"
#include "h5io.h"

/* From h5io.c: the writer's open file, its /checkpoint/records, the independent transfer list, its
 * path, and the innermost HDF5 message of the last failure (buf: 256 bytes). */
hid_t sq_h5__writer_file(const sq_h5_writer *w);
hid_t sq_h5__writer_records(const sq_h5_writer *w);
hid_t sq_h5__writer_dxpl_ind(const sq_h5_writer *w);
const char *sq_h5__writer_path(const sq_h5_writer *w);
const char *sq_h5__detail(char *buf);
/* From h5io.c: why a write of bytes to path failed ("" when unknown), e.g. "No space left on
 * device". */
const char *sq_h5__write_cause(const char *path, double bytes);

/* From h5io_chunkrec.c: creates /checkpoint/records (nchunks rows) in group; opens it in file. */
hid_t sq_h5__records_create(hid_t group, int64_t nchunks);
hid_t sq_h5__records_open(hid_t file);
/* Adds chunks_taken_over (int64[s - 1]: chunks taken over from sessions 1 .. s - 1) to every
 * resumed session s of runs: the current one (session) from r, the earlier ones from the
 * checkpoint's taken_over_<s> attributes. Call before /checkpoint goes. */
int sq_h5__runs_take_over(hid_t file, hid_t runs, const sq_resume *r, int32_t session);

#endif
