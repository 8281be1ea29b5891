/*
 * h5io_input.c - an input: probing it (serial, on rank 0: one clear message for each way an
 * input can be wrong) and reading it in chunks (collective).
 */
#include "h5io_internal.h"

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

/* The input file exists, is a readable file, and carries the HDF5 signature. */
static int check_input_file(const char *file, sq_error *err) {
    char detail[256];
    struct stat st;
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
                       file, sq_h5__file_kind(st.st_mode));
    if (access(file, R_OK) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' is not readable: %s", file,
                       strerror(errno));
    const htri_t is_h5 = H5Fis_hdf5(file);
    if (is_h5 <= 0) {
        sq_h5__h5_detail(detail);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "input file '%s' is not an HDF5 file (no HDF5 signature found)", file);
    }
    return SQ_OK;
}

/* The dataset to read into info->dataset: the one named, or the file's only one; it must exist
 * and be a dataset. Failures list the datasets the file holds. */
static int choose_dataset(hid_t f, const char *file, const char *dataset, sq_input_info *info,
                          sq_error *err) {
    char detail[256], candidates[1024];
    dataset_list list = {.count = 0};
    if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, collect_datasets, &list, H5O_INFO_BASIC) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "cannot list the datasets of '%s' (%s)", file,
                       sq_h5__h5_detail(detail));
    format_candidates(&list, candidates, sizeof candidates);
    if (dataset[0] == '\0') {
        if (list.count == 0)
            return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' holds no dataset", file);
        if (list.count != 1)
            return sq_fail(err, SQ_ERR_USAGE,
                           "input file '%s' holds %d datasets; name one as %s:/DATASET "
                           "(datasets: %s)",
                           file, list.count, file, candidates);
        snprintf(info->dataset, sizeof info->dataset, "%s", list.names[0]);
    } else {
        snprintf(info->dataset, sizeof info->dataset, "%s", dataset);
    }
    H5O_info_t oinfo;
    if (H5Lexists(f, info->dataset, H5P_DEFAULT) <= 0 ||
        H5Oget_info_by_name2(f, info->dataset, &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s' has no dataset '%s' (datasets: %s)",
                       file, info->dataset, list.count ? candidates : "none");
    }
    if (oinfo.type != H5O_TYPE_DATASET)
        return sq_fail(err, SQ_ERR_RUNTIME, "'%s' in '%s' is a group, not a dataset (datasets: %s)",
                       info->dataset, file, list.count ? candidates : "none");
    return SQ_OK;
}

/* The type x is computed in and how to read it: integers up to 64 bits, float32 and float64. */
static int classify_type(hid_t type, const char *file, sq_input_info *info, sq_error *err) {
    describe_type(type, info->datatype, sizeof info->datatype);
    const H5T_class_t cls = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    if (cls == H5T_INTEGER && size <= 8) {
        info->type = SQ_DTYPE_INT64;
        info->read_as =
            (size == 8 && H5Tget_sign(type) == H5T_SGN_NONE) ? SQ_READ_UINT64 : SQ_READ_INT64;
        return SQ_OK;
    }
    if (cls == H5T_FLOAT && (size == 4 || size == 8)) {
        info->type = SQ_DTYPE_FLOAT64;
        info->read_as = SQ_READ_FLOAT64;
        return SQ_OK;
    }
    return sq_fail(err, SQ_ERR_RUNTIME,
                   "dataset '%s' in '%s' has type %s; sqcube reads integer (8 to 64 bit, signed "
                   "or unsigned) and float (32 or 64 bit) datasets",
                   info->dataset, file, info->datatype);
}

/* How the dataset will be read (info->access, info->serial_read): refused at once when it cannot
 * be read at all (a VDS source file missing, a filter this HDF5 lacks). */
static int check_access(const char *file, hid_t d, sq_input_info *info, sq_error *err) {
    char detail[256];
    if (sq_h5__input_access(file, d, info->access, sizeof info->access, &info->serial_read, detail,
                            sizeof detail) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "dataset '%s' in '%s' cannot be read: %s",
                       info->dataset, file, detail);
    return SQ_OK;
}

/* The shape and element count: any rank up to SQ_MAX_RANK, at most 2^62 elements. */
static int read_shape(hid_t space, const char *file, sq_input_info *info, sq_error *err) {
    const H5S_class_t scls = H5Sget_simple_extent_type(space);
    const int ndims = H5Sget_simple_extent_ndims(space);
    if (scls == H5S_NULL || ndims < 0 || ndims > SQ_MAX_RANK)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "dataset '%s' in '%s' has a null dataspace (no shape, no elements); there "
                       "is nothing to compute",
                       info->dataset, file);
    hsize_t dims[SQ_MAX_RANK];
    H5Sget_simple_extent_dims(space, dims, NULL);
    info->shape.rank = ndims;
    for (int k = 0; k < ndims; ++k)
        info->shape.dims[k] = (int64_t)dims[k];
    info->n = sq_shape_count(&info->shape);
    if (info->n < 0) {
        char shape[256];
        sq_shape_format(&info->shape, shape, sizeof shape);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "dataset '%s' in '%s' has %s elements, more than sqcube's limit of 2^62",
                       info->dataset, file, shape);
    }
    return SQ_OK;
}

int sq_h5_probe_input(const char *file, const char *dataset, sq_input_info *info, sq_error *err) {
    char detail[256];
    memset(info, 0, sizeof *info);
    if (check_input_file(file, err))
        return err->status;
    const hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "cannot open input file '%s' with HDF5 (%s); it may be truncated or damaged",
                       file, sq_h5__h5_detail(detail));
    hid_t d = -1, type = -1, space = -1;
    int rc = choose_dataset(f, file, dataset, info, err);
    if (rc != SQ_OK)
        goto out_close_file;
    d = H5Dopen2(f, info->dataset, H5P_DEFAULT);
    if (d < 0 || (type = H5Dget_type(d)) < 0 || (space = H5Dget_space(d)) < 0) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "cannot open dataset '%s' in '%s' (%s)", info->dataset,
                     file, sq_h5__h5_detail(detail));
        goto out_close_dataset;
    }
    rc = check_access(file, d, info, err);
    if (rc == SQ_OK)
        rc = classify_type(type, file, info, err);
    if (rc == SQ_OK)
        rc = read_shape(space, file, info, err);
out_close_dataset:
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

/* Parallel HDF5 1.10 cannot read a virtual dataset through MPI-IO: every rank reopens the file
 * read-only with the serial driver and reads its own elements (the same metadata calls on every
 * rank, so the ranks agree on the switch). */
static void reopen_serial(sq_h5_reader *r, const char *file) {
    H5Dclose(r->dset);
    H5Fclose(r->file);
    r->dset = -1;
    r->serial = 1;
    r->file = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file >= 0)
        r->dset = H5Dopen2(r->file, r->dataset, H5P_DEFAULT);
}

int sq_h5_reader_open(const sq_par *par, const char *hints, const char *file, const char *dataset,
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
    const hid_t fapl = sq_h5__mpio_fapl_hints(par, hints, io);
    if (fapl >= 0) {
        r->file = H5Fopen(file, H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    if (r->file >= 0)
        r->dset = H5Dopen2(r->file, dataset, H5P_DEFAULT);
    if (r->dset >= 0 && sq_h5__needs_serial_read(r->dset))
        reopen_serial(r, file);
    r->dxpl = r->serial ? H5Pcreate(H5P_DATASET_XFER) : sq_h5__transfer_dxpl(io);
    if (r->file < 0 || r->dset < 0 || r->dxpl < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot open '%s' for parallel reading (%s)", r->name,
                sq_h5__h5_detail(detail));
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
    const int rc = sq_h5__transfer(r->dset, sq_h5__read_type(r->read_as), r->dxpl, offset, count,
                                   r->max_request, buf, 0, r->serial ? NULL : &r->io);
    if (rc == -1)
        return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements %lld..%lld of '%s' (%s)",
                       (long long)offset, (long long)(offset + count), r->name,
                       sq_h5__h5_detail(detail));
    if (rc < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "reading elements %lld..%lld of '%s' failed (%s); the file may be "
                       "truncated or damaged",
                       (long long)offset, (long long)(offset + count), r->name,
                       sq_h5__h5_detail(detail));
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

void sq_h5_reader_io(const sq_h5_reader *r, char *actual, size_t alen, char *cause, size_t clen) {
    if (r->serial) {
        snprintf(actual, alen, "serial (each rank through its own sec2 file handle)");
        snprintf(cause, clen, "virtual dataset (parallel HDF5 cannot read it through MPI-IO)");
        return;
    }
    sq_h5__io_describe(&r->io, actual, alen, cause, clen);
}

void sq_h5__reader_source(const sq_h5_reader *r, nc_source *src) {
    src->src_file = r ? r->file : -1;
    src->src_dset = r ? r->dset : -1;
    src->src_dxpl = r ? r->dxpl : H5P_DEFAULT;
    src->src_name = r ? r->dataset : "";
}
