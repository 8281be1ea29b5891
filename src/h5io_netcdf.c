/*
 * h5io_netcdf.c - the netCDF-4 view of a result file: dimension scales on every axis, the input's
 * coordinate variables copied, the variables' attributes derived, `Conventions` and `history`.
 *
 * Part of the HDF5 edge (see h5io_internal.h for the contract and the parallel rule it keeps). The
 * layout follows what netCDF-C itself writes, so that netCDF-C, h5netcdf and xarray need no
 * options: a coordinate variable is a dimension scale named after itself; a dimension without one
 * is a float32 dataset of the dimension's length, never written, whose scale NAME is netCDF's
 * "This is a netCDF dimension but not a netCDF variable." text followed by the length.
 */
#include "h5io_internal.h"

#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <time.h>

#include "units.h"

#define NC_NOT_A_VARIABLE "This is a netCDF dimension but not a netCDF variable."
#define NAME_MAX_LEN 256

/* The names sqcube's own objects take in the root group: an input dimension of one of these names
 * gets a SQ_NC_DIM_PREFIX name instead. */
static const char *const reserved_names[] = {"square", "cube",       "timing",    "rank",
                                             "phase",  "provenance", "checkpoint"};

/* Attributes of the input variable that no longer hold for its square or cube (or that name
 * variables the output does not hold), and HDF5's and netCDF's own bookkeeping: never carried.
 * long_name and units are derived; every name starting with '_' is dropped too. */
static const char *const dropped_attrs[] = {
    "CLASS",         "NAME",          "REFERENCE_LIST", "DIMENSION_LIST", "long_name",
    "units",         "standard_name", "missing_value",  "valid_range",    "valid_min",
    "valid_max",     "scale_factor",  "add_offset",     "actual_range",   "cell_methods",
    "cell_measures", "coordinates",   "grid_mapping",   "bounds",         "ancillary_variables",
    "flag_values",   "flag_masks",    "flag_meanings",  "formula_terms",  "compress",
};

/* A coordinate variable's attributes are copied (with its _FillValue) but for the scale
 * bookkeeping and `bounds` (its bounds variable is not copied). */
static const char *const coordinate_dropped[] = {"CLASS", "NAME", "REFERENCE_LIST",
                                                 "DIMENSION_LIST", "bounds"};

static int in_list(const char *name, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

/* ---- small attribute helpers ---------------------------------------------------------------- */

static hid_t vlen_string(void) {
    const hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Writes (replacing) a scalar variable-length UTF-8 string attribute. */
static int put_str(hid_t loc, const char *name, const char *value) {
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    const hid_t t = vlen_string(), space = H5Screate(H5S_SCALAR);
    hid_t a = -1;
    int rc = -1;
    if (t >= 0 && space >= 0)
        a = H5Acreate2(loc, name, t, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, t, &value) >= 0)
        rc = 0;
    if (a >= 0 && H5Aclose(a) < 0)
        rc = -1;
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

/* A scalar string attribute (variable or fixed length, as netCDF writes NC_STRING and NC_CHAR),
 * or NULL when absent or not a string. The caller frees. */
static char *get_str(hid_t loc, const char *name) {
    if (H5Aexists(loc, name) <= 0)
        return NULL;
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    const hid_t ft = a >= 0 ? H5Aget_type(a) : -1;
    const hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    char *out = NULL;
    if (ft >= 0 && space >= 0 && H5Tget_class(ft) == H5T_STRING &&
        H5Sget_simple_extent_npoints(space) == 1) {
        if (H5Tis_variable_str(ft) > 0) {
            const hid_t mt = vlen_string();
            char *v = NULL;
            if (mt >= 0 && H5Aread(a, mt, &v) >= 0) {
                out = strdup(v ? v : "");
                H5free_memory(v);
            }
            if (mt >= 0)
                H5Tclose(mt);
        } else {
            const size_t size = H5Tget_size(ft);
            const hid_t mt = H5Tcopy(H5T_C_S1);
            out = calloc(size + 1, 1);
            if (mt < 0 || out == NULL || H5Tset_size(mt, size + 1) < 0 || H5Aread(a, mt, out) < 0) {
                free(out);
                out = NULL;
            }
            if (mt >= 0)
                H5Tclose(mt);
        }
    }
    if (space >= 0)
        H5Sclose(space);
    if (ft >= 0)
        H5Tclose(ft);
    if (a >= 0)
        H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
    return out;
}

/* Copies one attribute of a numeric or string type, with its file type and shape. */
static int copy_attr(hid_t src, const char *name, hid_t dst) {
    const hid_t a = H5Aopen(src, name, H5P_DEFAULT);
    const hid_t ft0 = a >= 0 ? H5Aget_type(a) : -1;
    const hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    int rc = -1;
    if (ft0 < 0 || space < 0)
        goto out;
    const H5T_class_t cls = H5Tget_class(ft0);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT && cls != H5T_STRING) {
        rc = 0; /* references, compounds, ...: not carried */
        goto out;
    }
    const hid_t ft = H5Tcopy(ft0); /* transient: a committed type belongs to the input file */
    const hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    const size_t size = mt >= 0 ? H5Tget_size(mt) : 0;
    void *buf = n >= 0 && size > 0 ? calloc((size_t)n + 1, size) : NULL;
    if (buf != NULL && H5Aread(a, mt, buf) >= 0) {
        const hid_t out = H5Acreate2(dst, name, ft, space, H5P_DEFAULT, H5P_DEFAULT);
        if (out >= 0 && H5Awrite(out, mt, buf) >= 0)
            rc = 0;
        if (out >= 0 && H5Aclose(out) < 0)
            rc = -1;
        if (H5Tis_variable_str(mt) > 0)
            H5Dvlen_reclaim(mt, space, H5P_DEFAULT, buf);
    }
    free(buf);
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
out:
    if (space >= 0)
        H5Sclose(space);
    if (ft0 >= 0)
        H5Tclose(ft0);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

typedef struct attr_copy {
    hid_t dst;
    const char *const *drop;
    size_t ndrop;
    int drop_underscore; /* drop every name starting with '_' (but _FillValue where keep_fill) */
    int keep_fill;
    int failed;
} attr_copy;

static herr_t copy_one(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
    (void)info;
    attr_copy *c = data;
    if (in_list(name, c->drop, c->ndrop) || (c->drop_underscore && name[0] == '_' &&
                                             !(c->keep_fill && strcmp(name, "_FillValue") == 0)))
        return 0;
    if (H5Aexists(c->dst, name) > 0)
        return 0; /* already written (derived) */
    if (copy_attr(loc, name, c->dst) < 0) {
        c->failed = 1;
        return -1;
    }
    return 0;
}

/* Copies the attributes of src to dst but for the dropped ones, in the order of their names (the
 * same on every rank). netCDF's own bookkeeping (_Netcdf4Dimid, _Netcdf4Coordinates, ...) starts
 * with '_' and describes the input file: copied, it would mislead netCDF-C about this one. */
static int copy_attrs(hid_t src, hid_t dst, const char *const *drop, size_t ndrop, int keep_fill) {
    attr_copy c = {dst, drop, ndrop, 1, keep_fill, 0};
    hsize_t idx = 0;
    if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_one, &c) < 0 || c.failed)
        return -1;
    return 0;
}

/* ---- datasets ------------------------------------------------------------------------------- */

/* Writes a whole small 1-D dataset from rank 0's buf in one collective call (the other ranks
 * select nothing). */
static int write_by_rank0(hid_t d, hid_t mtype, int64_t len, int rank, const void *buf) {
    if (len == 0)
        return 0;
    const hsize_t n = (hsize_t)len;
    const hid_t fspace = H5Screate_simple(1, &n, NULL), mspace = H5Screate_simple(1, &n, NULL);
    const hid_t dxpl = sq_h5__collective_dxpl();
    int rc = -1;
    if (fspace >= 0 && mspace >= 0 && dxpl >= 0 &&
        (rank == 0 || (H5Sselect_none(fspace) >= 0 && H5Sselect_none(mspace) >= 0)) &&
        H5Dwrite(d, mtype, mspace, fspace, dxpl, buf) >= 0)
        rc = 0;
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return rc;
}

/* A netCDF dimension without a variable: a float32 dataset of the dimension's length, never
 * written (no fill), made a scale with netCDF's marker text. */
static hid_t create_bare_dim(hid_t loc, const char *name, int64_t len) {
    const hsize_t n = (hsize_t)len;
    const hid_t space = H5Screate_simple(1, &n, NULL);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    if (space >= 0 && dcpl >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0)
        d = H5Dcreate2(loc, name, H5T_IEEE_F32BE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    char text[128];
    snprintf(text, sizeof text, "%s%10lld", NC_NOT_A_VARIABLE, (long long)len);
    if (d >= 0 && H5DSset_scale(d, text) < 0) {
        H5Dclose(d);
        d = -1;
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return d;
}

/* A copy of the input's coordinate variable src (1-D, len values, any numeric or string type):
 * values (read by every rank through src_dxpl, written by rank 0) and attributes, made the scale
 * of dimension `name`. */
static hid_t copy_coordinate(hid_t loc, const char *name, hid_t src, hid_t src_dxpl, int64_t len,
                             int rank) {
    const hid_t ft0 = H5Dget_type(src);
    const hid_t ft = ft0 >= 0 ? H5Tcopy(ft0) : -1;
    const hid_t mt = ft >= 0 ? H5Tget_native_type(ft, H5T_DIR_ASCEND) : -1;
    const hsize_t n = (hsize_t)len;
    const hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t d = -1;
    const H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (mt >= 0 && space >= 0 && (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_STRING))
        d = H5Dcreate2(loc, name, ft, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int ok = d >= 0;
    if (ok && len > 0) {
        const size_t size = H5Tget_size(mt);
        void *buf = calloc((size_t)len, size);
        ok = buf != NULL && H5Dread(src, mt, H5S_ALL, H5S_ALL, src_dxpl, buf) >= 0 &&
             write_by_rank0(d, mt, len, rank, buf) == 0;
        if (buf != NULL && H5Tis_variable_str(mt) > 0)
            H5Dvlen_reclaim(mt, space, H5P_DEFAULT, buf);
        free(buf);
    }
    ok = ok &&
         copy_attrs(src, d, coordinate_dropped,
                    sizeof coordinate_dropped / sizeof coordinate_dropped[0], 1) == 0 &&
         H5DSset_scale(d, name) >= 0;
    if (!ok && d >= 0) {
        H5Dclose(d);
        d = -1;
    }
    if (space >= 0)
        H5Sclose(space);
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    if (ft0 >= 0)
        H5Tclose(ft0);
    return d;
}

/* ---- the dimensions of /square and /cube ---------------------------------------------------- */

typedef struct nc_dim {
    char name[NAME_MAX_LEN];
    char path[1024]; /* the input scale's path ("" for none): the same scale, the same dimension */
    hid_t scale;     /* the input's scale dataset, or -1 */
    int is_variable; /* it holds coordinate values */
    int same_as;     /* an earlier axis with the same scale, or -1 */
    hid_t out;       /* the output's scale dataset */
} nc_dim;

static herr_t take_first_scale(hid_t did, unsigned dim, hid_t dsid, void *data) {
    (void)did;
    (void)dim;
    if (H5Iinc_ref(dsid) < 0)
        return -1;
    *(hid_t *)data = dsid;
    return 1;
}

/* The input's scale on axis k, when it is a usable netCDF dimension (1-D, of the axis' length). */
static void find_input_scale(const nc_source *src, int k, int64_t len, nc_dim *dim) {
    hid_t s = -1;
    if (H5DSis_scale(src->src_dset) > 0 && k == 0) {
        s = src->src_dset; /* the input is itself a coordinate variable */
        H5Iinc_ref(s);
    } else if (H5DSget_num_scales(src->src_dset, (unsigned)k) > 0) {
        int idx = 0;
        if (H5DSiterate_scales(src->src_dset, (unsigned)k, &idx, take_first_scale, &s) < 0)
            s = -1;
    }
    H5Eclear2(H5E_DEFAULT);
    if (s < 0)
        return;
    const hid_t space = H5Dget_space(s);
    hsize_t n = 0;
    const int ok = space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
                   H5Sget_simple_extent_dims(space, &n, NULL) == 1 && (int64_t)n == len &&
                   H5Iget_name(s, dim->path, sizeof dim->path) > 0;
    if (space >= 0)
        H5Sclose(space);
    if (!ok) {
        dim->path[0] = '\0';
        H5Dclose(s);
        return;
    }
    const char *base = strrchr(dim->path, '/');
    const char *name = base ? base + 1 : dim->path;
    const size_t name_len = strlen(name);
    if (name_len >=
        sizeof dim->name) { /* longer than a dimension name here: a stable name instead */
        dim->path[0] = '\0';
        H5Dclose(s);
        return;
    }
    memcpy(dim->name, name, name_len + 1);
    char text[sizeof NC_NOT_A_VARIABLE + 16];
    const ssize_t tn = H5DSget_scale_name(s, text, sizeof text);
    dim->is_variable =
        !(tn > 0 && strncmp(text, NC_NOT_A_VARIABLE, strlen(NC_NOT_A_VARIABLE)) == 0);
    dim->scale = s;
    H5Eclear2(H5E_DEFAULT);
}

static int name_taken(const nc_dim *dims, int upto, const char *name) {
    if (in_list(name, reserved_names, sizeof reserved_names / sizeof reserved_names[0]))
        return 1;
    for (int j = 0; j < upto; ++j)
        if (strcmp(dims[j].name, name) == 0)
            return 1;
    return 0;
}

/* Names every axis: the input's dimension where it has a usable one (the same scale on two axes
 * is one dimension), else dim<k>, made unique with '_' suffixes. */
static void name_dims(const nc_source *src, const sq_shape *shape, nc_dim *dims) {
    for (int k = 0; k < shape->rank; ++k) {
        nc_dim *d = &dims[k];
        memset(d, 0, sizeof *d);
        d->scale = d->out = -1;
        d->same_as = -1;
        if (src->src_dset >= 0)
            find_input_scale(src, k, shape->dims[k], d);
        for (int j = 0; j < k && d->path[0]; ++j)
            if (strcmp(dims[j].path, d->path) == 0)
                d->same_as = j;
        if (d->same_as >= 0 || (d->path[0] && !name_taken(dims, k, d->name)))
            continue;
        if (d->scale >= 0)
            H5Dclose(d->scale);
        d->scale = -1;
        d->path[0] = '\0';
        d->is_variable = 0;
        snprintf(d->name, sizeof d->name, "%s%d", SQ_NC_DIM_PREFIX, k);
        size_t len = strlen(d->name);
        while (name_taken(dims, k, d->name) && len + 2 < sizeof d->name) {
            d->name[len++] = '_';
            d->name[len] = '\0';
        }
    }
}

/* long_name, units and the carried attributes of one result variable (power 2 or 3). */
static int describe_variable(hid_t var, const nc_source *src, int power) {
    const char *what = power == 2 ? "square" : "cube";
    char text[1024];
    char *long_name = NULL, *units = NULL;
    if (src->src_dset >= 0) {
        long_name = get_str(src->src_dset, "long_name");
        if (long_name == NULL)
            long_name = get_str(src->src_dset, "standard_name");
        units = get_str(src->src_dset, "units");
    }
    if (long_name != NULL)
        snprintf(text, sizeof text, "%s of %s", what, long_name);
    else if (src->src_dset >= 0)
        snprintf(text, sizeof text, "%s of %s", what,
                 strrchr(src->src_name, '/') ? strrchr(src->src_name, '/') + 1 : src->src_name);
    else
        snprintf(text, sizeof text, "%s of the generated input %s", what, src->generator);
    int rc = put_str(var, "long_name", text);
    char powered[256];
    if (rc == 0 && units != NULL && sq_units_power(units, power, powered, sizeof powered) == 0)
        rc = put_str(var, "units", powered);
    free(long_name);
    free(units);
    if (rc == 0 && src->src_dset >= 0)
        rc = copy_attrs(src->src_dset, var, dropped_attrs,
                        sizeof dropped_attrs / sizeof dropped_attrs[0], 0);
    return rc;
}

/* The root's Conventions (CF-1.8 when the input says it follows CF: its variables' metadata then
 * came over as CF has it) and the input's history, which sq_h5__nc_history extends. */
static int describe_root(hid_t file, const nc_source *src) {
    if (src->src_file < 0)
        return 0;
    const hid_t root = H5Gopen2(src->src_file, "/", H5P_DEFAULT);
    if (root < 0)
        return -1;
    char *conventions = get_str(root, "Conventions");
    char *history = get_str(root, "history");
    H5Gclose(root);
    int rc = 0;
    if (conventions != NULL && strncmp(conventions, "CF-", 3) == 0)
        rc |= put_str(file, "Conventions", "CF-1.8");
    if (history != NULL && history[0] != '\0')
        rc |= put_str(file, "history", history);
    free(conventions);
    free(history);
    return rc;
}

int sq_h5__nc_describe(hid_t file, hid_t square, hid_t cube, const sq_shape *shape,
                       const nc_source *src, int rank) {
    nc_dim dims[SQ_MAX_RANK];
    name_dims(src, shape, dims);
    int rc = 0;
    for (int k = 0; k < shape->rank && rc == 0; ++k) {
        nc_dim *d = &dims[k];
        if (d->same_as >= 0)
            d->out = H5Iinc_ref(dims[d->same_as].out) >= 0 ? dims[d->same_as].out : -1;
        else if (d->scale >= 0 && d->is_variable)
            d->out = copy_coordinate(file, d->name, d->scale, src->src_dxpl, shape->dims[k], rank);
        else
            d->out = create_bare_dim(file, d->name, shape->dims[k]);
        if (d->out < 0 || H5DSattach_scale(square, d->out, (unsigned)k) < 0 ||
            H5DSattach_scale(cube, d->out, (unsigned)k) < 0)
            rc = -1;
    }
    for (int k = 0; k < shape->rank; ++k) {
        if (dims[k].scale >= 0)
            H5Dclose(dims[k].scale);
        if (dims[k].out >= 0)
            H5Dclose(dims[k].out);
    }
    if (rc == 0)
        rc = describe_variable(square, src, 2) | describe_variable(cube, src, 3) |
             describe_root(file, src);
    return rc ? -1 : 0;
}

int sq_h5__nc_timing(hid_t file, hid_t timing, int64_t nranks, int64_t nphases) {
    /* phase has no coordinate variable: parallel HDF5 cannot write variable-length strings, and
     * netCDF-C misreads fixed-length ones; the names are /timing's `phases` attribute. */
    const hid_t rdim = create_bare_dim(file, "rank", nranks);
    const hid_t pdim = create_bare_dim(file, "phase", nphases);
    const int rc = rdim < 0 || pdim < 0 || H5DSattach_scale(timing, rdim, 0) < 0 ||
                   H5DSattach_scale(timing, pdim, 1) < 0 ||
                   put_str(timing, "long_name", "seconds each rank spent per phase") < 0;
    if (pdim >= 0)
        H5Dclose(pdim);
    if (rdim >= 0)
        H5Dclose(rdim);
    return rc ? -1 : 0;
}

int sq_h5__nc_affinity(hid_t group, hid_t affinity, int64_t rows) {
    const hid_t d = create_bare_dim(group, "affinity_row", rows);
    const int rc = d < 0 || H5DSattach_scale(affinity, d, 0) < 0;
    if (d >= 0)
        H5Dclose(d);
    return rc ? -1 : 0;
}

int sq_h5__nc_history(hid_t file, const char *end_time_utc, const char *command_line) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char date[64] = "";
    if (strptime(end_time_utc, "%Y-%m-%dT%H:%M:%S", &tm) != NULL) {
        const time_t t = timegm(&tm);
        struct tm utc;
        if (gmtime_r(&t, &utc) != NULL)
            strftime(date, sizeof date, "%a %b %d %H:%M:%S %Y", &utc);
    }
    char *old = get_str(file, "history");
    const size_t len = strlen(date) + strlen(command_line) + (old ? strlen(old) : 0) + 8;
    char *line = malloc(len);
    int rc = -1;
    if (line != NULL) {
        snprintf(line, len, "%s: %s%s%s", date[0] ? date : end_time_utc, command_line,
                 old ? "\n" : "", old ? old : "");
        rc = put_str(file, "history", line);
    }
    free(line);
    free(old);
    return rc;
}
