/*
 * h5io_checkpoint.c - the checkpoint of a partial output: its records at creation, the done flags
 * of the chunks, a clean stop's session record, and reading it back to resume.
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

static int attr_set_i64(hid_t loc, const char *name, int64_t v) {
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    return sq_h5__attr_i64(loc, name, v);
}

/* /checkpoint: the done flags of every chunk (int32, 0 = not done, filled at creation), each
 * chunk's record of reductions (h5io_chunkrec.c), the settings text and hash, and the next session
 * number. */
int sq_h5__create_checkpoint(sq_h5_writer *w, const char *settings) {
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
        w->records = w->done >= 0 ? sq_h5__records_create(g, w->set.nchunks) : -1;
        char hash[32];
        snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sq_ckpt_hash(settings));
        if (w->records >= 0 && sq_h5__attr_str(g, "settings", settings) >= 0 &&
            sq_h5__attr_str(g, "settings_hash", hash) >= 0 &&
            sq_h5__attr_i64(g, "next_session", 2) >= 0 &&
            sq_h5__attr_str(w->done, "meaning",
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

int sq_h5_writer_resume(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type, int32_t session,
                        sq_h5_writer **out, sq_error *err) {
    char detail[256];
    *out = NULL;
    sq_h5_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory opening '%s'", path);
    sq_h5__writer_init(w, set, path, shape, out_type);
    w->fapl = sq_h5__writer_fapl(par, hints, set, err);
    if (w->fapl < 0) {
        free(w);
        return err->status;
    }
    w->file = H5Fopen(path, H5F_ACC_RDWR, w->fapl);
    if (w->file >= 0) {
        w->square = H5Dopen2(w->file, "square", H5P_DEFAULT);
        w->cube = w->square >= 0 ? H5Dopen2(w->file, "cube", H5P_DEFAULT) : -1;
        w->done = w->cube >= 0 ? H5Dopen2(w->file, "checkpoint/done", H5P_DEFAULT) : -1;
        w->records = w->done >= 0 ? sq_h5__records_open(w->file) : -1;
    }
    w->dxpl = sq_h5__transfer_dxpl(set->io);
    w->dxpl_ind = sq_h5__transfer_dxpl(SQ_IO_INDEPENDENT);
    hid_t g = w->done >= 0 ? H5Gopen2(w->file, "checkpoint", H5P_DEFAULT) : -1;
    const int ok = w->records >= 0 && w->dxpl >= 0 && w->dxpl_ind >= 0 && g >= 0 &&
                   attr_set_i64(g, "next_session", (int64_t)session + 1) >= 0;
    if (g >= 0)
        H5Gclose(g);
    if (!ok || H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "cannot reopen the checkpoint '%s' to resume it (%s)", path,
                sq_h5__h5_detail(detail));
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
                       (long long)k, w->path, sq_h5__h5_detail(detail));
    return SQ_OK;
}

int sq_h5_writer_read_done(sq_h5_writer *w, int64_t k, int64_t count, int32_t *flags,
                           sq_error *err) {
    char detail[256];
    if (count > 0 && done_transfer(w, k, count, flags, 0) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "reading the done flags of chunks %lld..%lld of '%s' failed (%s)",
                       (long long)k, (long long)(k + count), w->path, sq_h5__h5_detail(detail));
    return SQ_OK;
}

/* The attributes of one session's group (everything but its reductions). */
int sq_h5__write_session(hid_t parent, const sq_h5_session *rec) {
    char name[32];
    snprintf(name, sizeof name, "%lld", (long long)rec->session);
    const hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    int rc = 0;
    rc |= sq_h5__attr_i64(g, "session", rec->session);
    rc |= sq_h5__attr_i64(g, "ranks", rec->ranks);
    rc |= sq_h5__attr_i64(g, "threads_per_rank", rec->threads_per_rank);
    rc |= sq_h5__attr_i64(g, "chunks_done", rec->chunks_done);
    rc |= sq_h5__attr_i64(g, "elements_done", rec->elements_done);
    rc |= sq_h5__attr_str(g, "status", rec->status);
    rc |= sq_h5__attr_str(g, "start_time_utc", rec->start_time_utc);
    rc |= sq_h5__attr_str(g, "end_time_utc", rec->end_time_utc);
    rc |= sq_h5__attr_str(g, "hosts", rec->hosts);
    rc |= sq_h5__attr_str(g, "command_line", rec->command_line);
    return H5Gclose(g) < 0 ? -1 : rc;
}

hid_t sq_h5__open_or_create_group(hid_t loc, const char *name) {
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0)
        return H5Gopen2(loc, name, H5P_DEFAULT);
    return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

int sq_h5_writer_stop(sq_h5_writer *w, const sq_h5_session *rec, const sq_stats *merged,
                      sq_error *err) {
    char detail[256], name[32];
    const hid_t sessions = sq_h5__open_or_create_group(w->file, "checkpoint/sessions");
    int bad = sessions < 0 || sq_h5__write_session(sessions, rec) < 0;
    if (!bad) {
        /* The session's merged reductions, as the bytes of sq_stats: the settings record its size
         * and sqcube's version, so only the same build layout reads them back. */
        snprintf(name, sizeof name, "%lld", (long long)rec->session);
        const hid_t g = H5Gopen2(sessions, name, H5P_DEFAULT);
        const hsize_t bytes = sizeof *merged;
        const hid_t space = H5Screate_simple(1, &bytes, NULL);
        bad = g < 0 || space < 0 ||
              sq_h5__attr_write(g, "reductions", H5T_NATIVE_UCHAR, H5T_NATIVE_UCHAR, space,
                                merged) < 0;
        if (space >= 0)
            H5Sclose(space);
        if (g >= 0)
            H5Gclose(g);
    }
    if (sessions >= 0)
        H5Gclose(sessions);
    if (bad) {
        sq_fail(err, SQ_ERR_RUNTIME, "writing the checkpoint of session %lld to '%s' failed (%s)",
                (long long)rec->session, w->path, sq_h5__h5_detail(detail));
        sq_h5_writer_abort(w);
        return err->status;
    }
    return sq_h5__writer_close(w, err);
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
    int ok = s >= 0 && sq_h5__read_i64(s, "session", &session) == 0 &&
             sq_h5__read_i64(s, "chunks_done", &chunks) == 0 &&
             sq_h5__read_i64(s, "elements_done", &elements) == 0 && session > 0 &&
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
    int64_t next = 0, complete = 0;
    if (g < 0 && f >= 0 && H5Aexists(f, "complete") > 0 &&
        sq_h5__read_i64(f, "complete", &complete) == 0 && complete == 1) {
        /* Killed between the close of a finished output and its rename. */
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' is a complete output: its run finished but was stopped before renaming it; "
                "check it (sqcube verify %s) and rename it to the output's name",
                path, path);
        goto out;
    }
    if (g < 0 || sq_h5__read_str(g, "settings", settings, len) < 0 ||
        sq_h5__read_i64(g, "next_session", &next) < 0) {
        sq_fail(err, SQ_ERR_RUNTIME,
                "'%s' is not a usable checkpoint (%s); remove it, or run without --resume and with "
                "--force, to start over",
                path, f < 0 ? sq_h5__h5_detail(detail) : "it has no /checkpoint records");
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
                    path, sq_h5__h5_detail(detail));
    }
out:
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    return err->status;
}
