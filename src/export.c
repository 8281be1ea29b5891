/*
 * export.c - the --summary-json document and the --log-csv row of a finished run.
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

/* ---- JSON ------------------------------------------------------------------------------- */

void sq_export_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* A float64 as a JSON number that reads back as the same double (17 significant digits, with a
 * point or exponent so that -0.0 and integral values stay floats); null for NaN and infinities,
 * which JSON cannot hold. */
static void json_double(FILE *out, double v) {
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, out);
    if (strpbrk(buf, ".e") == NULL)
        fputs(".0", out);
}

static void json_key(FILE *out, int indent, const char *key) {
    fprintf(out, "%*s", indent, "");
    sq_export_json_string(out, key);
    fputs(": ", out);
}

static void json_str_field(FILE *out, int indent, const char *key, const char *value, int last) {
    json_key(out, indent, key);
    sq_export_json_string(out, value);
    fputs(last ? "\n" : ",\n", out);
}

static void json_i64_field(FILE *out, int indent, const char *key, int64_t value, int last) {
    json_key(out, indent, key);
    fprintf(out, "%lld%s", (long long)value, last ? "\n" : ",\n");
}

static void json_f64_field(FILE *out, int indent, const char *key, double value, int last) {
    json_key(out, indent, key);
    json_double(out, value);
    fputs(last ? "\n" : ",\n", out);
}

/* "FILE:/DATASET" for file input, the generator spec for generated input. */
static void input_text(const sq_provenance *p, char *buf, size_t len) {
    if (strcmp(p->input_kind, "file") == 0)
        snprintf(buf, len, "%s:%s", p->input_file, p->input_dataset);
    else
        snprintf(buf, len, "%s", p->generator);
}

static double gb_per_s(const sq_run_record *r) {
    const double t = r->tmax[SQ_PHASE_TOTAL];
    return t > 0 ? r->bytes_moved / t / 1e9 : 0.0;
}

/* A string field, or null when absent. */
static void json_str_or_null(FILE *out, const char *key, const char *value, int present) {
    if (present)
        json_str_field(out, 4, key, value, 0);
    else
        fprintf(out, "    \"%s\": null,\n", key);
}

/* Every reduction of SQ_REDUCTION_FIELDS, in order; after the last sum, the sums' exact values,
 * then their closed forms (null when the run has none). */
static void json_reductions(FILE *out, const sq_summary *s) {
    char key[64];
    for (int i = 0; i < sq_nreduction_fields; ++i) {
        const sq_field *f = &sq_reduction_fields[i];
        const int last = i + 1 == sq_nreduction_fields;
        switch (f->kind) {
        case SQ_FIELD_I64:
            json_i64_field(out, 4, f->name, sq_field_i64(s, f), last);
            break;
        case SQ_FIELD_SUM:
            json_f64_field(out, 4, f->name, s->sum[f->index], last);
            break;
        case SQ_FIELD_MINMAX:
            if (sq_summary_minmax_is_int(s))
                json_i64_field(out, 4, f->name, sq_field_minmax_i64(s, f), last);
            else
                json_f64_field(out, 4, f->name, sq_field_minmax_f64(s, f), last);
            break;
        }
        if (f->kind != SQ_FIELD_SUM || (!last && f[1].kind == SQ_FIELD_SUM))
            continue;
        for (int k = 0; k < SQ_NSUMS; ++k) {
            snprintf(key, sizeof key, "%s_exact", sq_sum_name(k));
            json_str_or_null(out, key, s->exact[k], (int)s->has_exact);
        }
        for (int k = 0; k < SQ_NSUMS; ++k) {
            snprintf(key, sizeof key, "%s_closed_form", sq_sum_name(k));
            json_str_or_null(out, key, s->closed_form[k], (int)s->has_closed_form);
        }
    }
}

void sq_export_json(FILE *out, const sq_run_record *r) {
    const sq_summary *s = r->summary;
    const sq_provenance *p = r->prov;
    char input[SQ_PATH_MAX + SQ_DSET_MAX + 2];
    input_text(p, input, sizeof input);

    fputs("{\n", out);
    json_str_field(out, 2, "format", "sqcube-summary", 0);
    json_i64_field(out, 2, "format_version", SQ_EXPORT_VERSION, 0);
    json_str_field(out, 2, "output", r->output, 0);

    fputs("  \"settings\": {\n", out);
    json_str_field(out, 4, "input_kind", p->input_kind, 0);
    json_str_field(out, 4, "input", input, 0);
    json_i64_field(out, 4, "n", p->input_count, 0);
    json_str_field(out, 4, "shape", p->input_shape, 0);
    json_str_field(out, 4, "input_type", sq_dtype_name((sq_dtype)s->input_type), 0);
    json_str_field(out, 4, "output_type", sq_dtype_name((sq_dtype)s->output_type), 0);
    json_i64_field(out, 4, "ranks", p->ranks, 0);
    json_i64_field(out, 4, "threads_per_rank", p->threads_per_rank, 0);
    json_i64_field(out, 4, "cores", p->ranks * p->threads_per_rank, 0);
    json_i64_field(out, 4, "chunk", p->chunk, 0);
    json_i64_field(out, 4, "nchunks", p->nchunks, 0);
    json_str_field(out, 4, "schedule", p->schedule, 0);
    json_str_field(out, 4, "io", p->io_mode_requested, 0);
    json_i64_field(out, 4, "compress_level", p->compress_level, 0);
    json_i64_field(out, 4, "overlap", p->overlap, 0);
    json_str_field(out, 4, "command_line", p->command_line, 1);
    fputs("  },\n", out);

    fputs("  \"reductions\": {\n", out);
    json_reductions(out, s);
    fputs("  },\n", out);

    fputs("  \"timing\": {\n", out);
    json_str_field(out, 4, "units", "s", 0);
    for (int ph = 0; ph < SQ_NPHASES; ++ph) {
        fprintf(out, "    \"%s\": {\"min\": ", sq_phase_name((enum sq_phase)ph));
        json_double(out, r->tmin[ph]);
        fputs(", \"avg\": ", out);
        json_double(out, r->tavg[ph]);
        fputs(", \"max\": ", out);
        json_double(out, r->tmax[ph]);
        fputs(ph + 1 < SQ_NPHASES ? "},\n" : "}\n", out);
    }
    fputs("  },\n", out);

    fputs("  \"bandwidth\": {\n", out);
    json_f64_field(out, 4, "bytes_moved", r->bytes_moved, 0);
    json_f64_field(out, 4, "seconds", r->tmax[SQ_PHASE_TOTAL], 0);
    json_f64_field(out, 4, "gb_per_s", gb_per_s(r), 1);
    fputs("  },\n", out);

    /* Every /provenance attribute, under its name in the file, from the same list the writer
     * uses. */
    fputs("  \"provenance\": {", out);
    const char *sep = "\n";
#define STR(field)                                                                                 \
    fputs(sep, out);                                                                               \
    sep = ",\n";                                                                                   \
    json_key(out, 4, #field);                                                                      \
    sq_export_json_string(out, p->field);
#define I64(field)                                                                                 \
    fputs(sep, out);                                                                               \
    sep = ",\n";                                                                                   \
    json_key(out, 4, #field);                                                                      \
    fprintf(out, "%lld", (long long)p->field);
    SQ_PROVENANCE_FIELDS(STR, I64)
#undef STR
#undef I64
    fputs("\n  }\n}\n", out);
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* The columns, in order; docs/output-format.md documents each. */
static const char *const csv_columns[] = {
    "timestamp_utc",
    "sqcube_version",
    "git_commit",
    "hosts",
    "output",
    "input",
    "n",
    "shape",
    "input_type",
    "output_type",
    "ranks",
    "threads",
    "cores",
    "chunk",
    "nchunks",
    "schedule",
    "io",
    "compress",
    "overlap",
    "read_max_s",
    "compute_max_s",
    "reduce_max_s",
    "write_max_s",
    "total_max_s",
    "total_avg_s",
    "gb_per_s",
};
#define NCOLUMNS (sizeof csv_columns / sizeof csv_columns[0])
/* ...then one column for each reduction of SQ_REDUCTION_FIELDS. */

void sq_export_csv_field(FILE *out, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; ++p) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

void sq_export_csv_header(FILE *out) {
    for (size_t i = 0; i < NCOLUMNS; ++i)
        fprintf(out, "%s%s", i ? "," : "", csv_columns[i]);
    for (int i = 0; i < sq_nreduction_fields; ++i)
        fprintf(out, ",%s", sq_reduction_fields[i].name);
    fputc('\n', out);
}

/* A float64 as CSV text that reads back as the same double: "nan", "inf", "-inf" for the
 * non-finite values (numpy and pandas read those). */
static void csv_double(FILE *out, double v) {
    if (isnan(v))
        fputs("nan", out);
    else if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", out);
    else
        fprintf(out, "%.17g", v);
}

void sq_export_csv_row(FILE *out, const sq_run_record *r) {
    const sq_summary *s = r->summary;
    const sq_provenance *p = r->prov;
    char input[SQ_PATH_MAX + SQ_DSET_MAX + 2];
    input_text(p, input, sizeof input);
    sq_export_csv_field(out, p->end_time_utc);
    fputc(',', out);
    sq_export_csv_field(out, p->sqcube_version);
    fputc(',', out);
    sq_export_csv_field(out, p->git_commit);
    fputc(',', out);
    sq_export_csv_field(out, p->hosts);
    fputc(',', out);
    sq_export_csv_field(out, r->output);
    fputc(',', out);
    sq_export_csv_field(out, input);
    fprintf(out, ",%lld,", (long long)p->input_count);
    sq_export_csv_field(out, p->input_shape);
    fprintf(out, ",%s,%s,%lld,%lld,%lld,%lld,%lld,", sq_dtype_name((sq_dtype)s->input_type),
            sq_dtype_name((sq_dtype)s->output_type), (long long)p->ranks,
            (long long)p->threads_per_rank, (long long)(p->ranks * p->threads_per_rank),
            (long long)p->chunk, (long long)p->nchunks);
    fprintf(out, "%s,%s,%lld,%lld", p->schedule, p->io_mode_requested, (long long)p->compress_level,
            (long long)p->overlap);
    static const enum sq_phase phases[] = {SQ_PHASE_READ, SQ_PHASE_COMPUTE, SQ_PHASE_REDUCE,
                                           SQ_PHASE_WRITE, SQ_PHASE_TOTAL};
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; ++i) {
        fputc(',', out);
        csv_double(out, r->tmax[phases[i]]);
    }
    fputc(',', out);
    csv_double(out, r->tavg[SQ_PHASE_TOTAL]);
    fputc(',', out);
    csv_double(out, gb_per_s(r));
    for (int i = 0; i < sq_nreduction_fields; ++i) {
        const sq_field *f = &sq_reduction_fields[i];
        fputc(',', out);
        if (f->kind == SQ_FIELD_I64)
            fprintf(out, "%lld", (long long)sq_field_i64(s, f));
        else if (f->kind == SQ_FIELD_SUM && s->has_exact) /* the exact sum: integer input */
            fputs(s->exact[f->index], out);
        else if (f->kind == SQ_FIELD_SUM)
            csv_double(out, s->sum[f->index]);
        else if (sq_summary_minmax_is_int(s))
            fprintf(out, "%lld", (long long)sq_field_minmax_i64(s, f));
        else
            csv_double(out, sq_field_minmax_f64(s, f));
    }
    fputc('\n', out);
}

/* ---- the files -------------------------------------------------------------------------- */

/* The directory of path must exist and be writable. */
static int check_dir(const char *path, const char *what, sq_error *err) {
    char buf[SQ_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    const char *d = dirname(buf);
    struct stat st;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "%s '%s': the directory '%s' does not exist; create it first (mkdir -p %s)",
                       what, path, d, d);
    if (access(d, W_OK | X_OK) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "%s '%s': the directory '%s' is not writable (%s)",
                       what, path, d, strerror(errno));
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return sq_fail(err, SQ_ERR_USAGE, "%s '%s' is a directory; give a file name", what, path);
    return SQ_OK;
}

/* The header line this version writes, with its newline. */
static int header_text(char *buf, size_t len) {
    FILE *m = fmemopen(buf, len, "w");
    if (m == NULL)
        return -1;
    sq_export_csv_header(m);
    const int bad = ferror(m);
    fclose(m);
    return bad ? -1 : 0;
}

/* An existing, non-empty CSV at fd must start with this version's header. */
static int check_csv_header(int fd, const char *path, sq_error *err) {
    char want[2048], have[2048];
    if (header_text(want, sizeof want) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: cannot format the header");
    const size_t n = strlen(want);
    const ssize_t got = pread(fd, have, n, 0);
    if (got < 0)
        return sq_fail(err, SQ_ERR_RUNTIME, "--log-csv '%s': cannot read it (%s)", path,
                       strerror(errno));
    if ((size_t)got != n || memcmp(have, want, n) != 0)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--log-csv '%s' does not start with this sqcube's header (a file of another "
                       "version or program); give a new file name",
                       path);
    return SQ_OK;
}

/* Whether a and b name the same file: the same text, or the same inode when both exist. */
static bool same_file(const char *a, const char *b) {
    if (a[0] == '\0' || b[0] == '\0')
        return false;
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* path must not be one of the run's other files. */
static int check_distinct(const char *path, const char *what, const char *output, const char *input,
                          const char *other, sq_error *err) {
    if (path[0] == '\0')
        return SQ_OK;
    if (same_file(path, output))
        return sq_fail(err, SQ_ERR_USAGE, "%s '%s' is the --output file; give another name", what,
                       path);
    if (same_file(path, input))
        return sq_fail(err, SQ_ERR_USAGE, "%s '%s' is the input file; give another name", what,
                       path);
    if (same_file(path, other))
        return sq_fail(err, SQ_ERR_USAGE,
                       "--summary-json and --log-csv name the same file '%s'; give two names",
                       path);
    return SQ_OK;
}

int sq_export_check(const char *json_path, const char *csv_path, const char *output_path,
                    const char *input_path, sq_error *err) {
    if (check_distinct(json_path, "--summary-json", output_path, input_path, csv_path, err) ||
        check_distinct(csv_path, "--log-csv", output_path, input_path, "", err))
        return err->status;
    if (json_path[0] != '\0' && check_dir(json_path, "--summary-json", err))
        return err->status;
    if (csv_path[0] == '\0')
        return SQ_OK;
    int exists = 0; /* an existing log must be the user's own regular file, not a link */
    if (check_dir(csv_path, "--log-csv", err) ||
        sq_safe_check_own(csv_path, "--log-csv", &exists, NULL, err))
        return err->status;
    const int fd = open(csv_path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? SQ_OK
                               : sq_fail(err, SQ_ERR_RUNTIME, "--log-csv '%s': cannot open it (%s)",
                                         csv_path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0)
        check_csv_header(fd, csv_path, err);
    close(fd);
    return err->status;
}

static int write_json(const char *path, const sq_run_record *r, sq_error *err) {
    char tmp[SQ_PATH_MAX + 16]; /* a unique temporary file beside path, renamed over it */
    FILE *f = sq_safe_replace_begin(path, "--summary-json", tmp, sizeof tmp, err);
    if (f == NULL)
        return err->status;
    sq_export_json(f, r);
    return sq_safe_replace_commit(f, tmp, path, "--summary-json", err);
}

/* Appends the row with one write(2) under an exclusive flock, deciding on the header under the
 * same lock, so that runs which finish together (a job array) neither interleave rows nor both
 * write a header. A file system without flock (some NFS mounts) falls back to O_APPEND alone. */
static int append_csv(const char *path, const sq_run_record *r, sq_error *err) {
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    if (m == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: out of memory");
    sq_export_csv_row(m, r);
    if (fclose(m) != 0 || text == NULL) {
        free(text);
        return sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: out of memory");
    }
    const int fd = sq_safe_open_append(path, "--log-csv", 0644, err); /* no link, the user's */
    if (fd < 0) {
        free(text);
        return err->status;
    }
    (void)flock(fd, LOCK_EX); /* advisory; see above */
    struct stat st;
    int rc = SQ_OK;
    if (fstat(fd, &st) != 0) {
        rc = sq_fail(err, SQ_ERR_RUNTIME, "--log-csv '%s': %s", path, strerror(errno));
    } else if (st.st_size == 0) {
        char header[2048];
        if (header_text(header, sizeof header) != 0 ||
            write(fd, header, strlen(header)) != (ssize_t)strlen(header))
            rc = sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: writing the header to '%s' failed (%s)",
                         path, strerror(errno));
    } else {
        /* The file may have changed since the check before the run. */
        rc = check_csv_header(fd, path, err);
    }
    if (rc == SQ_OK && write(fd, text, size) != (ssize_t)size)
        rc = sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: appending to '%s' failed (%s)", path,
                     strerror(errno));
    if (close(fd) != 0 && rc == SQ_OK)
        rc = sq_fail(err, SQ_ERR_RUNTIME, "--log-csv: closing '%s' failed (%s)", path,
                     strerror(errno));
    free(text);
    return rc;
}

int sq_export_write(const char *json_path, const char *csv_path, const sq_run_record *r,
                    sq_error *err) {
    if (json_path[0] != '\0' && write_json(json_path, r, err))
        return err->status;
    if (csv_path[0] != '\0' && append_csv(csv_path, r, err))
        return err->status;
    return SQ_OK;
}
