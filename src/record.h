/*
 * record.h - what a result file records besides its datasets: the reductions (root attributes) and
 * the provenance (group /provenance). docs/output-format.md documents every field.
 *
 * The writer fills these on rank 0 and broadcasts them, so every rank passes identical values to
 * the collective HDF5 attribute calls; verify and info read them back. Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_RECORD_H
#define SQCUBE_RECORD_H

#include <stdint.h>

#include "options.h"
#include "plan.h"   /* SQ_SHAPE_TEXT_MAX */
#include "schema.h" /* the fields of the output, described once */
#include "stats.h"

/* Version of the output layout; bumped on any incompatible change. */
#define SQ_FORMAT_VERSION 1

/* The root attributes (schema.h lists each reduction, and how each is written and printed). */
typedef struct sq_summary {
    int64_t count;        /* elements */
    int64_t nonfinite;    /* NaN, +Inf, -Inf inputs */
    int64_t input_type;   /* sq_dtype x is computed in */
    int64_t output_type;  /* sq_dtype of /square and /cube */
    double sum[SQ_NSUMS]; /* sum, sum_sq, sum_cube as float64 */
    int64_t has_exact;    /* 1 for integer input: exact[] holds the exact decimal sums */
    char exact[SQ_NSUMS][SQ_I256_DECIMAL_MAX];
    int64_t has_minmax;      /* 0: min and max are NaN (no element is a number) */
    int64_t imin, imax;      /* integer input */
    double fmin, fmax;       /* float input */
    int64_t has_closed_form; /* 1 for range:N input: closed_form[] holds the closed forms */
    char closed_form[SQ_NSUMS][SQ_I256_DECIMAL_MAX];
} sq_summary;

/* Fills the summary from merged reductions. */
void sq_summary_from_stats(sq_summary *sum, const sq_stats *st, sq_dtype output_type);

/* Group /provenance: how, where, when and from what the file was made. */
typedef struct sq_provenance {
    char sqcube_version[32];
    char git_commit[64];
    char compiler[128];
    char c_flags[2048];
    char build_type[32];
    char mpi_library[256];
    char mpi_thread_level[32];
    char mpi_transport[256];   /* Open MPI's pml as chosen by sqcube, or "as configured: why" */
    char omp_wait_policy[256]; /* "passive, set by sqcube: why", "as configured: ...", "default" */
    char hdf5_version[32];
    char command_line[4096];
    char schedule[16];
    char summation[512];                 /* sq_stats_method(): test_record checks every text fits */
    char input_kind[16];                 /* "file" or "generate" */
    char input_file[SQ_PATH_MAX];        /* absolute path; "" for generated input */
    char input_dataset[SQ_DSET_MAX];     /* "" for generated input */
    char input_datatype[64];             /* e.g. "int64 little-endian" or "generated int64" */
    char input_shape[SQ_SHAPE_TEXT_MAX]; /* "1000", "7 x 13", "scalar" */
    char generator[256];                 /* canonical spec; "" for file input */
    char hosts[4096];                    /* distinct host names, comma-separated */
    char start_time_utc[32];             /* ISO 8601, e.g. 2026-11-25T18:20:00Z */
    char end_time_utc[32];
    char output_type_requested[16];         /* --output-type as given: auto, int64, float64 */
    char io_mode_requested[16];             /* --io: collective or independent */
    char io_write_actual[64];               /* what HDF5 did for the chunk writes */
    char io_write_no_collective_cause[256]; /* why a collective write became independent */
    char io_read_actual[64];                /* the same for the input reads ("" if generated) */
    char io_read_no_collective_cause[256];
    char input_access[256]; /* how the input was read: "MPI-IO", a VDS serially, an external link */
    char mpiio_hints_requested[2048]; /* --mpiio-hint pairs, "k=v;k=v" */
    char mpiio_hints_in_effect[4096]; /* the output file's hints as MPI reports them */
    char storage[256];                /* "contiguous" or "chunked N, shuffle + deflate level L" */
    int64_t ranks;
    int64_t threads_per_rank;
    int64_t chunk;
    int64_t nchunks;
    int64_t input_count;
    int64_t alignment;      /* --alignment in bytes (0: none) */
    int64_t compress_level; /* --compress: 0 (none) or the deflate level */
    int64_t sync;           /* --sync: 1 when the data was synced before `complete` */
    int64_t max_transfer;   /* bytes: the most one H5Dread/H5Dwrite call moved (larger: split) */
    int64_t overlap;        /* 1 when writes overlapped computing (2+ threads, double buffers) */
} sq_provenance;

/* The distinct strings among count names (name r at names + r * stride, NUL-terminated), in the
 * order of their first appearance, joined by ", " into buf; a list that would not fit in len
 * bytes ends in ", ...". O(count log count): rank 0 runs it over every rank's host name. Returns
 * the number of distinct names, or -1 (buf "") when out of memory. */
int sq_distinct_names(const char *names, int count, size_t stride, char *buf, size_t len);

/* The UTC time now as ISO 8601 ("2026-11-25T18:20:00Z"). */
void sq_utc_now(char *buf, size_t len);

#endif
