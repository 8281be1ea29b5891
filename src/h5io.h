/*
 * h5io.h - the HDF5 edge: the only interface to HDF5 in sqcube (h5io*.c implement it, sharing the
 * private h5io_internal.h; no HDF5 type appears here).
 *
 * Probing an input (serial, on rank 0: one clear message for each way an input can be wrong),
 * reading input chunks and writing result chunks collectively through the MPI-IO driver, writing
 * the reductions, provenance and timing as attributes and datasets, and reading result files back
 * for verify and info. Every collective function here must be called by every rank of the
 * communicator, with an empty selection (count 0) on a rank that has nothing to transfer.
 * HDF5's own error printing is turned off; failures come back as one sq_error line that quotes the
 * innermost HDF5 message.
 */
#ifndef SQCUBE_H5IO_H
#define SQCUBE_H5IO_H

#include <stddef.h>
#include <stdint.h>

#include "affinity.h"
#include "checkpoint.h"
#include "error.h"
#include "options.h"
#include "parallel.h"
#include "plan.h"
#include "record.h"
#include "stats.h"
#include "timer.h"

/* Silences HDF5's automatic error stack printing (SQCUBE_HDF5_DEBUG=1 keeps it) and reads
 * SQCUBE_MAX_TRANSFER (bytes, a count as --chunk takes it: 8 to 1G, rounded down to a multiple of
 * 8); a value it cannot use is SQ_ERR_USAGE with one line. */
int sq_h5_init(sq_error *err);

/* The most bytes one H5Dread/H5Dwrite call moves: 1 GiB, or less by SQCUBE_MAX_TRANSFER. */
int64_t sq_h5_max_transfer(void);

/* "1.10.8". */
void sq_h5_version(char *buf, size_t len);

/* 1 when this HDF5 was built with the MPI-IO driver (parallel HDF5). */
int sq_h5_is_parallel(void);

/* A parallel HDF5 round trip at path (for sqcube doctor): every rank of par creates the file
 * through the MPI-IO driver, writes element [rank] of a dataset of nranks elements collectively,
 * closes, reopens and reads all of them back, and checks them. The caller removes the file.
 * Collective. */
int sq_h5_selftest(const sq_par *par, const char *path, sq_error *err);

/* How elements are read into memory: HDF5 converts any stored integer or float type to these. */
typedef enum sq_read_type {
    SQ_READ_INT64 = 0,   /* integers up to 64 bits, signed or unsigned below 2^63 */
    SQ_READ_UINT64 = 1,  /* uint64: read as is, then checked to be below 2^63 */
    SQ_READ_FLOAT64 = 2, /* float32 and float64 (exact), or uint64 for float64 output */
} sq_read_type;

/* What probing an input dataset found. */
typedef struct sq_input_info {
    char dataset[SQ_DSET_MAX]; /* the dataset's full path, e.g. "/x" */
    int64_t n;                 /* elements: the product of the dimensions */
    sq_shape shape;            /* rank and dimensions (rank 0: a scalar) */
    sq_dtype type;             /* the type x is computed in: int64 for integers, float64 */
    sq_read_type read_as;      /* how to read it */
    char datatype[64];         /* the stored type, e.g. "uint16 big-endian" */
    int serial_read;           /* 1: read through a serial handle per rank (a virtual dataset) */
    char access[256];          /* how it is read, for /provenance input_access */
} sq_input_info;

/* Serial check of FILE and DATASET ("" = the file's only dataset): exists, is HDF5, holds the
 * dataset, of an integer or float class, any shape. Not collective (rank 0 calls it alone). */
int sq_h5_probe_input(const char *file, const char *dataset, sq_input_info *info, sq_error *err);

/* ---- reading an input dataset in chunks (collective) ----------------------------------- */
typedef struct sq_h5_reader sq_h5_reader;

int sq_h5_reader_open(const sq_par *par, const char *hints, const char *file, const char *dataset,
                      sq_read_type read_as, sq_io_mode io, int64_t max_request, sq_h5_reader **out,
                      sq_error *err);
/* Reads elements [offset, offset + count) of the row-major order into buf (count may be 0, and
 * at most the max_request given to open, which must be the same on every rank: a read longer than
 * 1 GiB is split into several calls, as many on every rank). Collective. */
int sq_h5_reader_read(sq_h5_reader *r, int64_t offset, int64_t count, void *buf, sq_error *err);
/* Collective; safe on NULL. */
void sq_h5_reader_close(sq_h5_reader *r);

/* ---- writing a result file (collective) ------------------------------------------------ */
typedef struct sq_h5_writer sq_h5_writer;

/* How a result file is laid out and written. */
typedef struct sq_h5_write_settings {
    sq_io_mode io;         /* collective or independent transfers */
    int64_t alignment;     /* H5Pset_alignment for objects of 1 MiB or more (0: HDF5's default) */
    int compress;          /* 0: contiguous datasets; 1-9: chunked, shuffle + deflate this level */
    int64_t storage_chunk; /* with compress: elements per HDF5 chunk (at most; see plan.h) */
    int64_t max_request;   /* the longest write any rank makes (the same on every rank) */
    int sync;              /* flush to stable storage (MPI_File_sync) before `complete` */
    int64_t nchunks;       /* work chunks: the length of /checkpoint/done */
    const char *ckpt_settings; /* the settings a resumed run must share (checkpoint.h) */
    /* The netCDF-4 view (h5io_netcdf.c): the open input whose dimensions, coordinates and
     * attributes the results take (NULL for generated input, then `generator` names it). */
    const sq_h5_reader *source;
    const char *generator;
} sq_h5_write_settings;

/* One run (session) of an output: a line of its history, in /checkpoint/sessions/<session> while
 * the output is partial and in /provenance/runs/<session> once it is complete. */
typedef struct sq_h5_session {
    int64_t session;          /* 1, 2, ...: the order of the runs */
    int64_t ranks;            /* MPI ranks of that run */
    int64_t threads_per_rank; /* OpenMP threads per rank */
    int64_t chunks_done;      /* chunks that run completed */
    int64_t elements_done;    /* their elements */
    char status[64];          /* "stopped by SIGUSR1" or "complete" */
    char start_time_utc[32];
    char end_time_utc[32];
    char hosts[4096];
    char command_line[4096];
} sq_h5_session;

/* Creates path (exclusively: it must not exist) with /square and /cube of the given shape and
 * out_type, and the checkpoint records of session 1 (/checkpoint/done all 0, /checkpoint/records
 * allocated, the settings text and its hash), then
 * flushes the file, so that from here on a run killed at any point leaves a file that opens and
 * resumes. hints: MPI-IO hints for the file, "k1=v1;k2=v2" ("" for none). */
int sq_h5_writer_create(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type,
                        sq_h5_writer **out, sq_error *err);
/* Opens the partial output path of an interrupted run for session `session` (see
 * sq_h5_checkpoint_probe), records the session as started, and flushes. set must describe the same
 * file (its compress, storage and nchunks as recorded). Collective. */
int sq_h5_writer_resume(const sq_par *par, const char *hints, const sq_h5_write_settings *set,
                        const char *path, const sq_shape *shape, sq_dtype out_type, int32_t session,
                        sq_h5_writer **out, sq_error *err);
/* The name the writer's messages use, after the caller renamed the open file. Not collective. */
void sq_h5_writer_set_path(sq_h5_writer *w, const char *path);
/* Flags chunk k as done by session: call after the chunk's data is written. Not collective (an
 * independent 4-byte write). */
int sq_h5_writer_mark_done(sq_h5_writer *w, int64_t k, int32_t session, sq_error *err);
/* Reads the flags of chunks [k, k + count) into flags (the session that did each, 0 for none). Not
 * collective. */
int sq_h5_writer_read_done(sq_h5_writer *w, int64_t k, int64_t count, int32_t *flags,
                           sq_error *err);
/* A clean stop: records the session (rec) with its merged reductions in the checkpoint, and closes
 * the file, leaving it partial and resumable. rec and merged identical on every rank. Collective.
 */
int sq_h5_writer_stop(sq_h5_writer *w, const sq_h5_session *rec, const sq_stats *merged,
                      sq_error *err);

/* Serial (rank 0 alone): reads the checkpoint of the partial output path into settings (the text
 * recorded, len bytes) and r (this run's session number, the valid sessions, their chunks and their
 * merged reductions, of the given type). Fails with a clear message on a file that is not a usable
 * checkpoint. */
int sq_h5_checkpoint_probe(const char *path, sq_dtype type, char *settings, size_t len,
                           sq_resume *r, sq_error *err);

/* The storage of the datasets in words: "contiguous" or "chunked 1048576, shuffle + deflate level
 * 6". Not collective. */
void sq_h5_writer_storage(const sq_h5_writer *w, char *buf, size_t len);
/* The open file's MPI_File handle (as void *, for sq_par_file_hints), or NULL. Not collective. */
const void *sq_h5_writer_mpi_file(const sq_h5_writer *w);
/* Writes elements [offset, offset + count) of both datasets (count may be 0, and at most the
 * settings' max_request; longer than 1 GiB, a write is split as reads are). Collective. */
int sq_h5_writer_write(sq_h5_writer *w, int64_t offset, int64_t count, const void *sq,
                       const void *cu, sq_error *err);
/* Hands the writer this rank's affinity rows (kept, not copied, until finish), to be written at
 * rows offset .. offset + count - 1 of /provenance/affinity, which has total rows. Not collective;
 * every rank calls it before finish. */
void sq_h5_writer_set_affinity(sq_h5_writer *w, const sq_affinity_row *rows, int count,
                               int64_t offset, int64_t total);

/* Writes the root attributes, /provenance with the history of the runs (the checkpoint's sessions,
 * a line for each session that was killed without a record (not valid in resume), then rec, this
 * run) in /provenance/runs, every rank's /provenance/affinity rows, and /timing (this rank's row:
 * its phase seconds), removes /checkpoint, then writes the `complete` attribute last, and closes
 * the file. summary, prov and rec must be identical on every rank. Collective. */
int sq_h5_writer_finish(sq_h5_writer *w, const sq_summary *summary, const sq_provenance *prov,
                        const sq_h5_session *rec, const sq_resume *resume, int rank, int nranks,
                        const sq_timers *timers, sq_error *err);
/* Closes without marking the file complete (after a failure). Collective; safe on NULL. */
void sq_h5_writer_abort(sq_h5_writer *w);

/* What HDF5 actually did for the transfers so far (H5Pget_mpio_actual_io_mode), e.g. "collective
 * (contiguous)", "independent", "none (no data)", and the causes that broke collective I/O
 * (H5Pget_mpio_no_collective_cause, over all ranks), e.g. "none" or "datatype conversion". */
void sq_h5_writer_io(const sq_h5_writer *w, char *actual, size_t alen, char *cause, size_t clen);
void sq_h5_reader_io(const sq_h5_reader *r, char *actual, size_t alen, char *cause, size_t clen);

/* ---- reading a result file (collective over par's ranks; par NULL: this process alone) ---- */
typedef struct sq_h5_result sq_h5_result;

typedef struct sq_result_meta {
    int64_t format_version;
    int64_t complete;    /* 1 when the run finished; 0 for a partial file */
    int64_t n;           /* elements of /square and /cube */
    sq_shape shape;      /* their shape */
    sq_summary summary;  /* root attributes */
    sq_provenance prov;  /* /provenance */
    int64_t timing_rows; /* rows of /timing (ranks of the run) */
} sq_result_meta;

/* Opens a result file and reads its metadata. Fails with a clear message on a file that is not an
 * sqcube result; a partial file opens (complete == 0) and the caller decides. */
int sq_h5_result_open(const sq_par *par, const char *path, sq_h5_result **out, sq_result_meta *meta,
                      sq_error *err);
/* Reads elements [offset, offset + count) of /square and /cube as output_type; count <=
 * max_request, the same on every rank (see sq_h5_reader_read). Collective. */
int sq_h5_result_read(sq_h5_result *r, int64_t offset, int64_t count, int64_t max_request, void *sq,
                      void *cu, sq_error *err);
/* Reads the whole /timing table (timing_rows x SQ_NPHASES) into rows. Not collective when the
 * file was opened by this process alone (par NULL). */
int sq_h5_result_timing(sq_h5_result *r, double *rows, sq_error *err);
/* Calls each(session, ctx) for every session of the file's history in order: /provenance/runs of
 * a complete file, /checkpoint/sessions of a partial one (the sessions that stopped cleanly).
 * Serial (par NULL). */
int sq_h5_result_runs(sq_h5_result *r, void (*each)(const sq_h5_session *, void *), void *ctx,
                      sq_error *err);
void sq_h5_result_close(sq_h5_result *r);

#endif
