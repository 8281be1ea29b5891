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
#include <sys/types.h>

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

/* ---- how an input is read (h5io_access.c) ------------------------------------------------- */

/* Parallel HDF5 1.10 reads most datasets through the MPI-IO driver, but not a virtual dataset
 * (VDS): those are read by each rank through its own serial (sec2) handle, opened read-only. An
 * external link is followed by HDF5 with the same file access (MPI-IO). A dataset whose filter the
 * library lacks, or a VDS whose source file is missing (HDF5 would silently read fill values), is
 * refused at the probe with one line. */

/* "FIFO (named pipe)", "character device", ...: what a path that is not a regular file is. */
const char *sq_h5__file_kind(mode_t mode);
/* Describes how dataset d of file (opened serially by the probe) will be read into access (len
 * bytes, for /provenance input_access) and sets *serial for a virtual dataset. Returns 0, or -1
 * with the reason in detail (dlen bytes) when it cannot be read at all. Not collective. */
int sq_h5__input_access(const char *file, hid_t d, char *access, size_t len, int *serial,
                        char *detail, size_t dlen);
/* 1 when d must be read through serial handles (a virtual dataset). Metadata only: collective
 * when the file was opened through MPI-IO (every rank calls it). */
int sq_h5__needs_serial_read(hid_t d);

/* ---- the netCDF-4 view of a result (h5io_netcdf.c) ------------------------------------------ */

/* A netCDF-4 file is an HDF5 file whose every variable axis has a dimension scale (HDF5's H5DS):
 * a 1-D dataset whose name is the dimension's name, holding the coordinate values (a coordinate
 * variable) or nothing (a dimension without a variable, marked by netCDF's NAME text). These
 * functions give /square, /cube, /timing and /provenance/affinity their dimensions, copy the
 * input's coordinate variables, derive the variables' attributes, and write `Conventions` and
 * `history`, so that netCDF-C (ncdump, NCO, CDO), h5netcdf and xarray read the file as it is.
 * Parallel HDF5 rule kept here: every metadata change (creating a dataset, an attribute, a scale,
 * attaching one) is made by every rank with identical arguments; the raw data of the small
 * coordinate datasets is written by rank 0 in a collective call where the other ranks select
 * nothing. No MPI calls of its own (the ranks' agreement comes from the identical inputs). */

/* Where the data came from: an input dataset (its file's metadata read through src_dxpl) or a
 * generator (src_dset < 0, generator its spec). */
typedef struct nc_source {
    hid_t src_file;        /* the open input file, or -1 */
    hid_t src_dset;        /* the open input dataset, or -1 */
    hid_t src_dxpl;        /* transfer list for reading its coordinates (collective or not) */
    const char *src_name;  /* the input dataset's path, e.g. "/t2m" ("" for generated) */
    const char *generator; /* the generator spec for generated input, else "" */
} nc_source;

/* h5io_input.c: the open input behind r (NULL: none) as a source of metadata. */
void sq_h5__reader_source(const sq_h5_reader *r, nc_source *src);

/* The dimension names given to the axes of an input without dimension scales: dim0, dim1, ... */
#define SQ_NC_DIM_PREFIX "dim"

/* Gives /square and /cube (of shape, in file) their dimensions: the input's dimension names with
 * its coordinate variables copied (values and attributes), or SQ_NC_DIM_PREFIX<k> dimensions
 * without variables; writes their long_name, units and carried attributes, and the root's
 * `Conventions` (a CF input) and the input's `history`. rank: this process's rank in the file's
 * communicator (0 writes the coordinate values). Collective. Returns 0 or -1. */
int sq_h5__nc_describe(hid_t file, hid_t square, hid_t cube, const sq_shape *shape,
                       const nc_source *src, int rank);
/* /timing's dimensions `rank` and `phase`, without variables (the phase names are the `phases`
 * attribute). Collective. */
int sq_h5__nc_timing(hid_t file, hid_t timing, int64_t nranks, int64_t nphases);
/* /provenance/affinity's dimension `affinity_row` (no variable), created in group. Collective. */
int sq_h5__nc_affinity(hid_t group, hid_t affinity, int64_t rows);
/* Prepends "<date>: <command_line>" (date from end_time_utc, ISO 8601 UTC, written as NCO and CDO
 * do: "Tue Nov 25 18:20:00 2026") to the root attribute `history` (kept from the input by
 * sq_h5__nc_describe), one line per run. Collective. */
int sq_h5__nc_history(hid_t file, const char *end_time_utc, const char *command_line);

#endif
