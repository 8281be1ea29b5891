/*
 * h5io.c - what the HDF5 edge's files share: HDF5's errors as one line, the library's settings, the
 * MPI-IO property lists, hyperslab selections, split transfers, and attributes.
 *
 * The HDF5 edge (h5io*.c behind the public h5io.h and the private h5io_internal.h) is the only
 * code in sqcube that calls HDF5. Input is opened through the MPI-IO driver and read with
 * collective transfers; output is created the same way, with no fill values (every element is
 * written once) and collective metadata. The communicator and the MPI-IO hints arrive from the
 * MPI edge (parallel_mpi.h); these files make no MPI calls of their own.
 */
#include "h5io_internal.h"

#include "parallel_mpi.h"
#include "parse.h"

#include <errno.h>
#include <hdf5.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- errors ----------------------------------------------------------------------------- */

static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data) {
    (void)n;
    /* Walking downward, the last record with text is the innermost: the system-level cause. */
    if (e->desc && e->desc[0])
        snprintf((char *)data, 256, "%s", e->desc);
    return 0;
}

/* The innermost message of the last failed HDF5 call. HDF5 clears its error stack at the start of
 * every API call, so the cleanup after a failure would wipe it: the automatic error handler below
 * records it the moment the failing call returns. */
char sq_h5__last_detail[256];
static int debug_hdf5;

static herr_t capture_error(hid_t stack, void *client) {
    (void)client;
    sq_h5__last_detail[0] = '\0';
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, innermost_cb, sq_h5__last_detail);
    if (debug_hdf5)
        H5Eprint2(stack, stderr);
    return 0;
}

/* The detail of the last failure (e.g. "unable to open file: ..., errno = 13, error message =
 * 'Permission denied'"), then forgotten. */
const char *sq_h5__h5_detail(char *buf) {
    snprintf(buf, 256, "%s", sq_h5__last_detail[0] ? sq_h5__last_detail : "no detail from HDF5");
    sq_h5__last_detail[0] = '\0';
    return buf;
}

/* The most elements one H5Dread/H5Dwrite call moves (all memory types here are 8 bytes): 1 GiB,
 * well below the 2 GiB where int counts in MPI-IO end. SQCUBE_MAX_TRANSFER (bytes) lowers it, so
 * that the tests can exercise the splitting on small data. */
static int64_t transfer_piece = (INT64_C(1) << 30) / 8;

int sq_h5_init(sq_error *err) {
    const char *debug = getenv("SQCUBE_HDF5_DEBUG");
    debug_hdf5 = debug != NULL && strcmp(debug, "1") == 0;
    H5Eset_auto2(H5E_DEFAULT, capture_error, NULL);
    const char *max = getenv("SQCUBE_MAX_TRANSFER");
    if (max == NULL || *max == '\0')
        return SQ_OK;
    int64_t bytes = 0;
    if (sq_parse_count_min(max, "SQCUBE_MAX_TRANSFER", 8, &bytes, err))
        return err->status;
    if (bytes / 8 > transfer_piece)
        return sq_fail(err, SQ_ERR_USAGE,
                       "SQCUBE_MAX_TRANSFER: '%s' is more than the default of 1G (1073741824 "
                       "bytes), which it can only lower; unset it or give 8 to 1G",
                       max);
    transfer_piece = bytes / 8;
    return SQ_OK;
}

int64_t sq_h5_max_transfer(void) {
    return transfer_piece * 8;
}

void sq_h5_version(char *buf, size_t len) {
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    snprintf(buf, len, "%u.%u.%u", maj, min, rel);
}

int sq_h5_is_parallel(void) {
#ifdef H5_HAVE_PARALLEL
    return 1;
#else
    return 0;
#endif
}

hid_t sq_h5__native_type(sq_dtype t) {
    return t == SQ_DTYPE_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
}

hid_t sq_h5__read_type(sq_read_type t) {
    return t == SQ_READ_INT64    ? H5T_NATIVE_INT64
           : t == SQ_READ_UINT64 ? H5T_NATIVE_UINT64
                                 : H5T_NATIVE_DOUBLE;
}

/* File access through MPI-IO (with the given hints) and collective metadata writes. Metadata reads
 * are collective only with collective transfers: with independent ones the ranks run free, and a
 * read that walks a chunk index must not wait for ranks that are elsewhere. */
hid_t sq_h5__mpio_fapl_hints(const sq_par *par, const char *hints, sq_io_mode io) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
    /* HDF5 keeps its own copy of the communicator and the hints. */
    MPI_Info info = sq_par_info_create(hints);
    const herr_t set = H5Pset_fapl_mpio(fapl, sq_par_mpi_comm(par), info);
    sq_par_info_free(&info);
    if (set < 0 || H5Pset_all_coll_metadata_ops(fapl, io == SQ_IO_COLLECTIVE) < 0 ||
        H5Pset_coll_metadata_write(fapl, 1) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

hid_t sq_h5__mpio_fapl(const sq_par *par) {
    return sq_h5__mpio_fapl_hints(par, "", SQ_IO_COLLECTIVE);
}

hid_t sq_h5__transfer_dxpl(sq_io_mode io) {
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    const H5FD_mpio_xfer_t mode =
        io == SQ_IO_INDEPENDENT ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE;
    if (dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, mode) < 0) {
        H5Pclose(dxpl);
        return -1;
    }
    return dxpl;
}

hid_t sq_h5__collective_dxpl(void) {
    return sq_h5__transfer_dxpl(SQ_IO_COLLECTIVE);
}

static void io_note(io_record *rec, hid_t dxpl) {
    H5D_mpio_actual_io_mode_t mode;
    uint32_t local = 0, global = 0;
    if (H5Pget_mpio_actual_io_mode(dxpl, &mode) >= 0)
        rec->modes |= 1u << (unsigned)mode;
    if (H5Pget_mpio_no_collective_cause(dxpl, &local, &global) >= 0)
        rec->causes |= global | local;
}

void sq_h5__io_describe(const io_record *rec, char *actual, size_t alen, char *cause, size_t clen) {
    /* rec->modes has bit (1 << m) for every H5D_mpio_actual_io_mode_t m seen: NO_COLLECTIVE (0),
     * CHUNK_INDEPENDENT (1), CHUNK_COLLECTIVE (2), CHUNK_MIXED (3), CONTIGUOUS_COLLECTIVE (4).
     * Chunked (--compress) output is written by the chunk schemes, contiguous by the last. */
    const unsigned bit_none = 1u << H5D_MPIO_NO_COLLECTIVE,
                   bit_cind = 1u << H5D_MPIO_CHUNK_INDEPENDENT,
                   bit_ccol = 1u << H5D_MPIO_CHUNK_COLLECTIVE,
                   bit_cmix = 1u << H5D_MPIO_CHUNK_MIXED,
                   bit_cont = 1u << H5D_MPIO_CONTIGUOUS_COLLECTIVE;
    const int coll = (rec->modes & (bit_ccol | bit_cmix | bit_cont)) != 0,
              indep = (rec->modes & (bit_none | bit_cind | bit_cmix)) != 0,
              chunked = (rec->modes & (bit_cind | bit_ccol | bit_cmix)) != 0,
              contiguous = (rec->modes & bit_cont) != 0;
    if (rec->modes == 0)
        snprintf(actual, alen, "none (no data)");
    else if (rec->modes & ~(bit_none | bit_cind | bit_ccol | bit_cmix | bit_cont))
        snprintf(actual, alen, "other (mode bits 0x%x)", rec->modes); /* a newer HDF5's mode */
    else
        snprintf(actual, alen, "%s%s",
                 coll && indep ? "collective and independent"
                 : coll        ? "collective"
                               : "independent",
                 chunked && contiguous ? " (contiguous and chunked)"
                 : chunked             ? " (chunked)"
                 : contiguous          ? " (contiguous)"
                                       : "");
    static const struct {
        uint32_t bit;
        const char *text;
    } causes[] = {
        {H5D_MPIO_SET_INDEPENDENT, "independent requested"},
        {H5D_MPIO_DATATYPE_CONVERSION, "datatype conversion"},
        {H5D_MPIO_DATA_TRANSFORMS, "data transforms"},
        {H5D_MPIO_MPI_OPT_TYPES_ENV_VAR_DISABLED, "MPI derived types disabled"},
        {H5D_MPIO_NOT_SIMPLE_OR_SCALAR_DATASPACES, "dataspace not simple or scalar"},
        {H5D_MPIO_NOT_CONTIGUOUS_OR_CHUNKED_DATASET, "dataset neither contiguous nor chunked"},
        {H5D_MPIO_PARALLEL_FILTERED_WRITES_DISABLED, "parallel filtered writes disabled"},
        {H5D_MPIO_ERROR_WHILE_CHECKING_COLLECTIVE_POSSIBLE, "error while checking"},
    };
    size_t used = 0;
    cause[0] = '\0';
    for (size_t i = 0; i < sizeof causes / sizeof causes[0]; ++i)
        if (rec->causes & causes[i].bit)
            used += (size_t)snprintf(cause + used, used < clen ? clen - used : 0, "%s%s",
                                     used ? ", " : "", causes[i].text);
    if (used == 0)
        snprintf(cause, clen, "none");
}

/* Adds one block to a selection: SET for the first, OR for the rest. */
typedef struct select_ctx {
    hid_t space;
    int first;
} select_ctx;

static int select_block(const int64_t *start, const int64_t *count, void *ctx) {
    select_ctx *c = ctx;
    const int rank = H5Sget_simple_extent_ndims(c->space);
    hsize_t s[SQ_MAX_RANK], n[SQ_MAX_RANK];
    for (int k = 0; k < rank; ++k) {
        s[k] = (hsize_t)start[k];
        n[k] = (hsize_t)count[k];
    }
    if (H5Sselect_hyperslab(c->space, c->first ? H5S_SELECT_SET : H5S_SELECT_OR, s, NULL, n, NULL) <
        0)
        return -1;
    c->first = 0;
    return 0;
}

/* Selects the flat (row-major) range [offset, offset + count) of a dataset of any rank - a union of
 * hyperslab blocks, see sq_shape_blocks - or nothing when count is 0; makes a matching 1-D memory
 * space. Returns 0 or -1 (spaces closed). */
static int select_range(hid_t dset, int64_t offset, int64_t count, hid_t *fspace, hid_t *mspace) {
    *fspace = H5Dget_space(dset);
    if (*fspace < 0)
        return -1;
    const hsize_t mdim = count > 0 ? (hsize_t)count : 1;
    *mspace = H5Screate_simple(1, &mdim, NULL);
    if (*mspace < 0) {
        H5Sclose(*fspace);
        return -1;
    }
    int rc;
    const int rank = H5Sget_simple_extent_ndims(*fspace);
    if (count == 0) {
        rc = (H5Sselect_none(*fspace) < 0 || H5Sselect_none(*mspace) < 0) ? -1 : 0;
    } else if (rank == 0) {
        rc = H5Sselect_all(*fspace) < 0 ? -1 : 0; /* a scalar: its one element */
    } else if (rank < 0 || rank > SQ_MAX_RANK) {
        rc = -1;
    } else {
        sq_shape shape = {.rank = rank};
        hsize_t dims[SQ_MAX_RANK];
        H5Sget_simple_extent_dims(*fspace, dims, NULL);
        for (int k = 0; k < rank; ++k)
            shape.dims[k] = (int64_t)dims[k];
        select_ctx ctx = {*fspace, 1};
        rc = sq_shape_blocks(&shape, offset, offset + count, select_block, &ctx) < 0 ? -1 : 0;
    }
    if (rc < 0) {
        H5Sclose(*mspace);
        H5Sclose(*fspace);
        return -1;
    }
    return 0;
}

/* The errno of the last failed transfer (e.g. ENOSPC from the MPI-IO layer's write), 0 when the
 * library left none: HDF5's own detail ("file write failed") does not say why. */
int sq_h5__transfer_errno;

/* The cause of a failed write of `bytes` to path: the errno the MPI-IO layer left, else ENOSPC
 * when the file system holding path has less room than the write needed (Open MPI's MPI-IO
 * prints the errno but does not always return it), else "" (unknown). */
const char *sq_h5__write_cause(const char *path, double bytes) {
    if (sq_h5__transfer_errno != 0)
        return strerror(sq_h5__transfer_errno);
    char dir[SQ_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    struct statvfs fs;
    if (statvfs(dirname(dir), &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize < bytes)
        return strerror(ENOSPC);
    return "";
}

/* Reads or writes the flat range [offset, offset + count) of dset from or into buf (8-byte
 * elements), in sq_transfer_calls(max_request, piece) calls - the same number on every rank, as
 * collective transfers need - of at most `piece` elements each. A failed call does not end the
 * loop: the other ranks may not have seen the failure (MPI-IO reports a write error on the
 * aggregators only) and wait in the remaining collective calls. Notes the I/O mode of the calls
 * that moved data in rec. Returns 0, -1 when a selection failed, -2 when a transfer failed. */
int sq_h5__transfer(hid_t dset, hid_t mtype, hid_t dxpl, int64_t offset, int64_t count,
                    int64_t max_request, void *buf, int writing, io_record *rec) {
    const int64_t calls =
        sq_transfer_calls(max_request > count ? max_request : count, transfer_piece);
    int failed = 0;
    for (int64_t p = 0; p < calls; ++p) {
        const sq_range part = sq_transfer_piece(count, transfer_piece, p);
        const int64_t n = part.end - part.begin;
        hid_t fspace, mspace;
        if (select_range(dset, offset + part.begin, n, &fspace, &mspace) < 0)
            return -1;
        char *at = (char *)buf + part.begin * 8;
        errno = 0;
        const herr_t rc = writing ? H5Dwrite(dset, mtype, mspace, fspace, dxpl, at)
                                  : H5Dread(dset, mtype, mspace, fspace, dxpl, at);
        if (rc < 0 && !failed) {
            failed = 1;
            sq_h5__transfer_errno = errno;
        }
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (rc >= 0 && n > 0 && rec != NULL)
            io_note(rec, dxpl);
    }
    return failed ? -2 : 0;
}

/* ---- attributes -------------------------------------------------------------------------- */

int sq_h5__attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                      const void *value) {
    const hid_t a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const herr_t rc = H5Awrite(a, mtype, value);
    return (H5Aclose(a) < 0 || rc < 0) ? -1 : 0;
}

static int attr_scalar(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value) {
    const hid_t space = H5Screate(H5S_SCALAR);
    if (space < 0)
        return -1;
    const int rc = sq_h5__attr_write(loc, name, ftype, mtype, space, value);
    H5Sclose(space);
    return rc;
}

/* Numbers are stored little-endian whatever the host and read back as native. */
int sq_h5__attr_i64(hid_t loc, const char *name, int64_t v) {
    return attr_scalar(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

int sq_h5__attr_f64(hid_t loc, const char *name, double v) {
    return attr_scalar(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* Strings are variable-length UTF-8, which h5py returns as str. */
static hid_t vlen_string_type(void) {
    const hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

int sq_h5__attr_str(hid_t loc, const char *name, const char *v) {
    const hid_t t = vlen_string_type();
    if (t < 0)
        return -1;
    const int rc = attr_scalar(loc, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

int sq_h5__attr_strs(hid_t loc, const char *name, const char *const *v, size_t n) {
    const hid_t t = vlen_string_type();
    const hsize_t dim = n;
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    int rc = -1;
    if (t >= 0 && space >= 0)
        rc = sq_h5__attr_write(loc, name, t, t, space, v);
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int sq_h5__read_i64(hid_t loc, const char *name, int64_t *v) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const herr_t rc = H5Aread(a, H5T_NATIVE_INT64, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

int sq_h5__read_f64(hid_t loc, const char *name, double *v) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const herr_t rc = H5Aread(a, H5T_NATIVE_DOUBLE, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

int sq_h5__read_str(hid_t loc, const char *name, char *buf, size_t len) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const hid_t t = vlen_string_type();
    char *v = NULL;
    const herr_t rc = t >= 0 ? H5Aread(a, t, &v) : -1;
    if (rc >= 0) {
        snprintf(buf, len, "%s", v ? v : "");
        H5free_memory(v);
    }
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

/* Is the attribute stored as an integer? (min and max are int64 or float64.) */
int sq_h5__attr_is_integer(hid_t loc, const char *name) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return 0;
    const hid_t t = H5Aget_type(a);
    const int is_int = t >= 0 && H5Tget_class(t) == H5T_INTEGER;
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return is_int;
}
