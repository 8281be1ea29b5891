/*
 * schema.h - the fields of a result file, described once.
 *
 * SQ_REDUCTION_FIELDS lists the reductions (root attributes of the output, docs/output-format.md):
 * each one's name, kind, where sq_summary holds it and what it is. The HDF5 writer and reader
 * (h5io), the --summary-json and --log-csv export (export.c), the console report (report.c) and
 * verify's messages all expand this one table, so they cannot drift apart.
 * Adding a reduction is one line here, its member in sq_summary (record.h), and its computation
 * (stats.c and kernel.c, merged in sq_stats_merge, copied in sq_summary_from_stats).
 * SQ_PROVENANCE_FIELDS does the same for the attributes of /provenance.
 * Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_SCHEMA_H
#define SQCUBE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

/* How a reduction is stored and printed. */
typedef enum sq_field_kind {
    SQ_FIELD_I64 = 0,    /* an int64: `where` is its member of sq_summary */
    SQ_FIELD_SUM = 1,    /* a power sum: float64 sum[where], and for integer input the exact
                            decimal <name>_exact, for range:N the closed form <name>_closed_form */
    SQ_FIELD_MINMAX = 2, /* where 0: min, 1: max of the elements that are numbers: int64 for
                            integer input, float64 otherwise (NaN when no element is a number) */
} sq_field_kind;

/* X(name, kind, where, description), in the order JSON, CSV and the report show them (the sums'
 * _exact and _closed_form companions follow the last sum in the JSON). */
#define SQ_REDUCTION_FIELDS(X)                                                                     \
    X(count, I64, count, "number of elements")                                                     \
    X(sum, SUM, 0, "sum of x")                                                                     \
    X(sum_sq, SUM, 1, "sum of x^2")                                                                \
    X(sum_cube, SUM, 2, "sum of x^3")                                                              \
    X(min, MINMAX, 0, "smallest element that is a number")                                         \
    X(max, MINMAX, 1, "largest element that is a number")                                          \
    X(nonfinite_count, I64, nonfinite, "NaN, +Inf and -Inf elements")

/* One line of SQ_REDUCTION_FIELDS, as data. */
typedef struct sq_field {
    const char *name;        /* the attribute, JSON key and CSV column */
    sq_field_kind kind;      /* how it is stored and printed */
    int index;               /* SUM: the index in sum[]; MINMAX: 0 min, 1 max */
    size_t offset;           /* I64: the member's offset in sq_summary */
    const char *description; /* what it is */
} sq_field;

/* The table, in order, and its length. */
extern const sq_field sq_reduction_fields[];
extern const int sq_nreduction_fields;

struct sq_summary;

/* The name of power sum k (0 .. SQ_NSUMS - 1): "sum", "sum_sq", "sum_cube". */
const char *sq_sum_name(int k);
/* The int64 member of an I64 field. */
int64_t sq_field_i64(const struct sq_summary *s, const sq_field *f);
int64_t *sq_field_i64_ptr(struct sq_summary *s, const sq_field *f);
/* An I64 or MINMAX field's value as int64 (MINMAX: imin or imax). */
int64_t *sq_field_imm_ptr(struct sq_summary *s, const sq_field *f);
double *sq_field_fmm_ptr(struct sq_summary *s, const sq_field *f);
/* Whether MINMAX fields are stored as int64 (a number was seen and the input is integer). */
int sq_summary_minmax_is_int(const struct sq_summary *s);
/* A MINMAX field as float64: NaN when no element is a number. */
double sq_field_minmax_f64(const struct sq_summary *s, const sq_field *f);
int64_t sq_field_minmax_i64(const struct sq_summary *s, const sq_field *f);
/* The key of a sum's companion: name + suffix, e.g. "sum_sq" "_exact". */
void sq_field_key(const sq_field *f, const char *suffix, char *buf, size_t len);

/* ---- the size of an output ------------------------------------------------------------- */

/* Bytes an element moves through a run: 8 read (or generated) + 8 written to /square + 8 to /cube;
 * the effective bandwidth and the progress display count by it. */
#define SQ_BYTES_MOVED_PER_ELEMENT 24.0
/* Bytes an element takes in the output, uncompressed: /square and /cube, 8 bytes each. */
#define SQ_OUTPUT_BYTES_PER_ELEMENT 16

/* The data of an output of n elements: /square and /cube, uncompressed. A lower bound of the
 * file's size: run's free-space check needs this much before it starts. */
double sq_output_data_bytes(int64_t n);
/* The expected size of the whole output: the data, the done flag (4 bytes) of each of nchunks
 * chunks, and about 1 MiB of metadata and alignment (doctor's estimate). */
int64_t sq_output_bytes(int64_t n, int64_t nchunks);

/* Every field of sq_provenance, in the order the file lists them: X(name) for strings, I(name) for
 * int64 values. The writer and the reader both expand this one list, so they cannot drift apart. */
#define SQ_PROVENANCE_FIELDS(X, I)                                                                 \
    X(sqcube_version)                                                                              \
    X(git_commit)                                                                                  \
    X(compiler)                                                                                    \
    X(c_flags)                                                                                     \
    X(build_type)                                                                                  \
    X(mpi_library)                                                                                 \
    X(mpi_thread_level)                                                                            \
    X(mpi_transport)                                                                               \
    X(omp_wait_policy)                                                                             \
    X(hdf5_version)                                                                                \
    X(command_line)                                                                                \
    X(schedule)                                                                                    \
    X(summation)                                                                                   \
    X(input_kind)                                                                                  \
    X(input_file)                                                                                  \
    X(input_dataset)                                                                               \
    X(input_datatype)                                                                              \
    X(input_shape)                                                                                 \
    X(generator)                                                                                   \
    X(hosts)                                                                                       \
    X(start_time_utc)                                                                              \
    X(end_time_utc)                                                                                \
    X(output_type_requested)                                                                       \
    X(io_mode_requested)                                                                           \
    X(io_write_actual)                                                                             \
    X(io_write_no_collective_cause)                                                                \
    X(io_read_actual)                                                                              \
    X(io_read_no_collective_cause)                                                                 \
    X(input_access)                                                                                \
    X(mpiio_hints_requested)                                                                       \
    X(mpiio_hints_in_effect)                                                                       \
    X(storage)                                                                                     \
    I(ranks)                                                                                       \
    I(threads_per_rank)                                                                            \
    I(chunk)                                                                                       \
    I(nchunks)                                                                                     \
    I(input_count)                                                                                 \
    I(alignment)                                                                                   \
    I(compress_level)                                                                              \
    I(sync)                                                                                        \
    I(max_transfer)                                                                                \
    I(overlap)

#endif
