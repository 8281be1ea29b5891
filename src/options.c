/*
 * options.c - the option table (each option's name, argument, default, commands and help text),
 * the command line parsed and validated against it, and the help printed from it.
 *
 * Defaults, parse, validate; the value parsers are parse.c's, and the echo of the resolved
 * settings is rank 0's job in report.c.
 */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

enum opt_id {
    OPT_INPUT,
    OPT_GENERATE,
    OPT_OUTPUT,
    OPT_CHUNK,
    OPT_OUTPUT_TYPE,
    OPT_SCHEDULE,
    OPT_IO,
    OPT_MPIIO_HINT,
    OPT_ALIGNMENT,
    OPT_COMPRESS,
    OPT_SYNC,
    OPT_FORCE,
    OPT_RESUME,
    OPT_QUIET,
    OPT_REPORT_AFFINITY,
    OPT_PROGRESS,
    OPT_PROGRESS_INTERVAL,
    OPT_SUMMARY_JSON,
    OPT_LOG_CSV,
    OPT_HELP,
    OPT_VERSION,
};

/* Bit masks of the commands an option applies to. */
#define FOR_RUN (1u << SQ_CMD_RUN)
#define FOR_VERIFY (1u << SQ_CMD_VERIFY)
#define FOR_INFO (1u << SQ_CMD_INFO)
#define FOR_AFFINITY (1u << SQ_CMD_AFFINITY)
#define FOR_DOCTOR (1u << SQ_CMD_DOCTOR)
#define FOR_ALL (FOR_RUN | FOR_VERIFY | FOR_INFO | FOR_AFFINITY | FOR_DOCTOR)

typedef struct opt_spec {
    enum opt_id id;
    const char *name;  /* long name without "--" */
    char short_name;   /* or 0 */
    const char *arg;   /* argument placeholder, NULL for a flag */
    unsigned commands; /* FOR_* mask */
    const char *deflt; /* default shown in --help, NULL for none */
    const char *help;  /* one or two sentences */
} opt_spec;

static const opt_spec option_table[] = {
    {OPT_INPUT, "input", 'i', "FILE[:/DATASET]", FOR_RUN | FOR_VERIFY | FOR_DOCTOR, NULL,
     "HDF5 input dataset: any integer (8 to 64 bit, signed or unsigned) or float (32 or 64 bit) "
     "type, either byte order, any shape (scalar to N-D; the outputs keep it). DATASET may be left "
     "out when FILE holds exactly one dataset. verify: read the input from here instead of the "
     "path recorded in the result. doctor: the input whose output size to check."},
    {OPT_GENERATE, "generate", 'g', "KIND:N[:KEY=VALUE...]", FOR_RUN | FOR_DOCTOR, NULL,
     "Generate the input instead of reading it: range:N (x[i] = i + 1, int64) or "
     "uniform:N[:seed=S][:low=A][:high=B] (float64 in [A, B), default seed=0 low=0 high=1). "
     "N takes K/M/G/T suffixes (powers of 2) and 1e8-style numbers."},
    {OPT_OUTPUT, "output", 'o', "FILE", FOR_RUN | FOR_DOCTOR, NULL,
     "Result file to create. Written as FILE.partial and renamed to FILE only when complete. "
     "doctor: the output whose directory to check (default: ./sqcube-out.h5)."},
    {OPT_CHUNK, "chunk", 'c', "N", FOR_RUN, "512K",
     "Elements per chunk: the unit of work and of I/O. Memory per rank is about 3 chunk buffers of "
     "8 bytes per element. K/M/G/T suffixes (powers of 2) and 1e6-style numbers; 1 to 4G. A chunk "
     "of more than 1 GiB is read and written in several MPI-IO calls."},
    {OPT_OUTPUT_TYPE, "output-type", 0, "auto|int64|float64", FOR_RUN, "auto",
     "Type of /square and /cube. auto: float64 for float input, int64 for integer input (for "
     "range:N with N > 2097151, whose cubes pass int64, float64). int64 fails on a value whose "
     "cube does not fit; float64 rounds x^2 and x^3 once to nearest (uint64 input is then read "
     "as float64)."},
    {OPT_SCHEDULE, "schedule", 0, "static|dynamic", FOR_RUN, "static",
     "How chunks go to ranks. static: contiguous blocks of chunks, balanced to within one chunk. "
     "dynamic: a work queue; each rank takes the next chunk from a shared counter (MPI RMA "
     "fetch-and-add), so slower ranks take fewer chunks. Results are identical either way."},
    {OPT_IO, "io", 0, "collective|independent", FOR_RUN, "collective",
     "MPI-IO transfers of the chunks: collective (HDF5 collective I/O; MPI-IO may aggregate) or "
     "independent (each rank alone). The mode HDF5 actually used is recorded in /provenance."},
    {OPT_MPIIO_HINT, "mpiio-hint", 0, "KEY=VALUE", FOR_RUN, NULL,
     "An MPI-IO hint for the output and input files (repeat the option for more), e.g. "
     "striping_factor=8, cb_nodes=4, romio_cb_write=enable. The hints the MPI library kept are "
     "recorded in /provenance."},
    {OPT_ALIGNMENT, "alignment", 0, "BYTES", FOR_RUN, "1M",
     "Align every object of 1 MiB or more in the output to a multiple of BYTES (H5Pset_alignment): "
     "set it to the file system's stripe size. 0 keeps HDF5's default (no alignment)."},
    {OPT_COMPRESS, "compress", 0, "LEVEL", FOR_RUN, "0",
     "Store /square and /cube chunked (HDF5 chunks of up to min(--chunk, 16M) elements) with the "
     "shuffle and deflate (gzip) filters at LEVEL 1-9, written through parallel HDF5's collective "
     "filtered writes (needs --io collective). 0: contiguous, uncompressed."},
    {OPT_SYNC, "sync", 0, NULL, FOR_RUN, NULL,
     "Flush the data to stable storage (MPI_File_sync) before the file is marked complete and "
     "renamed, so that not even a node crash can leave a complete-looking file with lost data. "
     "Costs the time the disk needs to write the data."},
    {OPT_FORCE, "force", 'f', NULL, FOR_RUN, NULL,
     "Replace the output file if it exists (and start over when FILE.partial holds a checkpoint)."},
    {OPT_RESUME, "resume", 'r', NULL, FOR_RUN, NULL,
     "Continue the run that FILE.partial holds the checkpoint of (left by a run stopped on "
     "SIGTERM, SIGINT or SIGUSR1, exit status 4, or killed), skipping its finished chunks; any "
     "number of ranks and threads, the same input, --chunk and --output-type. Without "
     "FILE.partial the run starts from the beginning, so a batch script can always pass it. The "
     "final file equals an uninterrupted run's."},
    {OPT_QUIET, "quiet", 'q', NULL, FOR_RUN | FOR_VERIFY, NULL,
     "Print nothing but errors (and, for verify, the verdict): no settings, progress, summary, or "
     "warning that the threads of a host outnumber its CPUs. An explicit --report-affinity still "
     "prints."},
    {OPT_REPORT_AFFINITY, "report-affinity", 0, NULL, FOR_RUN, NULL,
     "Print, before the run, where every thread of every rank runs (host, CPU, affinity mask) "
     "and the placement check of 'sqcube affinity', also under --quiet. Every run records the "
     "same table in /provenance/affinity."},
    {OPT_PROGRESS, "progress", 0, "auto|bar|lines|off", FOR_RUN, "auto",
     "Progress on rank 0's stderr, counted over all ranks: bar (redrawn in place a few times a "
     "second: elements done, percent, current GB/s, elapsed, ETA), lines (the same as a plain line "
     "every --progress-interval seconds and at the end, no control characters: for batch logs) or "
     "off. auto: the bar when stderr (or the launcher's, under mpirun) is a terminal, else lines. "
     "--quiet turns it off."},
    {OPT_PROGRESS_INTERVAL, "progress-interval", 0, "SECONDS", FOR_RUN, "10",
     "Seconds between plain progress lines; 0 turns the lines off."},
    {OPT_SUMMARY_JSON, "summary-json", 0, "FILE", FOR_RUN, NULL,
     "After the output is complete, write the settings, reductions (exact sums as decimal "
     "strings), per-phase seconds (min, avg, max over ranks), bandwidth and provenance to FILE as "
     "JSON (docs/output-format.md lists the fields). FILE is replaced."},
    {OPT_LOG_CSV, "log-csv", 0, "FILE", FOR_RUN, NULL,
     "After the output is complete, append one row for this run to the CSV file FILE (a header "
     "first when the file is new or empty), for scaling studies: time, input, N, ranks, threads, "
     "chunk, schedule, I/O mode, slowest rank's seconds per phase, GB/s, reductions. An existing "
     "FILE must be a regular file of yours: a symbolic link is refused."},
    {OPT_HELP, "help", 'h', NULL, FOR_ALL, NULL, "Print this help and exit."},
    {OPT_VERSION, "version", 'V', NULL, FOR_ALL, NULL, "Print the version and exit."},
};
#define NOPTIONS (sizeof option_table / sizeof option_table[0])

static const struct {
    const char *name;
    sq_command command;
    const char *usage;
    const char *summary;
} command_table[] = {
    {"run", SQ_CMD_RUN,
     "sqcube run (--input FILE[:/DATASET] | --generate SPEC) --output FILE [options]",
     "Compute the square and cube of every element, with count, sums, min, max and non-finite "
     "count, "
     "into one HDF5 file."},
    {"verify", SQ_CMD_VERIFY, "sqcube verify FILE [--input FILE[:/DATASET]]",
     "Recompute every element and reduction of a result file from its source and compare; exit 0 "
     "only if all match (3 if not)."},
    {"info", SQ_CMD_INFO, "sqcube info FILE",
     "Print a summary of a result file: shape, types, reductions, provenance, the history of its "
     "sessions (a resumed run has several) and timing."},
    {"affinity", SQ_CMD_AFFINITY, "sqcube affinity",
     "Print, for every rank and OpenMP thread, the host, the CPU it runs on and its affinity mask, "
     "gathered to rank 0, and a check of the placement: threads piled onto fewer cores than "
     "threads, or ranks of one host sharing cores. Run it with the launch line of the real job."},
    {"doctor", SQ_CMD_DOCTOR,
     "sqcube doctor [--output FILE] [--input FILE[:/DATASET] | --generate SPEC]",
     "Pre-flight checks, each with a verdict (ok, warn, FAIL): parallel HDF5, the MPI thread "
     "level, OpenMP threads against the affinity masks, file locking and a parallel HDF5 create "
     "in the output's directory, free space against the expected output size, and suggested "
     "srun and mpirun lines for this allocation. Exit status 1 if any check fails."},
};
#define NCOMMANDS (sizeof command_table / sizeof command_table[0])

int sq_options_describe(size_t k, sq_option_desc *d) {
    if (k >= NOPTIONS)
        return 0;
    d->name = option_table[k].name;
    d->short_name = option_table[k].short_name;
    d->arg = option_table[k].arg;
    d->commands = option_table[k].commands;
    return 1;
}

const char *sq_output_type_name(sq_output_type t) {
    switch (t) {
    case SQ_OUTPUT_INT64:
        return "int64";
    case SQ_OUTPUT_FLOAT64:
        return "float64";
    default:
        return "auto";
    }
}

const char *sq_io_mode_name(sq_io_mode m) {
    return m == SQ_IO_INDEPENDENT ? "independent" : "collective";
}

const char *sq_schedule_name(sq_schedule s) {
    return s == SQ_SCHEDULE_DYNAMIC ? "dynamic" : "static";
}

void sq_options_defaults(sq_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->command = SQ_CMD_HELP;
    opt->help_command = SQ_CMD_HELP;
    opt->source = SQ_SOURCE_NONE;
    opt->chunk = SQ_DEFAULT_CHUNK;
    opt->output_type = SQ_OUTPUT_AUTO;
    opt->schedule = SQ_SCHEDULE_STATIC;
    opt->alignment = SQ_DEFAULT_ALIGNMENT;
    opt->progress = SQ_PROGRESS_AUTO;
    opt->progress_interval = SQ_DEFAULT_PROGRESS_INTERVAL;
}

/* ---- the command line ------------------------------------------------------------------- */

static const opt_spec *find_option(const char *arg, const char **inline_value) {
    *inline_value = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        const size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t i = 0; i < NOPTIONS; ++i)
            if (strlen(option_table[i].name) == len &&
                strncmp(option_table[i].name, name, len) == 0) {
                *inline_value = eq ? eq + 1 : NULL;
                return &option_table[i];
            }
    } else if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0') {
        for (size_t i = 0; i < NOPTIONS; ++i)
            if (option_table[i].short_name == arg[1])
                return &option_table[i];
    }
    return NULL;
}

static const char *command_name(sq_command c) {
    for (size_t i = 0; i < NCOMMANDS; ++i)
        if (command_table[i].command == c)
            return command_table[i].name;
    return "";
}

/* The words an option takes, each with its value. */
typedef struct choice {
    const char *word;
    int value;
} choice;

static const choice output_type_choices[] = {{"auto", SQ_OUTPUT_AUTO},
                                             {"int64", SQ_OUTPUT_INT64},
                                             {"float64", SQ_OUTPUT_FLOAT64},
                                             {NULL, 0}};
static const choice schedule_choices[] = {
    {"static", SQ_SCHEDULE_STATIC}, {"dynamic", SQ_SCHEDULE_DYNAMIC}, {NULL, 0}};
static const choice io_choices[] = {
    {"collective", SQ_IO_COLLECTIVE}, {"independent", SQ_IO_INDEPENDENT}, {NULL, 0}};
static const choice progress_choices[] = {{"auto", SQ_PROGRESS_AUTO},
                                          {"bar", SQ_PROGRESS_BAR},
                                          {"lines", SQ_PROGRESS_LINES},
                                          {"off", SQ_PROGRESS_OFF},
                                          {NULL, 0}};

/* The value of value among choices, or a usage error listing them. */
static int parse_choice(const opt_spec *o, const char *value, const choice *choices, int *out,
                        sq_error *err) {
    char words[128] = "";
    for (const choice *c = choices; c->word != NULL; ++c) {
        if (strcmp(value, c->word) == 0) {
            *out = c->value;
            return SQ_OK;
        }
        const size_t used = strlen(words);
        snprintf(words + used, sizeof words - used, "%s%s", used ? ", " : "", c->word);
    }
    return sq_fail(err, SQ_ERR_USAGE, "--%s: '%s' is not one of %s", o->name, value, words);
}

/* --input or --generate: one source. */
static int apply_source(const opt_spec *o, const char *value, sq_options *opt, sq_error *err) {
    const sq_source_kind kind = o->id == OPT_GENERATE ? SQ_SOURCE_GENERATE : SQ_SOURCE_FILE;
    if (opt->source != SQ_SOURCE_NONE && opt->source != kind) /* a repeated one replaces */
        return sq_fail(err, SQ_ERR_USAGE, "--input and --generate exclude each other");
    if (kind == SQ_SOURCE_GENERATE) {
        opt->source = SQ_SOURCE_GENERATE;
        return sq_parse_gen_spec(value, &opt->gen, err);
    }
    opt->source = SQ_SOURCE_FILE;
    return sq_parse_input_spec(value, opt->input_file, sizeof opt->input_file, opt->input_dataset,
                               sizeof opt->input_dataset, err);
}

/* --output, --summary-json, --log-csv: a file name with room for a ".partial" suffix. */
static int apply_path(const opt_spec *o, const char *value, char *dest, sq_error *err) {
    if (value[0] == '\0')
        return sq_fail(err, SQ_ERR_USAGE, "--%s: the file name is empty", o->name);
    if (strlen(value) + sizeof ".partial" > SQ_PATH_MAX)
        return sq_fail(err, SQ_ERR_USAGE, "--%s: the path is too long", o->name);
    snprintf(dest, SQ_PATH_MAX, "%s", value);
    return SQ_OK;
}

static int apply_chunk(const char *value, sq_options *opt, sq_error *err) {
    if (sq_parse_count_min(value, "--chunk", 1, &opt->chunk, err))
        return err->status;
    if (opt->chunk > SQ_MAX_CHUNK)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--chunk: %s elements per chunk is more than the limit of 4G "
                       "(2^32 = 4294967296: 32 GiB per buffer, 3 buffers per rank)",
                       value);
    return SQ_OK;
}

/* --mpiio-hint KEY=VALUE, appended to the "k1=v1;k2=v2" list. */
static int apply_hint(const char *value, sq_options *opt, sq_error *err) {
    const char *eq = strchr(value, '=');
    if (eq == NULL || eq == value || eq[1] == '\0' || strchr(value, ';') != NULL)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--mpiio-hint: '%s' is not KEY=VALUE (e.g. striping_factor=8)", value);
    const size_t used = strlen(opt->hints);
    if (used + strlen(value) + 2 > sizeof opt->hints)
        return sq_fail(err, SQ_ERR_USAGE, "--mpiio-hint: too many hints");
    snprintf(opt->hints + used, sizeof opt->hints - used, "%s%s", used ? ";" : "", value);
    return SQ_OK;
}

static int apply_compress(const char *value, sq_options *opt, sq_error *err) {
    char *end;
    errno = 0;
    const long level = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || level < 0 || level > 9)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--compress: '%s' is not a level from 0 (off) to 9 (gzip levels)", value);
    opt->compress = (int)level;
    return SQ_OK;
}

static int apply_progress_interval(const char *value, sq_options *opt, sq_error *err) {
    if (sq_parse_double(value, "--progress-interval", &opt->progress_interval, err))
        return err->status;
    if (opt->progress_interval < 0)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--progress-interval: '%s' is negative; give seconds, or 0 for no lines",
                       value);
    return SQ_OK;
}

/* Applies one option with its value ("" for flags). A flat dispatch: each case one call. */
static int apply_option(const opt_spec *o, const char *value, sq_options *opt, sq_error *err) {
    int v = 0;
    switch (o->id) {
    case OPT_INPUT:
    case OPT_GENERATE:
        return apply_source(o, value, opt, err);
    case OPT_OUTPUT:
        return apply_path(o, value, opt->output, err);
    case OPT_SUMMARY_JSON:
        return apply_path(o, value, opt->summary_json, err);
    case OPT_LOG_CSV:
        return apply_path(o, value, opt->log_csv, err);
    case OPT_CHUNK:
        return apply_chunk(value, opt, err);
    case OPT_OUTPUT_TYPE:
        if (parse_choice(o, value, output_type_choices, &v, err))
            return err->status;
        opt->output_type = (sq_output_type)v;
        return SQ_OK;
    case OPT_SCHEDULE:
        if (parse_choice(o, value, schedule_choices, &v, err))
            return err->status;
        opt->schedule = (sq_schedule)v;
        return SQ_OK;
    case OPT_IO:
        if (parse_choice(o, value, io_choices, &v, err))
            return err->status;
        opt->io = (sq_io_mode)v;
        return SQ_OK;
    case OPT_PROGRESS:
        if (parse_choice(o, value, progress_choices, &v, err))
            return err->status;
        opt->progress = (sq_progress_mode)v;
        return SQ_OK;
    case OPT_MPIIO_HINT:
        return apply_hint(value, opt, err);
    case OPT_ALIGNMENT:
        return sq_parse_count(value, "--alignment", &opt->alignment, err);
    case OPT_COMPRESS:
        return apply_compress(value, opt, err);
    case OPT_PROGRESS_INTERVAL:
        return apply_progress_interval(value, opt, err);
    case OPT_SYNC:
        opt->sync = true;
        return SQ_OK;
    case OPT_FORCE:
        opt->force = true;
        return SQ_OK;
    case OPT_RESUME:
        opt->resume = true;
        return SQ_OK;
    case OPT_QUIET:
        opt->quiet = true;
        return SQ_OK;
    case OPT_REPORT_AFFINITY:
        opt->report_affinity = true;
        return SQ_OK;
    case OPT_HELP:
        opt->help_command = opt->command;
        opt->command = SQ_CMD_HELP;
        return SQ_OK;
    case OPT_VERSION:
        opt->command = SQ_CMD_VERSION;
        return SQ_OK;
    }
    return SQ_OK;
}

/* The command named name, or NCOMMANDS. */
static size_t find_command(const char *name) {
    size_t c = 0;
    while (c < NCOMMANDS && strcmp(name, command_table[c].name) != 0)
        ++c;
    return c;
}

/* "sqcube help [COMMAND]". */
static int parse_help(int argc, char *const argv[], sq_options *opt, sq_error *err) {
    opt->command = SQ_CMD_HELP;
    if (argc > 3)
        return sq_fail(err, SQ_ERR_USAGE, "help takes one command name: sqcube help run");
    if (argc == 3) {
        const size_t c = find_command(argv[2]);
        if (c == NCOMMANDS)
            return sq_fail(err, SQ_ERR_USAGE,
                           "help: unknown command '%s'; the commands are run, verify, info, "
                           "affinity and doctor",
                           argv[2]);
        opt->help_command = command_table[c].command;
    }
    return SQ_OK;
}

/* An option before any command: only --help and --version. */
static int parse_leading_option(const char *first, sq_options *opt, sq_error *err) {
    const char *v;
    const opt_spec *o = find_option(first, &v);
    if (o && (o->id == OPT_HELP || o->id == OPT_VERSION)) {
        if (v != NULL)
            return sq_fail(err, SQ_ERR_USAGE, "--%s takes no value (got '%s')", o->name, first);
        return apply_option(o, "", opt, err); /* flags get "", never NULL */
    }
    return sq_fail(
        err, SQ_ERR_USAGE,
        "'%s' before a command; write 'sqcube run|verify|info|affinity|doctor ...' (see sqcube "
        "--help)",
        first);
}

/* The arguments after the command (from argv[2]): options, and the FILE of verify and info. */
static int parse_arguments(int argc, char *const argv[], sq_command cmd, sq_options *opt,
                           sq_error *err) {
    int positional = 0;
    for (int i = 2; i < argc; ++i) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (cmd == SQ_CMD_RUN || cmd == SQ_CMD_AFFINITY || cmd == SQ_CMD_DOCTOR ||
                positional++ > 0)
                return sq_fail(err, SQ_ERR_USAGE,
                               "unexpected argument '%s' for 'sqcube %s' (see sqcube %s --help)",
                               arg, command_name(cmd), command_name(cmd));
            if (strlen(arg) >= sizeof opt->output)
                return sq_fail(err, SQ_ERR_USAGE, "the file path is too long");
            snprintf(opt->output, sizeof opt->output, "%s", arg);
            continue;
        }
        const char *value;
        const opt_spec *o = find_option(arg, &value);
        if (o == NULL || !(o->commands & (1u << cmd)))
            return sq_fail(err, SQ_ERR_USAGE,
                           "unknown option '%s' for 'sqcube %s' (see sqcube %s --help)", arg,
                           command_name(cmd), command_name(cmd));
        if (o->arg == NULL && value != NULL)
            return sq_fail(err, SQ_ERR_USAGE, "--%s takes no value (got '%s')", o->name, arg);
        if (o->arg != NULL && value == NULL) {
            if (i + 1 >= argc)
                return sq_fail(err, SQ_ERR_USAGE, "--%s needs a value: --%s %s", o->name, o->name,
                               o->arg);
            value = argv[++i];
        }
        if (apply_option(o, value != NULL ? value : "", opt, err)) /* flags: "" */
            return err->status;
        if (opt->command == SQ_CMD_HELP || opt->command == SQ_CMD_VERSION)
            return SQ_OK;
    }
    return SQ_OK;
}

/* What each command needs, checked once every option is read. */
static int validate(sq_command cmd, sq_options *opt, sq_error *err) {
    if (cmd == SQ_CMD_RUN) {
        if (opt->source == SQ_SOURCE_NONE)
            return sq_fail(err, SQ_ERR_USAGE,
                           "run needs an input: --input FILE[:/DATASET] or --generate KIND:N");
        if (opt->output[0] == '\0')
            return sq_fail(err, SQ_ERR_USAGE, "run needs --output FILE");
        if (opt->compress > 0 && opt->io == SQ_IO_INDEPENDENT)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--compress needs --io collective: parallel HDF5 writes compressed "
                           "datasets only collectively");
    } else if (cmd == SQ_CMD_DOCTOR) {
        if (opt->output[0] == '\0')
            snprintf(opt->output, sizeof opt->output, "sqcube-out.h5");
    } else if (cmd != SQ_CMD_AFFINITY && opt->output[0] == '\0') {
        return sq_fail(err, SQ_ERR_USAGE, "%s needs a result file: sqcube %s FILE",
                       command_name(cmd), command_name(cmd));
    }
    return SQ_OK;
}

int sq_options_parse(int argc, char *const argv[], sq_options *opt, sq_error *err) {
    sq_options_defaults(opt);
    sq_error_clear(err);
    if (argc < 2) /* a usage error, as in git: `sqcube --help` is the overview */
        return sq_fail(err, SQ_ERR_USAGE,
                       "no command; usage: sqcube COMMAND [options] with COMMAND run, verify, "
                       "info, affinity or doctor (sqcube --help, sqcube COMMAND --help)");
    const char *first = argv[1];
    if (strcmp(first, "help") == 0)
        return parse_help(argc, argv, opt, err);
    if (first[0] == '-')
        return parse_leading_option(first, opt, err);
    const size_t c = find_command(first);
    if (c == NCOMMANDS)
        return sq_fail(err, SQ_ERR_USAGE,
                       "unknown command '%s'; the commands are run, verify, info, affinity and "
                       "doctor (see sqcube --help)",
                       first);
    const sq_command cmd = command_table[c].command;
    opt->command = cmd;
    if (parse_arguments(argc, argv, cmd, opt, err))
        return err->status;
    if (opt->command == SQ_CMD_HELP || opt->command == SQ_CMD_VERSION)
        return SQ_OK;
    return validate(cmd, opt, err);
}

/* ---- help ------------------------------------------------------------------------------- */

/* Prints text wrapped at 100 columns with the given indent. */
static void print_wrapped(FILE *out, const char *text, int indent) {
    const int width = 100 - indent;
    const char *p = text;
    while (*p) {
        int len = (int)strlen(p);
        if (len > width) {
            len = width;
            while (len > 0 && p[len] != ' ')
                --len;
            if (len == 0)
                len = width;
        }
        fprintf(out, "%*s%.*s\n", indent, "", len, p);
        p += len;
        while (*p == ' ')
            ++p;
    }
}

void sq_options_print_help(FILE *out, sq_command command) {
    if (command != SQ_CMD_RUN && command != SQ_CMD_VERIFY && command != SQ_CMD_INFO &&
        command != SQ_CMD_AFFINITY && command != SQ_CMD_DOCTOR) {
        fprintf(out, "sqcube - squares and cubes of a dataset, with reductions, on MPI ranks x "
                     "OpenMP threads, into one parallel HDF5 file\n\n");
        fprintf(out, "Usage:\n");
        for (size_t c = 0; c < NCOMMANDS; ++c)
            fprintf(out, "  %s\n", command_table[c].usage);
        fprintf(out, "  sqcube help COMMAND | sqcube COMMAND --help | sqcube --version\n\n");
        fprintf(out, "Commands:\n");
        for (size_t c = 0; c < NCOMMANDS; ++c) {
            fprintf(out, "  %s\n", command_table[c].name);
            print_wrapped(out, command_table[c].summary, 6);
        }
        fprintf(out, "\nLaunch under MPI with a core for each thread, e.g. 2 ranks x 1 thread or 1 "
                     "rank x 2 threads:\n  mpirun -np 2 --bind-to core sqcube run --generate "
                     "range:1e8 --output big.h5\n  OMP_NUM_THREADS=2 mpirun -np 1 --map-by "
                     "slot:PE=2 --bind-to core -x OMP_NUM_THREADS \\\n      sqcube run --generate "
                     "range:1e8 --output big.h5\n");
        fprintf(out, "Exit status: 0 success, 1 run-time failure, 2 usage error, 3 verification "
                     "mismatch,\n4 stopped on a signal with a checkpoint saved (run again with "
                     "--resume).\nDocumentation: man sqcube, README.md, docs/cli.md, "
                     "docs/output-format.md, docs/clusters.md, docs/analysis.md.\n");
        return;
    }
    for (size_t c = 0; c < NCOMMANDS; ++c) {
        if (command_table[c].command != command)
            continue;
        fprintf(out, "Usage: %s\n\n", command_table[c].usage);
        print_wrapped(out, command_table[c].summary, 0);
    }
    fprintf(out, "\nOptions:\n");
    for (size_t i = 0; i < NOPTIONS; ++i) {
        const opt_spec *o = &option_table[i];
        if (!(o->commands & (1u << command)))
            continue;
        char head[128];
        int n = 0;
        if (o->short_name)
            n = snprintf(head, sizeof head, "-%c, ", o->short_name);
        snprintf(head + n, sizeof head - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        fprintf(out, "  %s\n", head);
        print_wrapped(out, o->help, 6);
        if (o->deflt)
            fprintf(out, "      Default: %s.\n", o->deflt);
    }
}
