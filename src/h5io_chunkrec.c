/*
 * h5io_chunkrec.c - the per-chunk checkpoint records in HDF5: creating and writing
 * /checkpoint/records, taking them over when a run resumes, and the take-over counts of
 * /provenance/runs. Part of the HDF5 edge (see h5io.h); the encoding is chunkrec.c's.
 */
#include "h5io_chunkrec.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunkrec.h"
#include "h5io_internal.h"

/* Chunks read at a time when taking a checkpoint over: 1024 records are about 1 MiB. */
#define TAKE_WINDOW 1024

hid_t sq_h5__records_create(hid_t group, int64_t nchunks) {
    const hsize_t dims[2] = {(hsize_t)nchunks, SQ_CHUNKREC_BYTES};
    const hid_t space = H5Screate_simple(2, dims, NULL);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    /* Contiguous and allocated now, so that writing a record never changes the file's metadata;
     * never filled: a row is only read when its chunk is flagged, after the row was written. */
    if (space >= 0 && dcpl >= 0 && H5Pset_layout(dcpl, H5D_CONTIGUOUS) >= 0 &&
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0)
        d = H5Dcreate2(group, "records", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return d;
}

hid_t sq_h5__records_open(hid_t file) {
    return H5Lexists(file, "checkpoint/records", H5P_DEFAULT) > 0
               ? H5Dopen2(file, "checkpoint/records", H5P_DEFAULT)
               : -1;
}

/* Rows [k, k + count) of records, read or written with dxpl. */
static herr_t records_transfer(hid_t records, hid_t dxpl, int64_t k, int64_t count,
                               unsigned char *buf, int writing) {
    const hid_t fspace = H5Dget_space(records);
    const hsize_t start[2] = {(hsize_t)k, 0}, n[2] = {(hsize_t)count, SQ_CHUNKREC_BYTES};
    const hid_t mspace = H5Screate_simple(2, n, NULL);
    herr_t rc = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, n, NULL) >= 0)
        rc = writing ? H5Dwrite(records, H5T_NATIVE_UCHAR, mspace, fspace, dxpl, buf)
                     : H5Dread(records, H5T_NATIVE_UCHAR, mspace, fspace, dxpl, buf);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return rc;
}

int sq_h5_writer_record(sq_h5_writer *w, int64_t k, int32_t session, const sq_stats *s,
                        sq_error *err) {
    char detail[256];
    unsigned char buf[SQ_CHUNKREC_BYTES];
    sq_chunkrec_encode(s, k, session, buf);
    if (records_transfer(w->records, w->dxpl_ind, k, 1, buf, 1) >= 0)
        return SQ_OK;
    /* The file system allocates whole blocks: a record may need one (4 KiB on most). */
    const char *cause = sq_h5__write_cause(w->path, SQ_CHUNKREC_BYTES + 4096.0);
    return sq_fail(err, SQ_ERR_RUNTIME,
                   "recording the reductions of chunk %lld in '%s' failed (%s%s%s); check the "
                   "free space and quota of the output directory",
                   (long long)k, w->path, cause, *cause ? ": " : "", sq_h5__h5_detail(detail));
}

/* The flags of chunks [k, k + count), read or written (serial). */
static herr_t flags_transfer(hid_t done, int64_t k, int64_t count, int32_t *flags, int writing) {
    const hid_t fspace = H5Dget_space(done);
    const hsize_t start = (hsize_t)k, n = (hsize_t)count;
    const hid_t mspace = H5Screate_simple(1, &n, NULL);
    herr_t rc = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0)
        rc = writing ? H5Dwrite(done, H5T_NATIVE_INT32, mspace, fspace, H5P_DEFAULT, flags)
                     : H5Dread(done, H5T_NATIVE_INT32, mspace, fspace, H5P_DEFAULT, flags);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return rc;
}

/* Takes over the chunks [k, k + count); clears the flags whose records do not read back. */
static int take_window(hid_t done, hid_t records, const sq_plan *plan, sq_dtype type, int64_t k,
                       int64_t count, int32_t *flags, unsigned char *recs, sq_resume *r) {
    if (flags_transfer(done, k, count, flags, 0) < 0 ||
        records_transfer(records, H5P_DEFAULT, k, count, recs, 0) < 0)
        return -1;
    int cleared = 0;
    for (int64_t j = 0; j < count; ++j) {
        const int32_t flag = flags[j];
        if (flag == 0)
            continue;
        const sq_range e = sq_plan_chunk_elements(plan, k + j);
        sq_stats s;
        if (flag > 0 && flag < r->session && r->valid[flag] &&
            sq_chunkrec_decode(recs + (size_t)j * SQ_CHUNKREC_BYTES, k + j, flag, type,
                               e.end - e.begin, &s) == 0) {
            sq_resume_take(r, flag, &s);
        } else {
            flags[j] = 0;
            cleared = 1;
        }
    }
    return cleared ? (flags_transfer(done, k, count, flags, 1) < 0 ? -1 : 0) : 0;
}

int sq_h5_checkpoint_take_over(const char *path, const sq_plan *plan, sq_dtype type, int clean_only,
                               sq_resume *r, sq_error *err) {
    char detail[256];
    sq_stats_init(&r->prev, type);
    r->chunks_done = r->elements_done = r->sessions_recorded = 0;
    memset(r->taken, 0, sizeof r->taken);
    memset(r->taken_elements, 0, sizeof r->taken_elements);
    for (int32_t s = 1; s < r->session && !clean_only; ++s)
        r->valid[s] = 1;
    int32_t *flags = malloc(sizeof *flags * TAKE_WINDOW);
    unsigned char *recs = malloc((size_t)SQ_CHUNKREC_BYTES * TAKE_WINDOW);
    const hid_t f = flags && recs ? H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT) : -1;
    const hid_t done = f >= 0 ? H5Dopen2(f, "checkpoint/done", H5P_DEFAULT) : -1;
    const hid_t records = f >= 0 ? sq_h5__records_open(f) : -1;
    int rc = done >= 0 && records >= 0 ? 0 : -1;
    for (int64_t k = 0; rc == 0 && k < plan->nchunks; k += TAKE_WINDOW) {
        const int64_t left = plan->nchunks - k;
        rc = take_window(done, records, plan, type, k, left < TAKE_WINDOW ? left : TAKE_WINDOW,
                         flags, recs, r);
    }
    if (records >= 0)
        H5Dclose(records);
    if (done >= 0)
        H5Dclose(done);
    if (f >= 0 && H5Fclose(f) < 0)
        rc = -1;
    free(recs);
    free(flags);
    if (rc < 0)
        sq_fail(err, SQ_ERR_RUNTIME,
                "cannot read the chunk records of the checkpoint '%s' (%s); remove it, or run "
                "without --resume and with --force, to start over",
                path, flags && recs ? sq_h5__h5_detail(detail) : "out of memory");
    H5Eclear2(H5E_DEFAULT);
    return err->status;
}

/* attr name (int64[n]) on loc, replacing one of that name. */
static int write_counts(hid_t loc, const char *name, const int64_t *v, int64_t n) {
    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    const hsize_t dim = (hsize_t)n;
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    const hid_t a =
        space >= 0 ? H5Acreate2(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    const int rc = a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, v) >= 0 ? 0 : -1;
    if (a >= 0 && H5Aclose(a) < 0)
        return -1;
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

int sq_h5_writer_begin_session(sq_h5_writer *w, const sq_resume *r, sq_error *err) {
    char detail[256], name[48];
    if (r->session <= 1)
        return SQ_OK;
    const hid_t file = w->file;
    const hid_t g = H5Gopen2(file, "checkpoint", H5P_DEFAULT);
    snprintf(name, sizeof name, "taken_over_%d", (int)r->session);
    int rc = g >= 0 ? write_counts(g, name, r->taken + 1, r->session - 1) : -1;
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    if (rc < 0 || H5Fflush(file, H5F_SCOPE_GLOBAL) < 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "recording session %d's start in the checkpoint '%s' failed (%s); check "
                       "the free space",
                       (int)r->session, w->path, sq_h5__h5_detail(detail));
    return SQ_OK;
}

int sq_h5__runs_take_over(hid_t file, hid_t runs, const sq_resume *r, int32_t session) {
    char name[48], group[32];
    int rc = 0;
    int64_t *counts = malloc(sizeof *counts * (size_t)(session > 1 ? session : 1));
    if (counts == NULL)
        return -1;
    for (int32_t s = 2; s <= session && rc == 0; ++s) {
        snprintf(group, sizeof group, "%d", (int)s);
        if (H5Lexists(runs, group, H5P_DEFAULT) <= 0)
            continue;
        int have = 0;
        if (s == session) {
            memcpy(counts, r->taken + 1, sizeof *counts * (size_t)(s - 1));
            have = 1;
        } else {
            /* An earlier resumed session: what it recorded when it started (nothing when it was
             * killed before that). */
            snprintf(name, sizeof name, "taken_over_%d", (int)s);
            const hid_t g = H5Gopen2(file, "checkpoint", H5P_DEFAULT);
            const hid_t a = g >= 0 && H5Aexists(g, name) > 0 ? H5Aopen(g, name, H5P_DEFAULT) : -1;
            const hid_t space = a >= 0 ? H5Aget_space(a) : -1;
            have = space >= 0 && H5Sget_simple_extent_npoints(space) == (hssize_t)(s - 1) &&
                   H5Aread(a, H5T_NATIVE_INT64, counts) >= 0;
            if (space >= 0)
                H5Sclose(space);
            if (a >= 0)
                H5Aclose(a);
            if (g >= 0)
                H5Gclose(g);
        }
        if (!have)
            continue;
        const hid_t run = H5Gopen2(runs, group, H5P_DEFAULT);
        rc = run >= 0 && write_counts(run, "chunks_taken_over", counts, s - 1) == 0 ? 0 : -1;
        if (run >= 0 && H5Gclose(run) < 0)
            rc = -1;
    }
    free(counts);
    return rc;
}
