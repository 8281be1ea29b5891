/*
 * options.h - every input of a sqcube invocation in one struct, and the command-line parser.
 *
 * The parser is table-driven (the table in options.c holds each option's name, argument, default
 * and help text, so --help cannot drift from what is parsed), validates every value, and reports a
 * bad command line as one SQ_ERR_USAGE line. It is pure: no MPI, no HDF5, no file access; every
 * rank parses the same argv to the same result.
 */
#ifndef SQCUBE_OPTIONS_H
#define SQCUBE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "generate.h"
#include "parse.h" /* the value parsers */
#include "progress.h"

#define SQ_PATH_MAX 4096
#define SQ_DSET_MAX 1024

typedef enum sq_command {
    SQ_CMD_RUN,      /* compute squares and cubes into an output file */
    SQ_CMD_VERIFY,   /* recompute a result file from its source and compare */
    SQ_CMD_INFO,     /* print a summary of a result file */
    SQ_CMD_AFFINITY, /* print where every rank's threads run */
    SQ_CMD_DOCTOR,   /* pre-flight checks of the MPI, OpenMP, HDF5 and file-system setup */
    SQ_CMD_HELP,     /* print help (for help_command) and exit 0 */
    SQ_CMD_VERSION,  /* print the version and exit 0 */
} sq_command;

typedef enum sq_source_kind {
    SQ_SOURCE_NONE = 0,     /* verify: use the source recorded in the file */
    SQ_SOURCE_FILE = 1,     /* an HDF5 dataset */
    SQ_SOURCE_GENERATE = 2, /* a generator spec */
} sq_source_kind;

typedef enum sq_output_type {
    SQ_OUTPUT_AUTO = 0, /* float input -> float64; int input -> int64 (range:N with cubes past
                           int64 -> float64) */
    SQ_OUTPUT_INT64 = 1,
    SQ_OUTPUT_FLOAT64 = 2,
} sq_output_type;

typedef enum sq_schedule {
    SQ_SCHEDULE_STATIC = 0,  /* contiguous blocks of chunks per rank, balanced to within one */
    SQ_SCHEDULE_DYNAMIC = 1, /* each rank takes the next chunk from a shared counter */
} sq_schedule;

typedef enum sq_io_mode {
    SQ_IO_COLLECTIVE = 0,  /* collective MPI-IO transfers (two-phase I/O, aggregators) */
    SQ_IO_INDEPENDENT = 1, /* each rank transfers its own selection */
} sq_io_mode;

/* Room for the --mpiio-hint pairs, joined by ';'. */
#define SQ_HINTS_MAX 2048
/* The default alignment of objects in the output: 1 MiB, a common parallel file system stripe. */
#define SQ_DEFAULT_ALIGNMENT (INT64_C(1) << 20)

/* The default chunk: 512 Ki elements (4 MiB per float64/int64 buffer): 12 MiB of buffers per rank
 * with one thread, 20 MiB with two or more (double-buffered results). Measured fastest of 1M, 768K
 * and 512K on the development machine (docs/performance.md). */
#define SQ_DEFAULT_CHUNK (INT64_C(1) << 19)
/* The largest chunk: 2^32 elements, 32 GiB per buffer (transfers of a chunk past 1 GiB are split,
 * see plan.h), a bound against typing mistakes rather than a limit of the code. */
#define SQ_MAX_CHUNK (INT64_C(1) << 32)

/* The largest HDF5 storage chunk of a compressed output: 2^24 elements (128 MiB), below HDF5's
 * 4 GiB limit on a chunk and small enough for the filters to work chunk by chunk. */
#define SQ_MAX_STORAGE_CHUNK (INT64_C(1) << 24)

typedef struct sq_options {
    sq_command command;
    sq_command help_command; /* SQ_CMD_HELP: the command whose help to print (SQ_CMD_HELP: all) */
    sq_source_kind source;   /* run: FILE or GENERATE; verify: NONE unless --input */
    char input_file[SQ_PATH_MAX];    /* --input: the FILE part */
    char input_dataset[SQ_DSET_MAX]; /* --input: the /DATASET part; "" = the file's only dataset */
    sq_gen_spec gen;                 /* --generate */
    char output[SQ_PATH_MAX];        /* run: --output; verify, info: the FILE argument */
    int64_t chunk;                   /* --chunk: elements per chunk, 1 .. SQ_MAX_CHUNK */
    sq_output_type output_type;      /* --output-type */
    sq_schedule schedule;            /* --schedule */
    sq_io_mode io;                   /* --io */
    char hints[SQ_HINTS_MAX];        /* --mpiio-hint KEY=VALUE, repeated: "k1=v1;k2=v2" */
    int64_t alignment;               /* --alignment: bytes; 0 = HDF5's default (none) */
    int compress;                    /* --compress: 0 (contiguous) or a deflate level 1-9 */
    bool sync;                       /* --sync: MPI_File_sync before the file is marked complete */
    bool force;                      /* --force: replace an existing output */
    bool resume;                     /* --resume: continue OUTPUT.partial if there is one */
    bool quiet;                      /* --quiet: print errors only */
    bool report_affinity;            /* --report-affinity: print the placement table */
    sq_progress_mode progress;       /* --progress: AUTO, BAR, LINES or OFF */
    double progress_interval;        /* --progress-interval: seconds between plain lines; 0 none */
    char summary_json[SQ_PATH_MAX];  /* --summary-json: "" for none */
    char log_csv[SQ_PATH_MAX];       /* --log-csv: "" for none */
} sq_options;

/* The default --progress-interval: a plain progress line every 10 s in a batch log. */
#define SQ_DEFAULT_PROGRESS_INTERVAL 10.0

/* Sets every default. */
void sq_options_defaults(sq_options *opt);

/* Parses argv (argv[0] is the program) into opt. Returns 0 or SQ_ERR_USAGE with err filled. */
int sq_options_parse(int argc, char *const argv[], sq_options *opt, sq_error *err);

/* Prints the help of one command (SQ_CMD_HELP: the overview) to out. */
void sq_options_print_help(FILE *out, sq_command command);

/* One entry of the option table, as the parser and --help read it. */
typedef struct sq_option_desc {
    const char *name;  /* long name without "--" */
    char short_name;   /* or 0 */
    const char *arg;   /* argument placeholder as --help shows it, NULL for a flag */
    unsigned commands; /* bit (1u << c) for each sq_command c it applies to */
} sq_option_desc;

/* Entry k of the option table in *d; 0 past the last entry (k >= count), else 1. For tests. */
int sq_options_describe(size_t k, sq_option_desc *d);

/* "auto", "int64", "float64". */
const char *sq_output_type_name(sq_output_type t);
const char *sq_schedule_name(sq_schedule s);
const char *sq_io_mode_name(sq_io_mode m);

#endif
