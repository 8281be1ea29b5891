/*
 * options.c - the option table, parsing and validation of the command line.
 *
 * Defaults, parse, validate; the echo of the resolved settings is rank 0's job in report.c.
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
     "chunk, schedule, I/O mode, slowest rank's seconds per phase, GB/s, reductions."},
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
     "Print a summary of a result file: shape, types, reductions, provenance and timing."},
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

/* ---- value parsers ------------------------------------------------------------------------ */

int sq_parse_count(const char *text, const char *what, int64_t *out, sq_error *err) {
    const char *p = text;
    uint64_t mant = 0;   /* all digits, before and after the point */
    int frac_digits = 0; /* digits after the point */
    int ndigits = 0, overflow = 0;
    int seen_point = 0;
    for (;; ++p) {
        if (*p >= '0' && *p <= '9') {
            if (__builtin_mul_overflow(mant, 10u, &mant) ||
                __builtin_add_overflow(mant, (uint64_t)(*p - '0'), &mant))
                overflow = 1;
            ++ndigits;
            frac_digits += seen_point;
        } else if (*p == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (ndigits == 0)
        goto not_a_count;
    long exp10 = -frac_digits;
    uint64_t scale = 1;
    if (*p == 'e' || *p == 'E') {
        ++p;
        const int negative = *p == '-';
        if (*p == '+' || *p == '-')
            ++p;
        if (*p < '0' || *p > '9')
            goto not_a_count;
        long e = 0;
        for (; *p >= '0' && *p <= '9'; ++p)
            e = e < 100000 ? e * 10 + (*p - '0') : e;
        exp10 += negative ? -e : e;
    } else if (*p != '\0') {
        static const char suffixes[] = "KMGT";
        const char *s = strchr(suffixes, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        if (s == NULL) /* *p is not NUL here, so strchr matched a suffix or nothing */
            goto not_a_count;
        scale = UINT64_C(1) << (10 * (s - suffixes + 1));
        ++p;
        if (*p == 'i')
            ++p;
    }
    if (*p != '\0')
        goto not_a_count;
    /* value = mant * 10^exp10 * scale, which must be a whole number no larger than 2^62. */
    for (; exp10 < 0; ++exp10) {
        if (mant % 10 != 0)
            return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not a whole number of elements", what,
                           text);
        mant /= 10;
    }
    for (; exp10 > 0 && mant != 0; --exp10)
        if (__builtin_mul_overflow(mant, 10u, &mant))
            overflow = 1;
    if (overflow || __builtin_mul_overflow(mant, scale, &mant) || mant > (uint64_t)SQ_MAX_COUNT)
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is too large (the limit is 2^62 = %lld)", what,
                       text, (long long)SQ_MAX_COUNT);
    *out = (int64_t)mant;
    return SQ_OK;
not_a_count:
    if (text[0] == '-')
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is negative; give a count of 0 or more", what,
                       text);
    return sq_fail(err, SQ_ERR_USAGE,
                   "%s: '%s' is not a count; write e.g. 1000000, 1e6, 2.5e6 or 1M (M = 2^20)", what,
                   text);
}

int sq_parse_input_spec(const char *text, char *file, size_t file_len, char *dataset,
                        size_t dataset_len, sq_error *err) {
    const char *sep = strstr(text, ":/");
    const size_t flen = sep ? (size_t)(sep - text) : strlen(text);
    if (flen == 0)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--input: '%s' has no file name; write FILE or FILE:/DATASET", text);
    if (flen >= file_len || (sep && strlen(sep + 1) >= dataset_len))
        return sq_fail(err, SQ_ERR_USAGE, "--input: '%.64s...' is too long", text);
    memcpy(file, text, flen);
    file[flen] = '\0';
    snprintf(dataset, dataset_len, "%s", sep ? sep + 1 : "");
    return SQ_OK;
}

static int parse_double(const char *text, const char *what, double *out, sq_error *err) {
    char *end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    /* ERANGE also flags subnormal results, which are fine; only infinities are refused. */
    if (end == text || *end != '\0' || !isfinite(v))
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not a finite number", what, text);
    *out = v;
    return SQ_OK;
}

static int parse_u64(const char *text, const char *what, uint64_t *out, sq_error *err) {
    char *end = NULL;
    errno = 0;
    const unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || text[0] == '-' || text[0] == '+')
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not an integer from 0 to 2^64-1", what,
                       text);
    *out = v;
    return SQ_OK;
}

int sq_parse_gen_spec(const char *text, sq_gen_spec *spec, sq_error *err) {
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return sq_fail(err, SQ_ERR_USAGE, "--generate: '%.64s...' is too long", text);
    snprintf(buf, sizeof buf, "%s", text);
    memset(spec, 0, sizeof *spec);
    const size_t len = strlen(text);
    if (len == 0 || text[0] == ':' || text[len - 1] == ':' || strstr(text, "::") != NULL)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: '%s' has an empty field; write KIND:N[:KEY=VALUE...]", text);
    spec->low = 0.0;
    spec->high = 1.0;

    char *save = NULL;
    const char *kind = strtok_r(buf, ":", &save);
    const char *count = strtok_r(NULL, ":", &save);
    if (kind == NULL || count == NULL)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: '%s' needs KIND:N, e.g. range:1000000 or uniform:1e6:seed=1",
                       text);
    if (strcmp(kind, "range") == 0)
        spec->kind = SQ_GEN_RANGE;
    else if (strcmp(kind, "uniform") == 0)
        spec->kind = SQ_GEN_UNIFORM;
    else
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: unknown kind '%s'; the kinds are range and uniform", kind);
    if (sq_parse_count(count, "--generate N", &spec->n, err))
        return err->status;
    for (char *kv = strtok_r(NULL, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL || spec->kind == SQ_GEN_RANGE)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--generate: '%s' is not an option of %s (uniform takes seed=S, low=A, "
                           "high=B; range takes none)",
                           kv, kind);
        *eq = '\0';
        const char *value = eq + 1;
        int rc;
        if (strcmp(kv, "seed") == 0)
            rc = parse_u64(value, "--generate seed", &spec->seed, err);
        else if (strcmp(kv, "low") == 0)
            rc = parse_double(value, "--generate low", &spec->low, err);
        else if (strcmp(kv, "high") == 0)
            rc = parse_double(value, "--generate high", &spec->high, err);
        else
            return sq_fail(err, SQ_ERR_USAGE,
                           "--generate: unknown key '%s'; uniform takes seed, low and high", kv);
        if (rc)
            return rc;
    }
    if (spec->kind == SQ_GEN_UNIFORM &&
        (!(spec->low < spec->high) || !isfinite(spec->high - spec->low)))
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: uniform needs low < high with a finite high - low (got low=%g "
                       "high=%g)",
                       spec->low, spec->high);
    return SQ_OK;
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

static int apply_option(const opt_spec *o, const char *value, sq_options *opt, sq_error *err) {
    switch (o->id) {
    case OPT_INPUT:
        if (opt->source == SQ_SOURCE_GENERATE)
            return sq_fail(err, SQ_ERR_USAGE, "--input and --generate exclude each other");
        opt->source = SQ_SOURCE_FILE;
        return sq_parse_input_spec(value, opt->input_file, sizeof opt->input_file,
                                   opt->input_dataset, sizeof opt->input_dataset, err);
    case OPT_GENERATE:
        if (opt->source == SQ_SOURCE_FILE)
            return sq_fail(err, SQ_ERR_USAGE, "--input and --generate exclude each other");
        opt->source = SQ_SOURCE_GENERATE;
        return sq_parse_gen_spec(value, &opt->gen, err);
    case OPT_OUTPUT:
        if (value[0] == '\0')
            return sq_fail(err, SQ_ERR_USAGE, "--output: the file name is empty");
        if (strlen(value) + sizeof ".partial" > sizeof opt->output)
            return sq_fail(err, SQ_ERR_USAGE, "--output: the path is too long");
        snprintf(opt->output, sizeof opt->output, "%s", value);
        return SQ_OK;
    case OPT_CHUNK:
        if (sq_parse_count(value, "--chunk", &opt->chunk, err))
            return err->status;
        if (opt->chunk == 0)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--chunk: 0 elements per chunk; give at least 1 (default 512K)");
        if (opt->chunk > SQ_MAX_CHUNK)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--chunk: %s elements per chunk is more than the limit of 4G "
                           "(2^32 = 4294967296: 32 GiB per buffer, 3 buffers per rank)",
                           value);
        return SQ_OK;
    case OPT_OUTPUT_TYPE:
        if (strcmp(value, "auto") == 0)
            opt->output_type = SQ_OUTPUT_AUTO;
        else if (strcmp(value, "int64") == 0)
            opt->output_type = SQ_OUTPUT_INT64;
        else if (strcmp(value, "float64") == 0)
            opt->output_type = SQ_OUTPUT_FLOAT64;
        else
            return sq_fail(err, SQ_ERR_USAGE,
                           "--output-type: '%s' is not one of auto, int64, float64", value);
        return SQ_OK;
    case OPT_SCHEDULE:
        if (strcmp(value, "static") == 0)
            opt->schedule = SQ_SCHEDULE_STATIC;
        else if (strcmp(value, "dynamic") == 0)
            opt->schedule = SQ_SCHEDULE_DYNAMIC;
        else
            return sq_fail(err, SQ_ERR_USAGE, "--schedule: '%s' is not one of static, dynamic",
                           value);
        return SQ_OK;
    case OPT_IO:
        if (strcmp(value, "collective") == 0)
            opt->io = SQ_IO_COLLECTIVE;
        else if (strcmp(value, "independent") == 0)
            opt->io = SQ_IO_INDEPENDENT;
        else
            return sq_fail(err, SQ_ERR_USAGE, "--io: '%s' is not one of collective, independent",
                           value);
        return SQ_OK;
    case OPT_MPIIO_HINT: {
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
    case OPT_ALIGNMENT:
        return sq_parse_count(value, "--alignment", &opt->alignment, err);
    case OPT_COMPRESS: {
        char *end;
        errno = 0;
        const long level = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || level < 0 || level > 9)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--compress: '%s' is not a level from 0 (off) to 9 (gzip levels)",
                           value);
        opt->compress = (int)level;
        return SQ_OK;
    }
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
    case OPT_PROGRESS:
        if (strcmp(value, "auto") == 0)
            opt->progress = SQ_PROGRESS_AUTO;
        else if (strcmp(value, "bar") == 0)
            opt->progress = SQ_PROGRESS_BAR;
        else if (strcmp(value, "lines") == 0)
            opt->progress = SQ_PROGRESS_LINES;
        else if (strcmp(value, "off") == 0)
            opt->progress = SQ_PROGRESS_OFF;
        else
            return sq_fail(err, SQ_ERR_USAGE,
                           "--progress: '%s' is not one of auto, bar, lines, off", value);
        return SQ_OK;
    case OPT_PROGRESS_INTERVAL:
        if (parse_double(value, "--progress-interval", &opt->progress_interval, err))
            return err->status;
        if (opt->progress_interval < 0)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--progress-interval: '%s' is negative; give seconds, or 0 for no lines",
                           value);
        return SQ_OK;
    case OPT_SUMMARY_JSON:
    case OPT_LOG_CSV: {
        char *dest = o->id == OPT_SUMMARY_JSON ? opt->summary_json : opt->log_csv;
        if (value[0] == '\0')
            return sq_fail(err, SQ_ERR_USAGE, "--%s: the file name is empty", o->name);
        if (strlen(value) + sizeof ".partial" > SQ_PATH_MAX)
            return sq_fail(err, SQ_ERR_USAGE, "--%s: the path is too long", o->name);
        snprintf(dest, SQ_PATH_MAX, "%s", value);
        return SQ_OK;
    }
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

int sq_options_parse(int argc, char *const argv[], sq_options *opt, sq_error *err) {
    sq_options_defaults(opt);
    sq_error_clear(err);
    if (argc < 2)
        return SQ_OK; /* no arguments: the overview help */

    int i = 1;
    const char *first = argv[1];
    if (strcmp(first, "help") == 0) {
        opt->command = SQ_CMD_HELP;
        if (argc > 3)
            return sq_fail(err, SQ_ERR_USAGE, "help takes one command name: sqcube help run");
        if (argc == 3) {
            size_t c = 0;
            while (c < NCOMMANDS && strcmp(argv[2], command_table[c].name) != 0)
                ++c;
            if (c == NCOMMANDS)
                return sq_fail(err, SQ_ERR_USAGE,
                               "help: unknown command '%s'; the commands are run, verify, info, "
                               "affinity and doctor",
                               argv[2]);
            opt->help_command = command_table[c].command;
        }
        return SQ_OK;
    }
    if (first[0] == '-') {
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
    size_t c = 0;
    while (c < NCOMMANDS && strcmp(first, command_table[c].name) != 0)
        ++c;
    if (c == NCOMMANDS)
        return sq_fail(err, SQ_ERR_USAGE,
                       "unknown command '%s'; the commands are run, verify, info, affinity and "
                       "doctor (see sqcube --help)",
                       first);
    const sq_command cmd = command_table[c].command;
    opt->command = cmd;
    ++i;

    int positional = 0;
    for (; i < argc; ++i) {
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

    /* Validate what the command needs. */
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
