/*
 * h5io.c - the only compilation unit in sqcube that calls HDF5 functions.
 *
 * Input is opened through the MPI-IO driver and read with collective transfers; output is created
 * the same way, with no fill values (every element is written once) and collective metadata. The
 * communicator arrives from the caller; this file makes no MPI calls of its own.
 */
#include "h5io.h"
#include "h5io_access.h"
#include "h5io_netcdf.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <hdf5.h>
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
static char last_detail[256];
static int debug_hdf5;

static herr_t capture_error(hid_t stack, void *client) {
    (void)client;
    last_detail[0] = '\0';
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, innermost_cb, last_detail);
    if (debug_hdf5)
        H5Eprint2(stack, stderr);
    return 0;
}

/* The detail of the last failure (e.g. "unable to open file: ..., errno = 13, error message =
 * 'Permission denied'"), then forgotten. */
static const char *h5_detail(char *buf) {
    snprintf(buf, 256, "%s", last_detail[0] ? last_detail : "no detail from HDF5");
    last_detail[0] = '\0';
    return buf;
}

/* The most elements one H5Dread/H5Dwrite call moves (all memory types here are 8 bytes): 1 GiB,
 * well below the 2 GiB where int counts in MPI-IO end. SQCUBE_MAX_TRANSFER (bytes) lowers it, so
 * that the tests can exercise the splitting on small data. */
static int64_t transfer_piece = (INT64_C(1) << 30) / 8;

void sq_h5_init(void) {
    const char *debug = getenv("SQCUBE_HDF5_DEBUG");
    debug_hdf5 = debug != NULL && strcmp(debug, "1") == 0;
    const char *max = getenv("SQCUBE_MAX_TRANSFER");
    if (max != NULL && *max != '\0') {
        char *end;
        const long long bytes = strtoll(max, &end, 10);
        if (*end == '\0' && bytes >= 8 && bytes / 8 < transfer_piece)
            transfer_piece = bytes / 8;
    }
    H5Eset_auto2(H5E_DEFAULT, capture_error, NULL);
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

static hid_t native_type(sq_dtype t) {
    return t == SQ_DTYPE_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
}

static hid_t read_type(sq_read_type t) {
    return t == SQ_READ_INT64    ? H5T_NATIVE_INT64
           : t == SQ_READ_UINT64 ? H5T_NATIVE_UINT64
                                 : H5T_NATIVE_DOUBLE;
}

/* File access through MPI-IO (with the given hints) and collective metadata writes. Metadata reads
 * are collective only with collective transfers: with independent ones the ranks run free, and a
 * read that walks a chunk index must not wait for ranks that are elsewhere. */
static hid_t mpio_fapl_hints(MPI_Comm comm, MPI_Info hints, sq_io_mode io) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
    if (H5Pset_fapl_mpio(fapl, comm, hints) < 0 ||
        H5Pset_all_coll_metadata_ops(fapl, io == SQ_IO_COLLECTIVE) < 0 ||
        H5Pset_coll_metadata_write(fapl, 1) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

static hid_t mpio_fapl(MPI_Comm comm) {
    return mpio_fapl_hints(comm, MPI_INFO_NULL, SQ_IO_COLLECTIVE);
}

static hid_t transfer_dxpl(sq_io_mode io) {
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    const H5FD_mpio_xfer_t mode =
        io == SQ_IO_INDEPENDENT ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE;
    if (dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, mode) < 0) {
        H5Pclose(dxpl);
        return -1;
    }
    return dxpl;
}

static hid_t collective_dxpl(void) {
    return transfer_dxpl(SQ_IO_COLLECTIVE);
}

/* What HDF5 did for the transfers with data: the actual modes seen and the causes reported. */
typedef struct io_record {
    unsigned modes;  /* bit (1 << mode) for each H5D_mpio_actual_io_mode_t seen */
    uint32_t causes; /* OR of the global no-collective causes */
} io_record;

static void io_note(io_record *rec, hid_t dxpl) {
    H5D_mpio_actual_io_mode_t mode;
    uint32_t local = 0, global = 0;
    if (H5Pget_mpio_actual_io_mode(dxpl, &mode) >= 0)
        rec->modes |= 1u << (unsigned)mode;
    if (H5Pget_mpio_no_collective_cause(dxpl, &local, &global) >= 0)
        rec->causes |= global | local;
}

static void io_describe(const io_record *rec, char *actual, size_t alen, char *cause, size_t clen) {
    const unsigned coll = 1u << H5D_MPIO_CONTIGUOUS_COLLECTIVE,
                   indep = 1u << H5D_MPIO_NO_COLLECTIVE;
    if (rec->modes == 0)
        snprintf(actual, alen, "none (no data)");
    else if (rec->modes == coll)
        snprintf(actual, alen, "collective (contiguous)");
    else if (rec->modes == indep)
        snprintf(actual, alen, "independent");
    else if (rec->modes == (coll | indep))
        snprintf(actual, alen, "collective and independent");
    else
        snprintf(actual, alen, "other (mode bits 0x%x)", rec->modes);
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
static int transfer_errno;

/* The cause of a failed write of `bytes` to path: the errno the MPI-IO layer left, else ENOSPC
 * when the file system holding path has less room than the write needed (Open MPI's MPI-IO
 * prints the errno but does not always return it), else "" (unknown). */
static const char *write_cause(const char *path, double bytes) {
    if (transfer_errno != 0)
        return strerror(transfer_errno);
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
static int transfer(hid_t dset, hid_t mtype, hid_t dxpl, int64_t offset, int64_t count,
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
            transfer_errno = errno;
        }
        H5Sclose(mspace);
        H5Sclose(fspace);
        if (rc >= 0 && n > 0 && rec != NULL)
            io_note(rec, dxpl);
    }
    return failed ? -2 : 0;
}

/* ---- probing an input ----------------------------------------------------------------- */

typedef struct dataset_list {
    char names[8][SQ_DSET_MAX]; /* the first few, for messages */
    int count;
} dataset_list;

static herr_t collect_datasets(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
    (void)obj;
    dataset_list *list = data;
    if (info->type == H5O_TYPE_DATASET) {
        if (list->count < 8)
            snprintf(list->names[list->count], SQ_DSET_MAX, "/%s", name);
        ++list->count;
    }
    return 0;
}

static void format_candidates(const dataset_list *list, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < list->count && i < 8; ++i)
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", i ? ", " : "",
                                 list->names[i]);
    if (list->count > 8 && used < len)
        snprintf(buf + used, len - used, ", ... (%d in all)", list->count);
}

/* A human name for an HDF5 datatype: "int64 little-endian", "uint16", "string", ... */
static void describe_type(hid_t type, char *buf, size_t len) {
    const H5T_class_t cls = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    const char *order = H5Tget_order(type) == H5T_ORDER_BE ? " big-endian" : " little-endian";
    switch (cls) {
    case H5T_INTEGER:
        snprintf(buf, len, "%sint%zu%s", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", 8 * size,
                 order);
        return;
    case H5T_FLOAT:
        snprintf(buf, len, "float%zu%s", 8 * size, order);
        return;
    case H5T_STRING:
        snprintf(buf, len, "string");
        return;
    case H5T_COMPOUND:
        snprintf(buf, len, "compound");
        return;
    case H5T_ENUM:
        snprintf(buf, len, "enum");
        return;
    case H5T_VLEN:
        snprintf(buf, len, "variable-length sequence");
        return;
    case H5T_ARRAY:
        snprintf(buf, len, "array");
        return;
    case H5T_REFERENCE:
        snprintf(buf, len, "reference");
        return;
    case H5T_OPAQUE:
        snprintf(buf, len, "opaque");
        return;
    case H5T_BITFIELD:
        snprintf(buf, len, "bitfield");
        return;
    case H5T_TIME:
        snprintf(buf, len, "time");
        return;
    default:
        snprintf(buf, len, "unknown class");
        return;
    }
}

int sq_h5_probe_input(const char *file, const char *dataset, sq_input_info *info, sq_error *err) {
    char detail[256];
    struct stat st;
    memset(info, 0, sizeof *info);
    if (stat(file, &st) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s': %s; check the path", file,
                       strerror(errno));
    if (S_ISDIR(st.st_mode))
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "input '%s' is a directory, not an HDF5 file; give FILE or FILE:/DATASET",
                       file);
    /* Opening a FIFO would wait for a writer; a device is no HDF5 file either. */
    if (!S_ISREG(st.st_mode))
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "input '%s' is a %s, not a regular file; sqcube reads HDF5 files (copy the "
                       "data to a file first)",
                       file, sq_h5_file_kind(st.st_mode));
    if (access(file, R_OK) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' is not readable: %s", file,
                       strerror(errno));
    const htri_t is_h5 = H5Fis_hdf5(file);
    if (is_h5 <= 0) {
        h5_detail(detail);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "input file '%s' is not an HDF5 file (no HDF5 signature found)", file);
    }
    const hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "cannot open input file '%s' with HDF5 (%s); it may be truncated or damaged",
                       file, h5_detail(detail));

    int rc = SQ_OK;
    hid_t d = -1, type = -1, space = -1;
    char candidates[1024];
    dataset_list list = {.count = 0};
    if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, collect_datasets, &list, H5O_INFO_BASIC) < 0) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "cannot list the datasets of '%s' (%s)", file,
                     h5_detail(detail));
        goto out_close_file;
    }
    format_candidates(&list, candidates, sizeof candidates);
    if (dataset[0] == '\0') {
        if (list.count != 1) {
            rc = list.count == 0
                     ? sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' holds no dataset", file)
                     : sq_fail(err, SQ_ERR_USAGE,
                               "input file '%s' holds %d datasets; name one as %s:/DATASET "
                               "(datasets: %s)",
                               file, list.count, file, candidates);
            goto out_close_file;
        }
        snprintf(info->dataset, sizeof info->dataset, "%s", list.names[0]);
    } else {
        snprintf(info->dataset, sizeof info->dataset, "%s", dataset);
    }

    H5O_info_t oinfo;
    if (H5Lexists(f, info->dataset, H5P_DEFAULT) <= 0 ||
        H5Oget_info_by_name2(f, info->dataset, &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        rc = sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' has no dataset '%s' (datasets: %s)",
                     file, info->dataset, list.count ? candidates : "none");
        goto out_close_file;
    }
    if (oinfo.type != H5O_TYPE_DATASET) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "'%s' in '%s' is a group, not a dataset (datasets: %s)",
                     info->dataset, file, list.count ? candidates : "none");
        goto out_close_file;
    }
    d = H5Dopen2(f, info->dataset, H5P_DEFAULT);
    if (d < 0 || (type = H5Dget_type(d)) < 0 || (space = H5Dget_space(d)) < 0) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "cannot open dataset '%s' in '%s' (%s)", info->dataset,
                     file, h5_detail(detail));
        goto out_close;
    }
    describe_type(type, info->datatype, sizeof info->datatype);
    if (sq_h5_input_access(file, d, info->access, sizeof info->access, &info->serial_read, detail,
                           sizeof detail) < 0) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "dataset '%s' in '%s' cannot be read: %s", info->dataset,
                     file, detail);
        goto out_close;
    }
    const H5T_class_t cls = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    if (cls == H5T_INTEGER && size <= 8) {
        info->type = SQ_DTYPE_INT64;
        info->read_as =
            (size == 8 && H5Tget_sign(type) == H5T_SGN_NONE) ? SQ_READ_UINT64 : SQ_READ_INT64;
    } else if (cls == H5T_FLOAT && (size == 4 || size == 8)) {
        info->type = SQ_DTYPE_FLOAT64;
        info->read_as = SQ_READ_FLOAT64;
    } else {
        rc = sq_fail(err, SQ_ERR_RUNTIME,
                     "dataset '%s' in '%s' has type %s; sqcube reads integer (8 to 64 bit, signed "
                     "or unsigned) and float (32 or 64 bit) datasets",
                     info->dataset, file, info->datatype);
        goto out_close;
    }
    const H5S_class_t scls = H5Sget_simple_extent_type(space);
    const int ndims = H5Sget_simple_extent_ndims(space);
    if (scls == H5S_NULL || ndims < 0 || ndims > SQ_MAX_RANK) {
        rc = sq_fail(err, SQ_ERR_RUNTIME,
                     "dataset '%s' in '%s' has a null dataspace (no shape, no elements); there is "
                     "nothing to compute",
                     info->dataset, file);
        goto out_close;
    }
    hsize_t dims[SQ_MAX_RANK];
    H5Sget_simple_extent_dims(space, dims, NULL);
    info->shape.rank = ndims;
    for (int k = 0; k < ndims; ++k)
        info->shape.dims[k] = (int64_t)dims[k];
    info->n = sq_shape_count(&info->shape);
    if (info->n < 0) {
        char shape[256];
        sq_shape_format(&info->shape, shape, sizeof shape);
        rc = sq_fail(err, SQ_ERR_RUNTIME,
                     "dataset '%s' in '%s' has %s elements, more than sqcube's limit of 2^62",
                     info->dataset, file, shape);
        goto out_close;
    }

out_close:
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (d >= 0)
        H5Dclose(d);
out_close_file:
    H5Fclose(f);
    return rc;
}

/* ---- reader -------------------------------------------------------------------------------- */

struct sq_h5_reader {
    int64_t n;           /* elements in the dataset */
    int64_t max_request; /* the longest read any rank asks for (the same on every rank) */
    hid_t file, dset, dxpl;
    io_record io;
    int serial; /* a virtual dataset: each rank reads through its own serial (sec2) handle */
    sq_read_type read_as;
    char name[SQ_PATH_MAX + SQ_DSET_MAX + 2]; /* "file:/dataset" for messages */
    char dataset[SQ_DSET_MAX];                /* "/dataset" */
};

int sq_h5_reader_open(MPI_Comm comm, MPI_Info hints, const char *file, const char *dataset,
                      sq_read_type read_as, sq_io_mode io, int64_t max_request, sq_h5_reader **out,
                      sq_error *err) {
    char detail[256];
    *out = NULL;
    sq_h5_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory opening '%s'", file);
    r->file = r->dset = r->dxpl = -1;
    r->max_request = max_request;
    r->read_as = read_as;
    snprintf(r->name, sizeof r->name, "%s:%s", file, dataset);
    snprintf(r->dataset, sizeof r->dataset, "%s", dataset);
    const hid_t fapl = mpio_fapl_hints(comm, hints, io);
    if (fapl >= 0) {
        r->file = H5Fopen(file, H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    if (r->file >= 0)
        r->dset = H5Dopen2(r->file, dataset, H5P_DEFAULT);
    /* Parallel HDF5 1.10 cannot read a virtual dataset through MPI-IO: every rank reopens the
     * file read-only with the serial driver and reads its own elements (the same metadata calls
     * on every rank, so the ranks agree on the switch). */
    if (r->dset >= 0 && sq_h5_needs_serial_read(r->dset)) {
        H5Dclose(r->dset);
        H5Fclose(r->file);
        r->dset = -1;
        r->serial = 1;
        r->file = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (r->file >= 0)
            r->dset = H5Dopen2(r->file, dataset, H5P_DEFAULT);
    }
    r->dxpl = r->serial ? H5Pcreate(H5P_DATASET_XFER) : transfer_dxpl(io);
    if (r->file < 0 || r->dset < 0 || r->dxpl < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot open '%s' for parallel reading (%s)", r->name,
                h5_detail(detail));
        sq_h5_reader_close(r);
        return err->status;
    }
    const hid_t space = H5Dget_space(r->dset);
    r->n = space >= 0 ? (int64_t)H5Sget_simple_extent_npoints(space) : 0;
    if (space >= 0)
        H5Sclose(space);
    *out = r;
    return SQ_OK;
}

int sq_h5_reader_read(sq_h5_reader *r, int64_t offset, int64_t count, void *buf, sq_error *err) {
    char detail[256];
    if (r->n == 0)
        return SQ_OK; /* an empty dataset: every rank skips alike */
    const int rc = transfer(r->dset, read_type(r->read_as), r->dxpl, offset, count, r->max_request,
                            buf, 0, r->serial ? NULL : &r->io);
    if (rc == -1)
        return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements %lld..%lld of '%s' (%s)",
                       (long long)offset, (long long)(offset + count), r->name, h5_detail(detail));
    if (rc < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "reading elements %lld..%lld of '%s' failed (%s); the file may be "
                       "truncated or damaged",
                       (long long)offset, (long long)(offset + count), r->name, h5_detail(detail));
    return SQ_OK;
}

void sq_h5_reader_close(sq_h5_reader *r) {
    if (r == NULL)
        return;
    if (r->dxpl >= 0)
        H5Pclose(r->dxpl);
    if (r->dset >= 0)
        H5Dclose(r->dset);
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r);
}

/* ---- attributes -------------------------------------------------------------------------- */

static int attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space,
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
    const int rc = attr_write(loc, name, ftype, mtype, space, value);
    H5Sclose(space);
    return rc;
}

/* Numbers are stored little-endian whatever the host and read back as native. */
static int attr_i64(hid_t loc, const char *name, int64_t v) {
    return attr_scalar(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static int attr_f64(hid_t loc, const char *name, double v) {
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

static int attr_str(hid_t loc, const char *name, const char *v) {
    const hid_t t = vlen_string_type();
    if (t < 0)
        return -1;
    const int rc = attr_scalar(loc, name, t, t, &v);
    H5Tclose(t);
    return rc;
}

static int attr_strs(hid_t loc, const char *name, const char *const *v, size_t n) {
    const hid_t t = vlen_string_type();
    const hsize_t dim = n;
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    int rc = -1;
    if (t >= 0 && space >= 0)
        rc = attr_write(loc, name, t, t, space, v);
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static int read_i64(hid_t loc, const char *name, int64_t *v) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const herr_t rc = H5Aread(a, H5T_NATIVE_INT64, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int read_f64(hid_t loc, const char *name, double *v) {
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    const herr_t rc = H5Aread(a, H5T_NATIVE_DOUBLE, v);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int read_str(hid_t loc, const char *name, char *buf, size_t len) {
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
static int attr_is_integer(hid_t loc, const char *name) {
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

/* ---- writer ----------------------------------------------------------------------------- */

struct sq_h5_writer {
    int64_t n; /* elements per dataset: with none, no transfer is made (HDF5 cannot address them) */
    hid_t file, square, cube, dxpl;
    hid_t done, dxpl_ind; /* /checkpoint/done and the independent transfers of its flags */
    const sq_affinity_row *affinity; /* this rank's rows of /provenance/affinity */
    int affinity_count;
    int64_t affinity_offset, affinity_total;
    hid_t fapl; /* kept for H5Fget_vfd_handle: H5Fget_access_plist would be collective */
    io_record io;
    sq_dtype type;
    sq_h5_write_settings set;
    char storage[256]; /* sq_h5_writer_storage */
    char path[SQ_PATH_MAX];
};

static void writer_release(sq_h5_writer *w);
static int writer_close(sq_h5_writer *w, sq_error *err);

/* The dataset creation properties: no fill pass (every element is written exactly once) and the
 * whole extent allocated at creation, as parallel HDF5 wants; with compression, chunks shaped by
 * sq_storage_chunk_dims with the shuffle and deflate filters (parallel HDF5 writes filtered
 * datasets collectively only). Describes the storage in w->storage. */
static hid_t result_dcpl(sq_h5_writer *w, const sq_shape *shape) {
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0)
        return -1;
    if (H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0 ||
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0) {
        H5Pclose(dcpl);
        return -1;
    }
    snprintf(w->storage, sizeof w->storage, "contiguous");
    /* A scalar or an empty dataset has nothing to compress and cannot be chunked usefully. */
    if (w->set.compress <= 0 || shape->rank == 0 || w->n == 0)
        return dcpl;
    int64_t cdims[SQ_MAX_RANK];
    hsize_t hdims[SQ_MAX_RANK];
    sq_storage_chunk_dims(shape, w->set.storage_chunk, cdims);
    for (int k = 0; k < shape->rank; ++k)
        hdims[k] = (hsize_t)cdims[k];
    if (H5Pset_chunk(dcpl, shape->rank, hdims) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, (unsigned)w->set.compress) < 0) {
        H5Pclose(dcpl);
        return -1;
    }
    sq_shape chunk = {.rank = shape->rank};
    memcpy(chunk.dims, cdims, sizeof(int64_t) * (size_t)shape->rank);
    char text[160];
    sq_shape_format(&chunk, text, sizeof text);
    snprintf(w->storage, sizeof w->storage, "chunked %s, shuffle + deflate level %d", text,
             w->set.compress);
    return dcpl;
}

void sq_h5_writer_storage(const sq_h5_writer *w, char *buf, size_t len) {
    snprintf(buf, len, "%s", w->storage);
}

static void writer_init(sq_h5_writer *w, const sq_h5_write_settings *set, const char *path,
                        const sq_shape *shape, sq_dtype out_type) {
    w->file = w->square = w->cube = w->dxpl = w->fapl = w->done = w->dxpl_ind = -1;
    w->type = out_type;
    w->set = *set;
    w->set.ckpt_settings = NULL; /* the caller's text; only used during create */
    w->n = sq_shape_count(shape);
    snprintf(w->path, sizeof w->path, "%s", path);
}

/* The file access list of an output: MPI-IO with the hints, and the alignment. */
static hid_t writer_fapl(MPI_Comm comm, MPI_Info hints, const sq_h5_write_settings *set,
                         sq_error *err) {
    char detail[256];
    const hid_t fapl = mpio_fapl_hints(comm, hints, set->io);
    if (fapl >= 0 && set->alignment > 0 &&
        H5Pset_alignment(fapl, (hsize_t)1 << 20, (hsize_t)set->alignment) < 0) {
        H5Pclose(fapl);
        sq_fail(err, SQ_ERR_RUNTIME, "cannot set an alignment of %lld bytes (%s)",
                (long long)set->alignment, h5_detail(detail));
        return -1;
    }
    if (fapl < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot set up MPI-IO file access (%s)", h5_detail(detail));
    return fapl;
}

static int attr_set_i64(hid_t loc, const char *name, int64_t v) {
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    return attr_i64(loc, name, v);
}

/* /checkpoint: the done flags of every chunk (int32, 0 = not done, filled at creation), the
 * settings text and hash, and the next session number. */
static int create_checkpoint(sq_h5_writer *w, const char *settings) {
    const hid_t g = H5Gcreate2(w->file, "checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    const hsize_t dim = (hsize_t)w->set.nchunks;
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const int32_t zero = 0;
    int rc = -1;
    if (space >= 0 && dcpl >= 0 && H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC) >= 0 &&
        H5Pset_fill_value(dcpl, H5T_NATIVE_INT32, &zero) >= 0) {
        w->done = H5Dcreate2(g, "done", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        char hash[32];
        snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sq_ckpt_hash(settings));
        if (w->done >= 0 && attr_str(g, "settings", settings) >= 0 &&
            attr_str(g, "settings_hash", hash) >= 0 && attr_i64(g, "next_session", 2) >= 0 &&
            attr_str(w->done, "meaning",
                     "per work chunk: the session that completed it, 0 for "
                     "none") >= 0)
            rc = 0;
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return (H5Gclose(g) < 0) ? -1 : rc;
}

int sq_h5_writer_create(MPI_Comm comm, MPI_Info hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type,
                        sq_h5_writer **out, sq_error *err) {
    char detail[256];
    *out = NULL;
    sq_h5_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory creating '%s'", path);
    writer_init(w, set, path, shape, out_type);
    if (set->compress > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "--compress: this HDF5 library has no deflate (gzip) filter; run without "
                "--compress");
        free(w);
        return err->status;
    }

    const hid_t fapl = writer_fapl(comm, hints, set, err);
    if (fapl < 0) {
        free(w);
        return err->status;
    }
    w->fapl = fapl;
    w->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (w->file < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot create output file '%s' (%s)", path,
                h5_detail(detail));
        if (w->fapl >= 0)
            H5Pclose(w->fapl);
        free(w);
        return err->status;
    }
    hsize_t dims[SQ_MAX_RANK];
    for (int k = 0; k < shape->rank; ++k)
        dims[k] = (hsize_t)shape->dims[k];
    const hid_t space =
        shape->rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(shape->rank, dims, NULL);
    const hid_t dcpl = result_dcpl(w, shape);
    if (space >= 0 && dcpl >= 0) {
        const hid_t ftype = out_type == SQ_DTYPE_INT64 ? H5T_STD_I64LE : H5T_IEEE_F64LE;
        w->square = H5Dcreate2(w->file, "square", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (w->square >= 0)
            w->cube = H5Dcreate2(w->file, "cube", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    w->dxpl = transfer_dxpl(set->io);
    w->dxpl_ind = transfer_dxpl(SQ_IO_INDEPENDENT);
    const sq_h5_reader *in = set->source;
    const sq_nc_source nc = {
        .src_file = in ? in->file : -1,
        .src_dset = in ? in->dset : -1,
        .src_dxpl = in ? in->dxpl : H5P_DEFAULT,
        .src_name = in ? in->dataset : "",
        .generator = set->generator ? set->generator : "",
    };
    if (w->square < 0 || w->cube < 0 || w->dxpl < 0 || w->dxpl_ind < 0 ||
        sq_nc_describe(w->file, w->square, w->cube, shape, &nc, set->rank) < 0 ||
        create_checkpoint(w, set->ckpt_settings ? set->ckpt_settings : "") < 0) {
        char text[256];
        sq_shape_format(shape, text, sizeof text);
        sq_fail(err, SQ_ERR_RUNTIME,
                "cannot create the datasets of shape %s in '%s' (%s); check the free space", text,
                path, h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    /* Everything but the raw data is now on disk: a run killed from here on leaves a file that
     * opens, and whose done flags say which chunks it finished. */
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot flush the new output '%s' (%s); check the free space",
                path, h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    *out = w;
    return SQ_OK;
}

int sq_h5_writer_resume(MPI_Comm comm, MPI_Info hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type, int32_t session,
                        sq_h5_writer **out, sq_error *err) {
    char detail[256];
    *out = NULL;
    sq_h5_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory opening '%s'", path);
    writer_init(w, set, path, shape, out_type);
    w->fapl = writer_fapl(comm, hints, set, err);
    if (w->fapl < 0) {
        free(w);
        return err->status;
    }
    w->file = H5Fopen(path, H5F_ACC_RDWR, w->fapl);
    if (w->file >= 0) {
        w->square = H5Dopen2(w->file, "square", H5P_DEFAULT);
        w->cube = w->square >= 0 ? H5Dopen2(w->file, "cube", H5P_DEFAULT) : -1;
        w->done = w->cube >= 0 ? H5Dopen2(w->file, "checkpoint/done", H5P_DEFAULT) : -1;
    }
    w->dxpl = transfer_dxpl(set->io);
    w->dxpl_ind = transfer_dxpl(SQ_IO_INDEPENDENT);
    hid_t g = w->done >= 0 ? H5Gopen2(w->file, "checkpoint", H5P_DEFAULT) : -1;
    const int ok = w->done >= 0 && w->dxpl >= 0 && w->dxpl_ind >= 0 && g >= 0 &&
                   attr_set_i64(g, "next_session", (int64_t)session + 1) >= 0;
    if (g >= 0)
        H5Gclose(g);
    if (!ok || H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot reopen the checkpoint '%s' to resume it (%s)", path,
                h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    snprintf(w->storage, sizeof w->storage, "%s", "");
    if (set->compress > 0 && w->n > 0) {
        int64_t cdims[SQ_MAX_RANK];
        sq_storage_chunk_dims(shape, set->storage_chunk, cdims);
        sq_shape chunk = {.rank = shape->rank};
        memcpy(chunk.dims, cdims, sizeof(int64_t) * (size_t)shape->rank);
        char text[160];
        sq_shape_format(&chunk, text, sizeof text);
        snprintf(w->storage, sizeof w->storage, "chunked %s, shuffle + deflate level %d", text,
                 set->compress);
    } else {
        snprintf(w->storage, sizeof w->storage, "contiguous");
    }
    *out = w;
    return SQ_OK;
}

/* One element [k] of /checkpoint/done, read or written independently. */
static herr_t done_transfer(sq_h5_writer *w, int64_t k, int64_t count, int32_t *flags,
                            int writing) {
    const hid_t fspace = H5Dget_space(w->done);
    const hsize_t start = (hsize_t)k, n = (hsize_t)count;
    const hid_t mspace = H5Screate_simple(1, &n, NULL);
    herr_t rc = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0)
        rc = writing ? H5Dwrite(w->done, H5T_NATIVE_INT32, mspace, fspace, w->dxpl_ind, flags)
                     : H5Dread(w->done, H5T_NATIVE_INT32, mspace, fspace, w->dxpl_ind, flags);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return rc;
}

int sq_h5_writer_mark_done(sq_h5_writer *w, int64_t k, int32_t session, sq_error *err) {
    char detail[256];
    if (done_transfer(w, k, 1, &session, 1) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "recording chunk %lld as done in '%s' failed (%s); check the free space",
                       (long long)k, w->path, h5_detail(detail));
    return SQ_OK;
}

int sq_h5_writer_read_done(sq_h5_writer *w, int64_t k, int64_t count, int32_t *flags,
                           sq_error *err) {
    char detail[256];
    if (count > 0 && done_transfer(w, k, count, flags, 0) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "reading the done flags of chunks %lld..%lld of '%s' failed (%s)",
                       (long long)k, (long long)(k + count), w->path, h5_detail(detail));
    return SQ_OK;
}

/* The attributes of one session's group (everything but its reductions). */
static int write_session(hid_t parent, const sq_h5_session *rec) {
    char name[32];
    snprintf(name, sizeof name, "%lld", (long long)rec->session);
    const hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
    rc |= attr_i64(g, "session", rec->session);
    rc |= attr_i64(g, "ranks", rec->ranks);
    rc |= attr_i64(g, "threads_per_rank", rec->threads_per_rank);
    rc |= attr_i64(g, "chunks_done", rec->chunks_done);
    rc |= attr_i64(g, "elements_done", rec->elements_done);
    rc |= attr_str(g, "status", rec->status);
    rc |= attr_str(g, "start_time_utc", rec->start_time_utc);
    rc |= attr_str(g, "end_time_utc", rec->end_time_utc);
    rc |= attr_str(g, "hosts", rec->hosts);
    rc |= attr_str(g, "command_line", rec->command_line);
    return H5Gclose(g) < 0 ? -1 : rc;
}

static hid_t open_or_create_group(hid_t loc, const char *name) {
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0)
        return H5Gopen2(loc, name, H5P_DEFAULT);
    return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

int sq_h5_writer_stop(sq_h5_writer *w, const sq_h5_session *rec, const sq_stats *merged,
                      sq_error *err) {
    char detail[256], name[32];
    const hid_t sessions = open_or_create_group(w->file, "checkpoint/sessions");
    int bad = sessions < 0 || write_session(sessions, rec) < 0;
    if (!bad) {
        /* The session's merged reductions, as the bytes of sq_stats: the settings record its size
         * and sqcube's version, so only the same build layout reads them back. */
        snprintf(name, sizeof name, "%lld", (long long)rec->session);
        const hid_t g = H5Gopen2(sessions, name, H5P_DEFAULT);
        const hsize_t bytes = sizeof *merged;
        const hid_t space = H5Screate_simple(1, &bytes, NULL);
        bad = g < 0 || space < 0 ||
              attr_write(g, "reductions", H5T_NATIVE_UCHAR, H5T_NATIVE_UCHAR, space, merged) < 0;
        if (space >= 0)
            H5Sclose(space);
        if (g >= 0)
            H5Gclose(g);
    }
    if (sessions >= 0)
        H5Gclose(sessions);
    if (bad) {
        sq_fail(err, SQ_ERR_RUNTIME, "writing the checkpoint of session %lld to '%s' failed (%s)",
                (long long)rec->session, w->path, h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    return writer_close(w, err);
}

int sq_h5_writer_write(sq_h5_writer *w, int64_t offset, int64_t count, const void *sq,
                       const void *cu, sq_error *err) {
    char detail[256];
    if (w->n == 0)
        return SQ_OK; /* empty datasets: every rank skips alike */
    const hid_t mtype = native_type(w->type);
    const hid_t dsets[2] = {w->square, w->cube};
    /* HDF5 only reads from the buffers it writes; its API takes them as const void *. */
    void *bufs[2] = {(void *)(uintptr_t)sq, (void *)(uintptr_t)cu};
    /* Both datasets are written even when the first failed: the writes are collective, and a
     * rank that saw no error is already in the second. */
    int status = SQ_OK;
    for (int i = 0; i < 2; ++i) {
        transfer_errno = 0;
        const int rc = transfer(dsets[i], mtype, w->dxpl, offset, count, w->set.max_request,
                                bufs[i], 1, &w->io);
        if (rc == -1)
            return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements %lld..%lld of '%s' (%s)",
                           (long long)offset, (long long)(offset + count), w->path,
                           h5_detail(detail));
        const char *cause = rc < 0 ? write_cause(w->path, 8.0 * (double)count) : "";
        if (rc < 0)
            status = sq_fail(
                err, SQ_ERR_RUNTIME,
                "writing elements %lld..%lld of /%s to '%s' failed (%s%s%s); check the free "
                "space and quota of the output directory",
                (long long)offset, (long long)(offset + count), i == 0 ? "square" : "cube", w->path,
                cause, *cause ? ": " : "", h5_detail(detail));
    }
    return status;
}

static int write_summary(hid_t root, const sq_summary *s) {
    static const char *const sum_names[SQ_NSUMS] = {"sum", "sum_sq", "sum_cube"};
    static const char *const exact_names[SQ_NSUMS] = {"sum_exact", "sum_sq_exact",
                                                      "sum_cube_exact"};
    int rc = 0;
    rc |= attr_i64(root, "format_version", SQ_FORMAT_VERSION);
    rc |= attr_i64(root, "count", s->count);
    rc |= attr_i64(root, "nonfinite_count", s->nonfinite);
    rc |= attr_str(root, "input_type", sq_dtype_name((sq_dtype)s->input_type));
    rc |= attr_str(root, "output_type", sq_dtype_name((sq_dtype)s->output_type));
    for (int k = 0; k < SQ_NSUMS; ++k) {
        rc |= attr_f64(root, sum_names[k], s->sum[k]);
        if (s->has_exact)
            rc |= attr_str(root, exact_names[k], s->exact[k]);
    }
    static const char *const closed_names[SQ_NSUMS] = {"sum_closed_form", "sum_sq_closed_form",
                                                       "sum_cube_closed_form"};
    for (int k = 0; k < SQ_NSUMS && s->has_closed_form; ++k)
        rc |= attr_str(root, closed_names[k], s->closed_form[k]);
    if (s->has_minmax && s->input_type == SQ_DTYPE_INT64) {
        rc |= attr_i64(root, "min", s->imin);
        rc |= attr_i64(root, "max", s->imax);
    } else {
        /* No number among the elements: NaN, documented. */
        rc |= attr_f64(root, "min", s->has_minmax ? s->fmin : (double)NAN);
        rc |= attr_f64(root, "max", s->has_minmax ? s->fmax : (double)NAN);
    }
    return rc;
}

static int write_provenance(hid_t root, const sq_provenance *p) {
    const hid_t g = H5Gcreate2(root, "provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
#define STR(field) rc |= attr_str(g, #field, p->field);
#define I64(field) rc |= attr_i64(g, #field, p->field);
    SQ_PROVENANCE_FIELDS(STR, I64)
#undef STR
#undef I64
    return (H5Gclose(g) < 0) ? -1 : rc;
}

/* /timing: ranks x phases seconds; each rank writes its own row in one collective call, whatever
 * --io says: 100,000 independent 40-byte writes would cost far more than one collective. */
static int write_timing(sq_h5_writer *w, int rank, int nranks, const sq_timers *t) {
    const hsize_t dims[2] = {(hsize_t)nranks, SQ_NPHASES};
    const hid_t space = H5Screate_simple(2, dims, NULL);
    const hid_t dxpl = collective_dxpl();
    if (space < 0 || dxpl < 0) {
        if (space >= 0)
            H5Sclose(space);
        if (dxpl >= 0)
            H5Pclose(dxpl);
        return -1;
    }
    int rc = -1;
    const hid_t d =
        H5Dcreate2(w->file, "timing", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) {
        const hsize_t start[2] = {(hsize_t)rank, 0}, count[2] = {1, SQ_NPHASES};
        const hsize_t mdim = SQ_NPHASES;
        const hid_t mspace = H5Screate_simple(1, &mdim, NULL);
        const char *names[SQ_NPHASES];
        for (int p = 0; p < SQ_NPHASES; ++p)
            names[p] = sq_phase_name((enum sq_phase)p);
        if (mspace >= 0 &&
            H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
            H5Dwrite(d, H5T_NATIVE_DOUBLE, mspace, space, dxpl, t->seconds) >= 0 &&
            attr_strs(d, "phases", names, SQ_NPHASES) >= 0 && attr_str(d, "units", "s") >= 0 &&
            sq_nc_timing(w->file, d, nranks, SQ_NPHASES) >= 0)
            rc = 0;
        if (mspace >= 0)
            H5Sclose(mspace);
        if (H5Dclose(d) < 0)
            rc = -1;
    }
    H5Sclose(space);
    H5Pclose(dxpl);
    return rc;
}

/* /provenance/runs: the sessions of the checkpoint (without their reductions, which only a
 * resumed run needs), then this one; /checkpoint goes. */
static herr_t drop_reductions(hid_t g, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    (void)data;
    const hid_t s = H5Gopen2(g, name, H5P_DEFAULT);
    if (s < 0)
        return -1;
    const herr_t rc = H5Aexists(s, "reductions") > 0 ? H5Adelete(s, "reductions") : 0;
    H5Gclose(s);
    return rc < 0 ? -1 : 0;
}

static int write_runs(hid_t file, const sq_h5_session *rec, const sq_resume *resume) {
    if (H5Lexists(file, "checkpoint", H5P_DEFAULT) > 0 &&
        H5Lexists(file, "checkpoint/sessions", H5P_DEFAULT) > 0 &&
        H5Lmove(file, "checkpoint/sessions", file, "provenance/runs", H5P_DEFAULT, H5P_DEFAULT) < 0)
        return -1;
    const hid_t runs = open_or_create_group(file, "provenance/runs");
    if (runs < 0)
        return -1;
    int rc = H5Literate(runs, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, drop_reductions, NULL) < 0;
    /* Sessions that started but left no record were killed: their chunks were done again. */
    for (int32_t s = 1; s < rec->session && !rc; ++s) {
        if (resume->valid[s])
            continue;
        sq_h5_session lost = {.session = s};
        snprintf(lost.status, sizeof lost.status, "killed (no checkpoint; its chunks were redone)");
        rc |= write_session(runs, &lost) < 0;
    }
    rc |= write_session(runs, rec) < 0;
    rc |= H5Gclose(runs) < 0;
    if (!rc && H5Lexists(file, "checkpoint", H5P_DEFAULT) > 0)
        rc = H5Ldelete(file, "checkpoint", H5P_DEFAULT) < 0;
    return rc ? -1 : 0;
}

void sq_h5_writer_set_affinity(sq_h5_writer *w, const sq_affinity_row *rows, int count,
                               int64_t offset, int64_t total) {
    w->affinity = rows;
    w->affinity_count = count;
    w->affinity_offset = offset;
    w->affinity_total = total;
}

/* The file and memory type of an affinity row: a compound of int32 fields and fixed strings. */
static hid_t affinity_type(void) {
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(sq_affinity_row));
    const hid_t host = H5Tcopy(H5T_C_S1), mask = H5Tcopy(H5T_C_S1);
    int rc = t < 0 || host < 0 || mask < 0;
    if (!rc) {
        rc |= H5Tset_size(host, SQ_AFFINITY_HOST_MAX) < 0 ||
              H5Tset_size(mask, SQ_AFFINITY_MASK_MAX) < 0;
        rc |= H5Tinsert(t, "rank", HOFFSET(sq_affinity_row, rank), H5T_NATIVE_INT32) < 0;
        rc |= H5Tinsert(t, "thread", HOFFSET(sq_affinity_row, thread), H5T_NATIVE_INT32) < 0;
        rc |= H5Tinsert(t, "threads", HOFFSET(sq_affinity_row, nthreads), H5T_NATIVE_INT32) < 0;
        rc |= H5Tinsert(t, "cpu", HOFFSET(sq_affinity_row, cpu), H5T_NATIVE_INT32) < 0;
        rc |= H5Tinsert(t, "mask_cpus", HOFFSET(sq_affinity_row, ncpus), H5T_NATIVE_INT32) < 0;
        rc |= H5Tinsert(t, "host", HOFFSET(sq_affinity_row, host), host) < 0;
        rc |= H5Tinsert(t, "mask", HOFFSET(sq_affinity_row, mask), mask) < 0;
    }
    if (host >= 0)
        H5Tclose(host);
    if (mask >= 0)
        H5Tclose(mask);
    if (rc && t >= 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* /provenance/affinity: each rank writes its own rows (one collective call), so no rank gathers
 * the whole table. */
static int write_affinity(sq_h5_writer *w) {
    if (w->affinity == NULL || w->affinity_total <= 0)
        return 0;
    const hsize_t dim = (hsize_t)w->affinity_total;
    const hid_t type = affinity_type();
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    int rc = -1;
    const hid_t d = type >= 0 && space >= 0
                        ? H5Dcreate2(w->file, "provenance/affinity", type, space, H5P_DEFAULT,
                                     H5P_DEFAULT, H5P_DEFAULT)
                        : -1;
    if (d >= 0) {
        const hsize_t start = (hsize_t)w->affinity_offset, n = (hsize_t)w->affinity_count;
        const hsize_t mdim = n > 0 ? n : 1;
        const hid_t mspace = H5Screate_simple(1, &mdim, NULL);
        const int sel = n > 0 ? H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &n, NULL)
                              : (H5Sselect_none(space) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0);
        const hid_t g = H5Gopen2(w->file, "provenance", H5P_DEFAULT);
        if (mspace >= 0 && sel >= 0 &&
            H5Dwrite(d, type, mspace, space, w->dxpl, w->affinity) >= 0 && g >= 0 &&
            sq_nc_affinity(g, d, w->affinity_total) >= 0)
            rc = 0;
        if (g >= 0)
            H5Gclose(g);
        if (mspace >= 0)
            H5Sclose(mspace);
        if (H5Dclose(d) < 0)
            rc = -1;
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

static void writer_release(sq_h5_writer *w) {
    if (w->dxpl_ind >= 0)
        H5Pclose(w->dxpl_ind);
    if (w->done >= 0)
        H5Dclose(w->done);
    w->dxpl_ind = w->done = -1;
}

int sq_h5_writer_finish(sq_h5_writer *w, const sq_summary *summary, const sq_provenance *prov,
                        const sq_h5_session *rec, const sq_resume *resume, int rank, int nranks,
                        const sq_timers *timers, sq_error *err) {
    char detail[256];
    const char *step = "the reductions";
    int bad = write_summary(w->file, summary) < 0 ||
              sq_nc_history(w->file, prov->end_time_utc, prov->command_line) < 0;
    if (!bad) {
        step = "/provenance";
        bad = write_provenance(w->file, prov) < 0;
    }
    if (!bad) {
        step = "/provenance/runs";
        writer_release(w); /* /checkpoint/done goes with the group */
        bad = write_runs(w->file, rec, resume) < 0;
    }
    if (!bad) {
        step = "/provenance/affinity";
        bad = write_affinity(w) < 0;
    }
    if (!bad) {
        step = "/timing";
        bad = write_timing(w, rank, nranks, timers) < 0;
    }
    /* With --sync everything else reaches stable storage before `complete` says it is whole (the
     * MPI-IO driver's flush is an MPI_File_sync). Without it the data is in the file system's
     * cache: the partial name and the rename after the close still keep an interrupted run from
     * looking complete. */
    if (!bad && w->set.sync) {
        step = "the datasets";
        bad = H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0;
    }
    if (!bad) {
        step = "the complete flag";
        bad = attr_i64(w->file, "complete", 1) < 0;
    }
    if (bad) {
        sq_fail(err, SQ_ERR_RUNTIME, "writing %s to '%s' failed (%s); check the free space", step,
                w->path, h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    return writer_close(w, err);
}

static int writer_close(sq_h5_writer *w, sq_error *err) {
    char detail[256];
    writer_release(w);
    H5Pclose(w->dxpl);
    H5Dclose(w->cube);
    H5Dclose(w->square);
    H5Pclose(w->fapl);
    const herr_t rc = H5Fclose(w->file);
    if (rc < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "closing '%s' failed (%s); check the free space", w->path,
                h5_detail(detail));
    free(w);
    return err->status;
}

void sq_h5_writer_abort(sq_h5_writer *w) {
    if (w == NULL)
        return;
    writer_release(w);
    if (w->dxpl >= 0)
        H5Pclose(w->dxpl);
    if (w->cube >= 0)
        H5Dclose(w->cube);
    if (w->square >= 0)
        H5Dclose(w->square);
    if (w->fapl >= 0)
        H5Pclose(w->fapl);
    if (w->file >= 0)
        H5Fclose(w->file);
    H5Eclear2(H5E_DEFAULT);
    free(w);
}

/* ---- self-test (sqcube doctor) ------------------------------------------------------------ */

int sq_h5_selftest(MPI_Comm comm, const char *path, int rank, int nranks, sq_error *err) {
    char detail[256];
    const hsize_t dim = (hsize_t)nranks, start = (hsize_t)rank, one = 1;
    const char *step = "create";
    int64_t *back = calloc((size_t)nranks, sizeof *back);
    const int64_t mine = 7 * (int64_t)rank + 1;
    const hid_t fapl = mpio_fapl(comm), dxpl = collective_dxpl();
    hid_t f = -1, space = -1, mspace = -1, d = -1;
    int ok = back != NULL && fapl >= 0 && dxpl >= 0;
    if (ok)
        ok = (f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) >= 0 &&
             (space = H5Screate_simple(1, &dim, NULL)) >= 0 &&
             (mspace = H5Screate_simple(1, &one, NULL)) >= 0 &&
             (d = H5Dcreate2(f, "x", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT)) >= 0;
    if (ok) {
        step = "collective write";
        ok = H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &one, NULL) >= 0 &&
             H5Dwrite(d, H5T_NATIVE_INT64, mspace, space, dxpl, &mine) >= 0;
    }
    if (d >= 0)
        H5Dclose(d);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (space >= 0)
        H5Sclose(space);
    if (f >= 0 && H5Fclose(f) < 0 && ok) {
        step = "close";
        ok = 0;
    }
    if (ok) {
        step = "reopen and read";
        f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        d = f >= 0 ? H5Dopen2(f, "x", H5P_DEFAULT) : -1;
        ok = d >= 0 && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, dxpl, back) >= 0;
        if (d >= 0)
            H5Dclose(d);
        if (f >= 0)
            H5Fclose(f);
    }
    for (int r = 0; ok && r < nranks; ++r)
        if (back[r] != 7 * (int64_t)r + 1) {
            step = "check";
            ok = 0;
            snprintf(last_detail, sizeof last_detail,
                     "element %d reads %lld, but rank %d wrote %lld", r, (long long)back[r], r,
                     (long long)(7 * (int64_t)r + 1));
        }
    free(back);
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    H5Eclear2(H5E_DEFAULT);
    if (!ok)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "parallel HDF5 %s of '%s' failed on rank %d (%s); check that the directory "
                       "is on a file system all ranks share and that MPI-IO works there (file "
                       "locking: HDF5_USE_FILE_LOCKING=FALSE)",
                       step, path, rank, h5_detail(detail));
    return SQ_OK;
}

/* ---- reading a checkpoint --------------------------------------------------------------- */

typedef struct probe_ctx {
    sq_resume *r;
    int bad; /* a session group that could not be read */
} probe_ctx;

static herr_t probe_session(hid_t g, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    probe_ctx *c = data;
    const hid_t s = H5Gopen2(g, name, H5P_DEFAULT);
    int64_t session = 0, chunks = 0, elements = 0;
    sq_stats st;
    int ok = s >= 0 && read_i64(s, "session", &session) == 0 &&
             read_i64(s, "chunks_done", &chunks) == 0 &&
             read_i64(s, "elements_done", &elements) == 0 && session > 0 &&
             session < SQ_CKPT_MAX_SESSIONS;
    if (ok) {
        const hid_t a = H5Aopen(s, "reductions", H5P_DEFAULT);
        const hid_t space = a >= 0 ? H5Aget_space(a) : -1;
        ok = space >= 0 && H5Sget_simple_extent_npoints(space) == (hssize_t)sizeof st &&
             H5Aread(a, H5T_NATIVE_UCHAR, &st) >= 0 && st.type == c->r->prev.type;
        if (space >= 0)
            H5Sclose(space);
        if (a >= 0)
            H5Aclose(a);
    }
    if (s >= 0)
        H5Gclose(s);
    if (!ok) {
        c->bad = 1;
        return 1; /* stop iterating */
    }
    c->r->valid[session] = 1;
    c->r->chunks_done += chunks;
    c->r->elements_done += elements;
    c->r->sessions_recorded += 1;
    sq_stats_merge(&c->r->prev, &st);
    return 0;
}

int sq_h5_checkpoint_probe(const char *path, sq_dtype type, char *settings, size_t len,
                           sq_resume *r, sq_error *err) {
    char detail[256];
    sq_resume_fresh(r, type);
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "'%s' is not a usable checkpoint (not an HDF5 file: the run that wrote it "
                       "was killed before its first flush?); remove it, or run without --resume "
                       "and with --force, to start over",
                       path);
    }
    const hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = f >= 0 && H5Lexists(f, "checkpoint", H5P_DEFAULT) > 0
                  ? H5Gopen2(f, "checkpoint", H5P_DEFAULT)
                  : -1;
    int64_t next = 0;
    if (g < 0 || read_str(g, "settings", settings, len) < 0 ||
        read_i64(g, "next_session", &next) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' is not a usable checkpoint (%s); remove it, or run without --resume and with "
                "--force, to start over",
                path, f < 0 ? h5_detail(detail) : "it has no /checkpoint records");
        goto out;
    }
    if (next < 2 || next >= SQ_CKPT_MAX_SESSIONS) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' has been resumed %lld times, the most one output can be (%d); finish it in "
                "one run, or start over",
                path, (long long)next - 1, SQ_CKPT_MAX_SESSIONS - 1);
        goto out;
    }
    r->session = (int32_t)next;
    r->resumed = 1;
    if (H5Lexists(g, "sessions", H5P_DEFAULT) > 0) {
        const hid_t s = H5Gopen2(g, "sessions", H5P_DEFAULT);
        probe_ctx ctx = {r, s < 0};
        if (s >= 0) {
            H5Literate(s, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, probe_session, &ctx);
            H5Gclose(s);
        }
        if (ctx.bad)
            sq_fail(err, SQ_ERR_RUNTIME,
                    "the checkpoint in '%s' has an unreadable session record (%s); remove it to "
                    "start over",
                    path, h5_detail(detail));
    }
out:
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    return err->status;
}

/* ---- reading results ---------------------------------------------------------------------- */

struct sq_h5_result {
    hid_t file, square, cube, timing, dxpl;
    sq_dtype type;
    char path[SQ_PATH_MAX];
};

static int read_provenance(hid_t file, sq_provenance *p) {
    memset(p, 0, sizeof *p);
    const hid_t g = H5Gopen2(file, "provenance", H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
    /* Fields added to format version 1 after its first files (storage, compress_level, sync,
     * max_transfer, overlap, input_access) may be missing from older files: they read as empty or
     * 0. */
#define OPTIONAL(field)                                                                            \
    (strcmp(#field, "storage") == 0 || strcmp(#field, "compress_level") == 0 ||                    \
     strcmp(#field, "sync") == 0 || strcmp(#field, "max_transfer") == 0 ||                         \
     strcmp(#field, "overlap") == 0 || strcmp(#field, "input_access") == 0)
#define STR(field)                                                                                 \
    if (!OPTIONAL(field) || H5Aexists(g, #field) > 0)                                              \
        rc |= read_str(g, #field, p->field, sizeof p->field);
#define I64(field)                                                                                 \
    if (!OPTIONAL(field) || H5Aexists(g, #field) > 0)                                              \
        rc |= read_i64(g, #field, &p->field);
    SQ_PROVENANCE_FIELDS(STR, I64)
#undef STR
#undef I64
#undef OPTIONAL
    H5Gclose(g);
    return rc;
}

static int read_summary(hid_t f, sq_summary *s) {
    static const char *const sum_names[SQ_NSUMS] = {"sum", "sum_sq", "sum_cube"};
    static const char *const exact_names[SQ_NSUMS] = {"sum_exact", "sum_sq_exact",
                                                      "sum_cube_exact"};
    char text[16];
    memset(s, 0, sizeof *s);
    int rc = read_i64(f, "count", &s->count) | read_i64(f, "nonfinite_count", &s->nonfinite);
    rc |= read_str(f, "input_type", text, sizeof text);
    s->input_type = strcmp(text, "int64") == 0 ? SQ_DTYPE_INT64 : SQ_DTYPE_FLOAT64;
    rc |= read_str(f, "output_type", text, sizeof text);
    s->output_type = strcmp(text, "int64") == 0 ? SQ_DTYPE_INT64 : SQ_DTYPE_FLOAT64;
    for (int k = 0; k < SQ_NSUMS; ++k)
        rc |= read_f64(f, sum_names[k], &s->sum[k]);
    static const char *const closed_names[SQ_NSUMS] = {"sum_closed_form", "sum_sq_closed_form",
                                                       "sum_cube_closed_form"};
    s->has_closed_form = H5Aexists(f, closed_names[0]) > 0;
    for (int k = 0; k < SQ_NSUMS && s->has_closed_form; ++k)
        rc |= read_str(f, closed_names[k], s->closed_form[k], sizeof s->closed_form[k]);
    s->has_exact = H5Aexists(f, exact_names[0]) > 0;
    for (int k = 0; k < SQ_NSUMS && s->has_exact; ++k)
        rc |= read_str(f, exact_names[k], s->exact[k], sizeof s->exact[k]);
    if (attr_is_integer(f, "min")) {
        s->has_minmax = 1;
        rc |= read_i64(f, "min", &s->imin) | read_i64(f, "max", &s->imax);
        s->fmin = (double)s->imin;
        s->fmax = (double)s->imax;
    } else {
        rc |= read_f64(f, "min", &s->fmin) | read_f64(f, "max", &s->fmax);
        s->has_minmax = s->count > 0 && !(s->fmin != s->fmin);
    }
    return rc;
}

int sq_h5_result_open(MPI_Comm comm, const char *path, sq_h5_result **out, sq_result_meta *meta,
                      sq_error *err) {
    char detail[256];
    struct stat st;
    *out = NULL;
    memset(meta, 0, sizeof *meta);
    if (stat(path, &st) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "result file '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return sq_fail(err, SQ_ERR_RUNTIME, "'%s' is a directory, not a result file", path);
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sq_fail(err, SQ_ERR_RUNTIME, "'%s' is not an HDF5 file", path);
    }
    sq_h5_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory opening '%s'", path);
    r->file = r->square = r->cube = r->timing = r->dxpl = -1;
    snprintf(r->path, sizeof r->path, "%s", path);
    const hid_t fapl = mpio_fapl(comm);
    if (fapl >= 0) {
        r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    if (r->file < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot open '%s' (%s)", path, h5_detail(detail));
        goto fail;
    }
    if (H5Lexists(r->file, "checkpoint", H5P_DEFAULT) > 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' is the partial output of a run that has not finished (it holds a "
                "checkpoint); finish it with the same 'sqcube run' command and --resume, then "
                "verify the final file",
                path);
        goto fail;
    }
    if (H5Aexists(r->file, "format_version") <= 0 ||
        read_i64(r->file, "format_version", &meta->format_version) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' is not an sqcube result file (it has no format_version attribute)", path);
        goto fail;
    }
    if (meta->format_version != SQ_FORMAT_VERSION) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' has format_version %lld; this sqcube reads version %d (use the sqcube that "
                "wrote it)",
                path, (long long)meta->format_version, SQ_FORMAT_VERSION);
        goto fail;
    }
    if (H5Aexists(r->file, "complete") > 0)
        read_i64(r->file, "complete", &meta->complete);
    if (read_summary(r->file, &meta->summary) < 0 || read_provenance(r->file, &meta->prov) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' lacks some of the attributes of format version %d (%s)%s", path,
                SQ_FORMAT_VERSION, h5_detail(detail),
                meta->complete ? "" : "; it is a partial file from a run that did not finish");
        goto fail;
    }
    r->type = (sq_dtype)meta->summary.output_type;
    r->square = H5Dopen2(r->file, "square", H5P_DEFAULT);
    r->cube = r->square >= 0 ? H5Dopen2(r->file, "cube", H5P_DEFAULT) : -1;
    r->timing = r->cube >= 0 ? H5Dopen2(r->file, "timing", H5P_DEFAULT) : -1;
    r->dxpl = collective_dxpl();
    if (r->timing < 0 || r->dxpl < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "'%s' lacks /square, /cube or /timing (%s)", path,
                h5_detail(detail));
        goto fail;
    }
    hsize_t dims[SQ_MAX_RANK], tdims[2] = {0, 0};
    const hid_t space = H5Dget_space(r->square), tspace = H5Dget_space(r->timing);
    const int rank = H5Sget_simple_extent_ndims(space);
    meta->shape.rank = rank > 0 && rank <= SQ_MAX_RANK ? rank : 0;
    H5Sget_simple_extent_dims(space, dims, NULL);
    for (int k = 0; k < meta->shape.rank; ++k)
        meta->shape.dims[k] = (int64_t)dims[k];
    H5Sget_simple_extent_dims(tspace, tdims, NULL);
    H5Sclose(space);
    H5Sclose(tspace);
    meta->n = sq_shape_count(&meta->shape);
    meta->timing_rows = (int64_t)tdims[0];
    *out = r;
    return SQ_OK;
fail:
    sq_h5_result_close(r);
    return err->status;
}

int sq_h5_result_read(sq_h5_result *r, int64_t offset, int64_t count, int64_t max_request, void *sq,
                      void *cu, sq_error *err) {
    char detail[256];
    const hid_t dsets[2] = {r->square, r->cube};
    void *bufs[2] = {sq, cu};
    for (int i = 0; i < 2; ++i) {
        const int rc = transfer(dsets[i], native_type(r->type), r->dxpl, offset, count, max_request,
                                bufs[i], 0, NULL);
        if (rc == -1)
            return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements of '%s' (%s)", r->path,
                           h5_detail(detail));
        if (rc < 0)
            return sq_fail(err, SQ_ERR_RUNTIME,
                           "reading elements %lld..%lld of /%s in '%s' failed (%s)",
                           (long long)offset, (long long)(offset + count),
                           i == 0 ? "square" : "cube", r->path, h5_detail(detail));
    }
    return SQ_OK;
}

int sq_h5_result_timing(sq_h5_result *r, double *rows, sq_error *err) {
    char detail[256];
    if (H5Dread(r->timing, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "reading /timing of '%s' failed (%s)", r->path,
                       h5_detail(detail));
    return SQ_OK;
}

void sq_h5_result_close(sq_h5_result *r) {
    if (r == NULL)
        return;
    if (r->dxpl >= 0)
        H5Pclose(r->dxpl);
    if (r->timing >= 0)
        H5Dclose(r->timing);
    if (r->cube >= 0)
        H5Dclose(r->cube);
    if (r->square >= 0)
        H5Dclose(r->square);
    if (r->file >= 0)
        H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
    free(r);
}

void sq_h5_writer_io(const sq_h5_writer *w, char *actual, size_t alen, char *cause, size_t clen) {
    io_describe(&w->io, actual, alen, cause, clen);
}

void sq_h5_reader_io(const sq_h5_reader *r, char *actual, size_t alen, char *cause, size_t clen) {
    if (r->serial) {
        snprintf(actual, alen, "serial (each rank through its own sec2 file handle)");
        snprintf(cause, clen, "virtual dataset (parallel HDF5 cannot read it through MPI-IO)");
        return;
    }
    io_describe(&r->io, actual, alen, cause, clen);
}

const void *sq_h5_writer_mpi_file(const sq_h5_writer *w) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(w->file, w->fapl, &handle) < 0)
        handle = NULL;
    return handle;
}
