/*
 * h5io_internal.h - what the files of the HDF5 edge share, private to them (h5io*.c).
 *
 * The public interface is h5io.h; this header adds HDF5's types and the helpers the input, output,
 * checkpoint, result and self-test files have in common. Internal names carry the sq_h5__ prefix.
 * scripts/check_edges.sh fails the lint run if a file outside h5io*.c includes it.
 */
#ifndef SQCUBE_H5IO_INTERNAL_H
#define SQCUBE_H5IO_INTERNAL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "h5io.h"

/* ---- errors (h5io.c) -------------------------------------------------------------------- */

/* The innermost HDF5 message of the last failure, for sq_error lines (a self-test may write its
 * own). */
extern char sq_h5__last_detail[256];
/* errno as the last failed transfer left it (0: none), for sq_h5__write_cause. */
extern int sq_h5__transfer_errno;
/* Copies the innermost HDF5 message of the last failure into buf (256 bytes) and clears the
 * stack. Returns buf. */
const char *sq_h5__h5_detail(char *buf);
/* Why a write failed, in words, when the file system says (a full disk, a quota), or "". */
const char *sq_h5__write_cause(const char *path, double bytes);

/* ---- types and property lists (h5io.c) ---------------------------------------------------- */

hid_t sq_h5__native_type(sq_dtype t);
hid_t sq_h5__read_type(sq_read_type t);
/* File access through MPI-IO on par's ranks (NULL: this process alone) with the hints
 * ("k1=v1;k2=v2", "" for none), and collective metadata. */
hid_t sq_h5__mpio_fapl_hints(const sq_par *par, const char *hints, sq_io_mode io);
hid_t sq_h5__mpio_fapl(const sq_par *par);
/* Transfer properties: collective or independent MPI-IO. */
hid_t sq_h5__transfer_dxpl(sq_io_mode io);
hid_t sq_h5__collective_dxpl(void);

/* ---- transfers (h5io.c) ------------------------------------------------------------------- */

/* What HDF5 did for the transfers with data: the actual modes seen and the causes reported. */
typedef struct io_record {
    unsigned modes;  /* bit (1 << mode) for each H5D_mpio_actual_io_mode_t seen */
    uint32_t causes; /* OR of the global no-collective causes */
} io_record;

/* The record in words: "collective", "independent", ... and the causes ("none"). */
void sq_h5__io_describe(const io_record *rec, char *actual, size_t alen, char *cause, size_t clen);
/* Reads (writing 0) or writes elements [offset, offset + count) of dset in pieces of at most
 * 1 GiB, as many calls on every rank (max_request bounds every rank's count); notes what HDF5 did
 * in rec. Returns 0, -1 when the selection failed, -2 when a transfer failed. */
int sq_h5__transfer(hid_t dset, hid_t mtype, hid_t dxpl, int64_t offset, int64_t count,
                    int64_t max_request, void *buf, int writing, io_record *rec);

/* ---- attributes (h5io.c): 0 or -1 ---------------------------------------------------------- */

int sq_h5__attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                      const void *value);
int sq_h5__attr_i64(hid_t loc, const char *name, int64_t v);
int sq_h5__attr_f64(hid_t loc, const char *name, double v);
int sq_h5__attr_str(hid_t loc, const char *name, const char *v);
int sq_h5__attr_strs(hid_t loc, const char *name, const char *const *v, size_t n);
int sq_h5__read_i64(hid_t loc, const char *name, int64_t *v);
int sq_h5__read_f64(hid_t loc, const char *name, double *v);
int sq_h5__read_str(hid_t loc, const char *name, char *buf, size_t len);
/* 1 when the attribute exists and is of integer class. */
int sq_h5__attr_is_integer(hid_t loc, const char *name);

/* ---- the writer (h5io_output.c, h5io_checkpoint.c) ------------------------------------------ */

struct sq_h5_writer {
    int64_t n; /* elements per dataset: with none, no transfer is made (HDF5 cannot address them) */
    hid_t file, square, cube, dxpl;
    hid_t done, dxpl_ind; /* /checkpoint/done and the independent transfers of its flags */
    hid_t records;        /* /checkpoint/records: each chunk's reductions (h5io_chunkrec.c) */
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

/* h5io_output.c: sets w's fields for path (no file opened yet). */
void sq_h5__writer_init(sq_h5_writer *w, const sq_h5_write_settings *set, const char *path,
                        const sq_shape *shape, sq_dtype out_type);
/* h5io_output.c: the file access list of an output: MPI-IO with the hints, and the alignment. */
hid_t sq_h5__writer_fapl(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                         sq_error *err);
/* h5io_output.c: closes w's file (err filled on failure) and frees w. Collective. */
int sq_h5__writer_close(sq_h5_writer *w, sq_error *err);

/* h5io_checkpoint.c: /checkpoint of a new output: the done flags, the settings and their hash. */
int sq_h5__create_checkpoint(sq_h5_writer *w, const char *settings);
/* h5io_checkpoint.c: a session's record as attributes of a new group under parent. */
int sq_h5__write_session(hid_t parent, const sq_h5_session *rec);
hid_t sq_h5__open_or_create_group(hid_t loc, const char *name);

/* h5io_chunkrec.c: creates /checkpoint/records (nchunks rows) in group; opens it in file. */
hid_t sq_h5__records_create(hid_t group, int64_t nchunks);
hid_t sq_h5__records_open(hid_t file);
/* h5io_chunkrec.c: adds chunks_taken_over (int64[s - 1]: chunks taken over from sessions
 * 1 .. s - 1) to every resumed session s of runs: the current one (session) from r, the earlier
 * ones from the checkpoint's taken_over_<s> attributes. Call before /checkpoint goes. */
int sq_h5__runs_take_over(hid_t file, hid_t runs, const sq_resume *r, int32_t session);

#endif
