/*
 * h5io_output.c - writing a result file: creating it, writing chunks collectively, and at the
 * end the reductions, provenance, timing and placement, the `complete` mark and the close.
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

void sq_h5_writer_set_path(sq_h5_writer *w, const char *path) {
    snprintf(w->path, sizeof w->path, "%s", path);
}

void sq_h5_writer_storage(const sq_h5_writer *w, char *buf, size_t len) {
    snprintf(buf, len, "%s", w->storage);
}

void sq_h5__writer_init(sq_h5_writer *w, const sq_h5_write_settings *set, const char *path,
                        const sq_shape *shape, sq_dtype out_type) {
    w->file = w->square = w->cube = w->dxpl = w->fapl = w->done = w->dxpl_ind = w->records = -1;
    w->type = out_type;
    w->set = *set;
    w->set.ckpt_settings = NULL; /* the caller's text; only used during create */
    w->n = sq_shape_count(shape);
    snprintf(w->path, sizeof w->path, "%s", path);
}

/* The file access list of an output: MPI-IO with the hints, and the alignment. */
hid_t sq_h5__writer_fapl(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                         sq_error *err) {
    char detail[256];
    const hid_t fapl = sq_h5__mpio_fapl_hints(par, hints, set->io);
    if (fapl >= 0 && set->alignment > 0 &&
        H5Pset_alignment(fapl, (hsize_t)1 << 20, (hsize_t)set->alignment) < 0) {
        H5Pclose(fapl);
        sq_fail(err, SQ_ERR_RUNTIME, "cannot set an alignment of %lld bytes (%s)",
                (long long)set->alignment, sq_h5__h5_detail(detail));
        return -1;
    }
    if (fapl < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot set up MPI-IO file access (%s)",
                sq_h5__h5_detail(detail));
    return fapl;
}

int sq_h5_writer_create(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type,
                        sq_h5_writer **out, sq_error *err) {
    char detail[256];
    *out = NULL;
    sq_h5_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory creating '%s'", path);
    sq_h5__writer_init(w, set, path, shape, out_type);
    if (set->compress > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "--compress: this HDF5 library has no deflate (gzip) filter; run without "
                "--compress");
        free(w);
        return err->status;
    }

    const hid_t fapl = sq_h5__writer_fapl(par, hints, set, err);
    if (fapl < 0) {
        free(w);
        return err->status;
    }
    w->fapl = fapl;
    w->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl); /* never an existing name */
    if (w->file < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot create output file '%s' (%s)", path,
                sq_h5__h5_detail(detail));
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
    w->dxpl = sq_h5__transfer_dxpl(set->io);
    w->dxpl_ind = sq_h5__transfer_dxpl(SQ_IO_INDEPENDENT);
    nc_source nc;
    sq_h5__reader_source(set->source, &nc);
    nc.generator = set->generator ? set->generator : "";
    if (w->square < 0 || w->cube < 0 || w->dxpl < 0 || w->dxpl_ind < 0 ||
        sq_h5__nc_describe(w->file, w->square, w->cube, shape, &nc, par ? par->rank : 0) < 0 ||
        sq_h5__create_checkpoint(w, set->ckpt_settings ? set->ckpt_settings : "") < 0) {
        char text[256];
        sq_shape_format(shape, text, sizeof text);
        sq_fail(err, SQ_ERR_RUNTIME,
                "cannot create the datasets of shape %s in '%s' (%s); check the free space", text,
                path, sq_h5__h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    /* Everything but the raw data is now on disk: a run killed from here on leaves a file that
     * opens, and whose done flags say which chunks it finished. */
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot flush the new output '%s' (%s); check the free space",
                path, sq_h5__h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    *out = w;
    return SQ_OK;
}

int sq_h5_writer_write(sq_h5_writer *w, int64_t offset, int64_t count, const void *sq,
                       const void *cu, sq_error *err) {
    char detail[256];
    if (w->n == 0)
        return SQ_OK; /* empty datasets: every rank skips alike */
    const hid_t mtype = sq_h5__native_type(w->type);
    const hid_t dsets[2] = {w->square, w->cube};
    /* HDF5 only reads from the buffers it writes; its API takes them as const void *. */
    void *bufs[2] = {(void *)(uintptr_t)sq, (void *)(uintptr_t)cu};
    /* Both datasets are written even when the first failed: the writes are collective, and a
     * rank that saw no error is already in the second. */
    int status = SQ_OK;
    for (int i = 0; i < 2; ++i) {
        sq_h5__transfer_errno = 0;
        const int rc = sq_h5__transfer(dsets[i], mtype, w->dxpl, offset, count, w->set.max_request,
                                       bufs[i], 1, &w->io);
        if (rc == -1)
            return sq_fail(err, SQ_ERR_RUNTIME, "cannot select elements %lld..%lld of '%s' (%s)",
                           (long long)offset, (long long)(offset + count), w->path,
                           sq_h5__h5_detail(detail));
        const char *cause = rc < 0 ? sq_h5__write_cause(w->path, 8.0 * (double)count) : "";
        if (rc < 0)
            status = sq_fail(
                err, SQ_ERR_RUNTIME,
                "writing elements %lld..%lld of /%s to '%s' failed (%s%s%s); check the free "
                "space and quota of the output directory",
                (long long)offset, (long long)(offset + count), i == 0 ? "square" : "cube", w->path,
                cause, *cause ? ": " : "", sq_h5__h5_detail(detail));
    }
    return status;
}

/* The sums' companions: the exact decimal sums (integer input), the closed forms (range:N). */
static int write_sum_companions(hid_t root, const sq_summary *s, const sq_field *f) {
    char key[64];
    int rc = 0;
    if (s->has_exact) {
        sq_field_key(f, "_exact", key, sizeof key);
        rc |= sq_h5__attr_str(root, key, s->exact[f->index]);
    }
    if (s->has_closed_form) {
        sq_field_key(f, "_closed_form", key, sizeof key);
        rc |= sq_h5__attr_str(root, key, s->closed_form[f->index]);
    }
    return rc;
}

/* The root attributes: the format, the types, and every reduction of SQ_REDUCTION_FIELDS. */
static int write_summary(hid_t root, const sq_summary *s) {
    int rc = 0;
    rc |= sq_h5__attr_i64(root, "format_version", SQ_FORMAT_VERSION);
    rc |= sq_h5__attr_str(root, "input_type", sq_dtype_name((sq_dtype)s->input_type));
    rc |= sq_h5__attr_str(root, "output_type", sq_dtype_name((sq_dtype)s->output_type));
    for (int i = 0; i < sq_nreduction_fields; ++i) {
        const sq_field *f = &sq_reduction_fields[i];
        switch (f->kind) {
        case SQ_FIELD_I64:
            rc |= sq_h5__attr_i64(root, f->name, sq_field_i64(s, f));
            break;
        case SQ_FIELD_SUM:
            rc |= sq_h5__attr_f64(root, f->name, s->sum[f->index]);
            rc |= write_sum_companions(root, s, f);
            break;
        case SQ_FIELD_MINMAX: /* no number among the elements: NaN, documented */
            rc |= sq_summary_minmax_is_int(s)
                      ? sq_h5__attr_i64(root, f->name, sq_field_minmax_i64(s, f))
                      : sq_h5__attr_f64(root, f->name, sq_field_minmax_f64(s, f));
            break;
        }
    }
    return rc;
}

static int write_provenance(hid_t root, const sq_provenance *p) {
    const hid_t g = H5Gcreate2(root, "provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
#define STR(field) rc |= sq_h5__attr_str(g, #field, p->field);
#define I64(field) rc |= sq_h5__attr_i64(g, #field, p->field);
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
    const hid_t dxpl = sq_h5__collective_dxpl();
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
            sq_h5__attr_strs(d, "phases", names, SQ_NPHASES) >= 0 &&
            sq_h5__attr_str(d, "units", "s") >= 0 &&
            sq_h5__nc_timing(w->file, d, nranks, SQ_NPHASES) >= 0)
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
    const hid_t runs = sq_h5__open_or_create_group(file, "provenance/runs");
    if (runs < 0)
        return -1;
    int rc = H5Literate(runs, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, drop_reductions, NULL) < 0;
    /* Sessions that started but left no line were killed: the chunks they flagged were taken over
     * (h5io_chunkrec.c), the rest redone. */
    for (int32_t s = 1; s < rec->session && !rc; ++s) {
        char name[32];
        snprintf(name, sizeof name, "%d", (int)s);
        if (H5Lexists(runs, name, H5P_DEFAULT) > 0)
            continue;
        sq_h5_session lost = {.session = s,
                              .chunks_done = resume->taken[s],
                              .elements_done = resume->taken_elements[s]};
        snprintf(lost.status, sizeof lost.status, "killed");
        rc |= sq_h5__write_session(runs, &lost) < 0;
    }
    rc |= sq_h5__write_session(runs, rec) < 0;
    rc |= sq_h5__runs_take_over(file, runs, resume, (int32_t)rec->session) < 0;
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
            sq_h5__nc_affinity(g, d, w->affinity_total) >= 0)
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
    if (w->records >= 0)
        H5Dclose(w->records);
    w->dxpl_ind = w->done = w->records = -1;
}

int sq_h5_writer_finish(sq_h5_writer *w, const sq_summary *summary, const sq_provenance *prov,
                        const sq_h5_session *rec, const sq_resume *resume, int rank, int nranks,
                        const sq_timers *timers, sq_error *err) {
    char detail[256];
    const char *step = "the reductions";
    int bad = write_summary(w->file, summary) < 0 ||
              sq_h5__nc_history(w->file, prov->end_time_utc, prov->command_line) < 0;
    if (!bad) {
        step = "/provenance";
        bad = write_provenance(w->file, prov) < 0;
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
    /* /checkpoint goes last, after every new dataset has its space: its freed space is then never
     * written before the close, and a run killed before the close leaves the checkpoint whole on
     * disk (raw data only went to new space). */
    if (!bad) {
        step = "/provenance/runs";
        writer_release(w); /* /checkpoint/done goes with the group */
        bad = write_runs(w->file, rec, resume) < 0;
    }
    if (!bad) {
        step = "the complete flag";
        bad = sq_h5__attr_i64(w->file, "complete", 1) < 0;
    }
    if (bad) {
        sq_fail(err, SQ_ERR_RUNTIME, "writing %s to '%s' failed (%s); check the free space", step,
                w->path, sq_h5__h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    return sq_h5__writer_close(w, err);
}

int sq_h5__writer_close(sq_h5_writer *w, sq_error *err) {
    char detail[256];
    writer_release(w);
    H5Pclose(w->dxpl);
    H5Dclose(w->cube);
    H5Dclose(w->square);
    H5Pclose(w->fapl);
    const herr_t rc = H5Fclose(w->file);
    if (rc < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "closing '%s' failed (%s); check the free space", w->path,
                sq_h5__h5_detail(detail));
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

void sq_h5_writer_io(const sq_h5_writer *w, char *actual, size_t alen, char *cause, size_t clen) {
    sq_h5__io_describe(&w->io, actual, alen, cause, clen);
}

const void *sq_h5_writer_mpi_file(const sq_h5_writer *w) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(w->file, w->fapl, &handle) < 0)
        handle = NULL;
    return handle;
}
