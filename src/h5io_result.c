/*
 * h5io_result.c - reading a result file back, for verify and info: the metadata (root
 * attributes, /provenance), the data and /timing.
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
     * max_transfer, overlap, mpi_transport, omp_wait_policy, input_access) may be missing from
     * older files: they read as empty or 0. */
#define OPTIONAL(field)                                                                            \
    (strcmp(#field, "storage") == 0 || strcmp(#field, "compress_level") == 0 ||                    \
     strcmp(#field, "sync") == 0 || strcmp(#field, "max_transfer") == 0 ||                         \
     strcmp(#field, "overlap") == 0 || strcmp(#field, "mpi_transport") == 0 ||                     \
     strcmp(#field, "omp_wait_policy") == 0 || strcmp(#field, "input_access") == 0)
#define STR(field)                                                                                 \
    if (!OPTIONAL(field) || H5Aexists(g, #field) > 0)                                              \
        rc |= sq_h5__read_str(g, #field, p->field, sizeof p->field);
#define I64(field)                                                                                 \
    if (!OPTIONAL(field) || H5Aexists(g, #field) > 0)                                              \
        rc |= sq_h5__read_i64(g, #field, &p->field);
    SQ_PROVENANCE_FIELDS(STR, I64)
#undef STR
#undef I64
#undef OPTIONAL
    H5Gclose(g);
    return rc;
}

/* Reads a sum and, when the file has them (judged by the first sum), its companions. */
static int read_sum(hid_t file, sq_summary *s, const sq_field *f) {
    char key[64];
    int rc = sq_h5__read_f64(file, f->name, &s->sum[f->index]);
    sq_field_key(f, "_closed_form", key, sizeof key);
    if (f->index == 0)
        s->has_closed_form = H5Aexists(file, key) > 0;
    if (s->has_closed_form)
        rc |= sq_h5__read_str(file, key, s->closed_form[f->index], sizeof s->closed_form[f->index]);
    sq_field_key(f, "_exact", key, sizeof key);
    if (f->index == 0)
        s->has_exact = H5Aexists(file, key) > 0;
    if (s->has_exact)
        rc |= sq_h5__read_str(file, key, s->exact[f->index], sizeof s->exact[f->index]);
    return rc;
}

/* min and max: int64 (integer input with a number) or float64 (NaN: no element is a number). */
static int read_minmax(hid_t file, sq_summary *s, const sq_field *f) {
    if (sq_h5__attr_is_integer(file, f->name)) {
        s->has_minmax = 1;
        int64_t *v = sq_field_imm_ptr(s, f);
        const int rc = sq_h5__read_i64(file, f->name, v);
        *sq_field_fmm_ptr(s, f) = (double)*v;
        return rc;
    }
    const int rc = sq_h5__read_f64(file, f->name, sq_field_fmm_ptr(s, f));
    s->has_minmax = s->count > 0 && !(s->fmin != s->fmin);
    return rc;
}

/* The root attributes written by write_summary. */
static int read_summary(hid_t file, sq_summary *s) {
    char text[16];
    memset(s, 0, sizeof *s);
    int rc = sq_h5__read_str(file, "input_type", text, sizeof text);
    s->input_type = strcmp(text, "int64") == 0 ? SQ_DTYPE_INT64 : SQ_DTYPE_FLOAT64;
    rc |= sq_h5__read_str(file, "output_type", text, sizeof text);
    s->output_type = strcmp(text, "int64") == 0 ? SQ_DTYPE_INT64 : SQ_DTYPE_FLOAT64;
    for (int i = 0; i < sq_nreduction_fields; ++i) {
        const sq_field *f = &sq_reduction_fields[i];
        switch (f->kind) {
        case SQ_FIELD_I64:
            rc |= sq_h5__read_i64(file, f->name, sq_field_i64_ptr(s, f));
            break;
        case SQ_FIELD_SUM:
            rc |= read_sum(file, s, f);
            break;
        case SQ_FIELD_MINMAX:
            rc |= read_minmax(file, s, f);
            break;
        }
    }
    return rc;
}

int sq_h5_result_open(const sq_par *par, const char *path, sq_h5_result **out, sq_result_meta *meta,
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
    const hid_t fapl = sq_h5__mpio_fapl(par);
    if (fapl >= 0) {
        r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
    }
    if (r->file < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot open '%s' (%s)", path, sq_h5__h5_detail(detail));
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
        sq_h5__read_i64(r->file, "format_version", &meta->format_version) < 0) {
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
        sq_h5__read_i64(r->file, "complete", &meta->complete);
    if (read_summary(r->file, &meta->summary) < 0 || read_provenance(r->file, &meta->prov) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' lacks some of the attributes of format version %d (%s)%s", path,
                SQ_FORMAT_VERSION, sq_h5__h5_detail(detail),
                meta->complete ? "" : "; it is a partial file from a run that did not finish");
        goto fail;
    }
    r->type = (sq_dtype)meta->summary.output_type;
    r->square = H5Dopen2(r->file, "square", H5P_DEFAULT);
    r->cube = r->square >= 0 ? H5Dopen2(r->file, "cube", H5P_DEFAULT) : -1;
    r->timing = r->cube >= 0 ? H5Dopen2(r->file, "timing", H5P_DEFAULT) : -1;
    r->dxpl = sq_h5__collective_dxpl();
    if (r->timing < 0 || r->dxpl < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "'%s' lacks /square, /cube or /timing (%s)", path,
                sq_h5__h5_detail(detail));
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
        const int rc = sq_h5__transfer(dsets[i], sq_h5__native_type(r->type), r->dxpl, offset,
                                       count, max_request, bufs[i], 0, NULL);
        if (rc == -1)
            return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements of '%s' (%s)", r->path,
                           sq_h5__h5_detail(detail));
        if (rc < 0)
            return sq_fail(err, SQ_ERR_RUNTIME,
                           "reading elements %lld..%lld of /%s in '%s' failed (%s)",
                           (long long)offset, (long long)(offset + count),
                           i == 0 ? "square" : "cube", r->path, sq_h5__h5_detail(detail));
    }
    return SQ_OK;
}

int sq_h5_result_timing(sq_h5_result *r, double *rows, sq_error *err) {
    char detail[256];
    if (H5Dread(r->timing, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "reading /timing of '%s' failed (%s)", r->path,
                       sq_h5__h5_detail(detail));
    return SQ_OK;
}

/* One session record; the attributes a killed session lacks read as 0 or empty. */
static int read_session(hid_t g, sq_h5_session *rec) {
    memset(rec, 0, sizeof *rec);
    if (sq_h5__read_i64(g, "session", &rec->session) < 0 ||
        sq_h5__read_str(g, "status", rec->status, sizeof rec->status) < 0)
        return -1;
    sq_h5__read_i64(g, "ranks", &rec->ranks);
    sq_h5__read_i64(g, "threads_per_rank", &rec->threads_per_rank);
    sq_h5__read_i64(g, "chunks_done", &rec->chunks_done);
    sq_h5__read_i64(g, "elements_done", &rec->elements_done);
    sq_h5__read_str(g, "start_time_utc", rec->start_time_utc, sizeof rec->start_time_utc);
    sq_h5__read_str(g, "end_time_utc", rec->end_time_utc, sizeof rec->end_time_utc);
    sq_h5__read_str(g, "hosts", rec->hosts, sizeof rec->hosts);
    sq_h5__read_str(g, "command_line", rec->command_line, sizeof rec->command_line);
    return 0;
}

int sq_h5_result_runs(sq_h5_result *r, void (*each)(const sq_h5_session *, void *), void *ctx,
                      sq_error *err) {
    char detail[256], name[32];
    const char *where = H5Lexists(r->file, "provenance", H5P_DEFAULT) > 0 &&
                                H5Lexists(r->file, "provenance/runs", H5P_DEFAULT) > 0
                            ? "provenance/runs"
                        : H5Lexists(r->file, "checkpoint", H5P_DEFAULT) > 0 &&
                                H5Lexists(r->file, "checkpoint/sessions", H5P_DEFAULT) > 0
                            ? "checkpoint/sessions"
                            : NULL;
    if (where == NULL) {
        H5Eclear2(H5E_DEFAULT);
        return SQ_OK;
    }
    const hid_t runs = H5Gopen2(r->file, where, H5P_DEFAULT);
    if (runs < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "cannot open /%s of '%s' (%s)", where, r->path,
                       sq_h5__h5_detail(detail));
    /* Sessions are numbered 1, 2, ... in order; a partial file may lack the running one. */
    for (int s = 1; s < SQ_CKPT_MAX_SESSIONS; ++s) {
        snprintf(name, sizeof name, "%d", s);
        if (H5Lexists(runs, name, H5P_DEFAULT) <= 0)
            continue;
        sq_h5_session rec;
        const hid_t g = H5Gopen2(runs, name, H5P_DEFAULT);
        if (g < 0 || read_session(g, &rec) < 0) {
            sq_fail(err, SQ_ERR_RUNTIME, "cannot read /%s/%s of '%s' (%s)", where, name, r->path,
                    sq_h5__h5_detail(detail));
            if (g >= 0)
                H5Gclose(g);
            break;
        }
        H5Gclose(g);
        each(&rec, ctx);
    }
    H5Gclose(runs);
    H5Eclear2(H5E_DEFAULT);
    return err->status;
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
