/*
 * job.c - resolving a run (rank 0): the input probed or the generator read, the output checked
 * (not the input, room for it, no stray checkpoint), the types chosen, the decomposition, the
 * checkpoint settings and what --resume continues; and the provenance the output records.
 */
#include "job.h"

#include <errno.h>
#include <libgen.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "checkpoint.h"
#include "chunkrec.h"
#include "export.h"
#include "h5io.h"
#include "h5io_chunkrec.h"
#include "kernel.h"
#include "meter.h"
#include "safefile.h"
#include "sqcube_buildinfo.h"
#include "startup.h"

/* Checks that output can be created beside its final name and is not the input. */
static int check_output(const sq_options *opt, const sq_job *job, sq_error *err) {
    struct stat out_st, in_st;
    const int exists = stat(opt->output, &out_st) == 0;
    if (exists && S_ISDIR(out_st.st_mode))
        return sq_fail(err, SQ_ERR_USAGE, "--output '%s' is a directory; give a file name",
                       opt->output);
    if (job->source == SQ_SOURCE_FILE && stat(job->input_file, &in_st) == 0) {
        struct stat partial_st;
        if ((exists && out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino) ||
            (stat(job->partial, &partial_st) == 0 && partial_st.st_dev == in_st.st_dev &&
             partial_st.st_ino == in_st.st_ino))
            return sq_fail(err, SQ_ERR_USAGE,
                           "--output '%s' is the input file; sqcube never writes over its input, "
                           "choose another output name",
                           opt->output);
    }
    if (exists && !opt->force)
        return sq_fail(err, SQ_ERR_USAGE,
                       "output '%s' exists; pass --force to replace it, or choose another name",
                       opt->output);
    struct stat partial; /* lstat: a link planted there counts too (never followed) */
    if (!opt->resume && !opt->force && lstat(job->partial, &partial) == 0)
        return sq_fail(err, SQ_ERR_USAGE,
                       "'%s' exists: the checkpoint of an interrupted run (or a run still going); "
                       "pass --resume to continue it, or --force to start over",
                       job->partial);
    char dir[SQ_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", opt->output);
    const char *d = dirname(dir);
    struct stat dir_st;
    if (stat(d, &dir_st) != 0 || !S_ISDIR(dir_st.st_mode))
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "output directory '%s' does not exist; create it first (mkdir -p %s)", d, d);
    if (access(d, W_OK | X_OK) != 0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "output directory '%s' is not writable (%s); choose another --output", d,
                       strerror(errno));
    /* Room for the two result datasets (uncompressed: 16 bytes an element), checked before the
     * run: Open MPI's MPI-IO can lose a write on a full disk without returning an error, so a
     * file that cannot fit must not be started. Quotas and space others take meanwhile still
     * surface as write errors. */
    struct statvfs fs;
    double need = sq_output_data_bytes(job->input.n);
    struct stat ckpt; /* a checkpoint to resume already holds the blocks its chunks took */
    if (opt->resume && stat(job->partial, &ckpt) == 0)
        need -= 512.0 * (double)ckpt.st_blocks;
    if (!opt->compress && statvfs(d, &fs) == 0 && fs.f_blocks > 0 /* sized: not /proc */ &&
        (double)fs.f_bavail * (double)fs.f_frsize < need)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "output '%s' needs %.1f MiB but its file system has %.1f MiB free (%s); "
                       "free space or choose another --output",
                       opt->output, need / 1048576.0,
                       (double)fs.f_bavail * (double)fs.f_frsize / 1048576.0, strerror(ENOSPC));
    return SQ_OK;
}

/* The settings a resumed run must share with the checkpoint: what fixes the input, the chunks and
 * the output's layout, and the build that reads the recorded reductions back. Ranks, threads,
 * schedule, I/O mode and hints may change between sessions. */
static int checkpoint_settings(const sq_options *opt, const sq_job *job, char *buf, size_t len) {
    char shape[256];
    sq_shape_format(&job->input.shape, shape, sizeof shape);
    buf[0] = '\0';
    int rc = sq_ckpt_settings_add(buf, len, "format", "%d", SQ_FORMAT_VERSION);
    rc |= sq_ckpt_settings_add(buf, len, "sqcube", "%s", SQCUBE_VERSION);
    rc |= sq_ckpt_settings_add(buf, len, "reductions_bytes", "%zu", sizeof(sq_stats));
    rc |= sq_ckpt_settings_add(buf, len, "chunk_records", "%d", SQ_CHUNKREC_BYTES);
    if (job->source == SQ_SOURCE_FILE) {
        struct stat st;
        const int have = stat(job->input_file, &st) == 0;
        rc |= sq_ckpt_settings_add(buf, len, "input", "%s:%s", job->input_file, job->input.dataset);
        rc |= sq_ckpt_settings_add(buf, len, "input_bytes", "%lld",
                                   have ? (long long)st.st_size : -1LL);
        rc |= sq_ckpt_settings_add(buf, len, "input_mtime", "%lld",
                                   have ? (long long)st.st_mtime : -1LL);
    } else {
        rc |= sq_ckpt_settings_add(buf, len, "generate", "%s", job->gen_text);
    }
    rc |= sq_ckpt_settings_add(buf, len, "input_datatype", "%s", job->input.datatype);
    rc |= sq_ckpt_settings_add(buf, len, "shape", "%s", shape);
    rc |= sq_ckpt_settings_add(buf, len, "chunk", "%lld", (long long)job->plan.chunk);
    rc |= sq_ckpt_settings_add(buf, len, "output_type", "%s", sq_dtype_name(job->out_type));
    rc |= sq_ckpt_settings_add(buf, len, "compress", "%d", opt->compress);
    return rc;
}

/* --resume with a checkpoint: check that it belongs to this run and read how far it got. Without
 * one (or without --resume) this is session 1 of a fresh output. */
static int resolve_resume(const sq_options *opt, sq_job *job, sq_error *err) {
    sq_resume_fresh(&job->resume, job->in_type);
    int exists = 0; /* a checkpoint to resume must be the user's own regular file, not a link */
    if (!opt->resume ||
        sq_safe_check_own(job->partial, "--resume", &exists, &job->partial_id, err) || !exists)
        return err->status;
    static char recorded[SQ_CKPT_SETTINGS_MAX];
    if (sq_h5_checkpoint_probe(job->partial, job->in_type, recorded, sizeof recorded, &job->resume,
                               err) ||
        sq_safe_check_same(job->partial, "--resume", &job->partial_id, err))
        return err->status;
    char key[64], then[SQ_PATH_MAX], now[SQ_PATH_MAX];
    if (sq_ckpt_settings_diff(recorded, job->ckpt_settings, key, sizeof key, then, sizeof then, now,
                              sizeof now))
        return sq_fail(err, SQ_ERR_USAGE,
                       "--resume: the checkpoint '%s' was made with %s = %s, but this run has %s "
                       "= %s; resume with the settings of the interrupted run, or pass --force "
                       "without --resume to start over",
                       job->partial, key, then, key, now);
    /* Every flagged chunk with a good record is taken over, killed sessions' included. */
    return sq_h5_checkpoint_take_over(job->partial, &job->plan, job->in_type, opt->compress > 0,
                                      &job->resume, err);
}

int sq_job_resolve(const sq_options *opt, const sq_par *par, sq_job *job, sq_error *err) {
    memset(job, 0, sizeof *job);
    job->source = opt->source;
    job->threads = omp_get_max_threads();
    job->schedule = opt->schedule;
    job->io = opt->io;
    job->progress = sq_meter_choose(opt->progress, opt->quiet, opt->progress_interval);
    job->progress_interval = opt->progress_interval;
    snprintf(job->output, sizeof job->output, "%s", opt->output);
    snprintf(job->partial, sizeof job->partial, "%s.partial", opt->output);
    int64_t n;
    if (opt->source == SQ_SOURCE_FILE) {
        if (realpath(opt->input_file, job->input_file) == NULL)
            return sq_fail(err, SQ_ERR_RUNTIME, "input file '%s': %s; check the path",
                           opt->input_file, strerror(errno));
        if (sq_h5_probe_input(opt->input_file, opt->input_dataset, &job->input, err))
            return err->status;
        n = job->input.n;
        /* uint64 values may pass int64; for float64 output they are read as float64 instead. */
        if (job->input.read_as == SQ_READ_UINT64 && opt->output_type == SQ_OUTPUT_FLOAT64) {
            job->input.read_as = SQ_READ_FLOAT64;
            job->input.type = SQ_DTYPE_FLOAT64;
        }
        job->in_type = job->input.type;
    } else {
        job->gen = opt->gen;
        sq_gen_spec_format(&opt->gen, job->gen_text, sizeof job->gen_text);
        n = opt->gen.n;
        job->input.n = n;
        job->input.shape.rank = 1;
        job->input.shape.dims[0] = n;
        job->in_type = sq_gen_dtype(&opt->gen);
        snprintf(job->input.datatype, sizeof job->input.datatype, "generated %s",
                 sq_dtype_name(job->in_type));
    }
    switch (opt->output_type) {
    case SQ_OUTPUT_INT64:
        if (job->in_type != SQ_DTYPE_INT64)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--output-type int64 needs integer input, but the input is float64; "
                           "use auto or float64");
        job->out_type = SQ_DTYPE_INT64;
        break;
    case SQ_OUTPUT_FLOAT64:
        job->out_type = SQ_DTYPE_FLOAT64;
        break;
    default:
        /* range:N knows its largest value before the run: past 2097151 the cubes leave int64. */
        job->out_type = job->in_type;
        if (opt->source == SQ_SOURCE_GENERATE && opt->gen.kind == SQ_GEN_RANGE &&
            opt->gen.n > SQ_CUBE_INT64_MAX)
            job->out_type = SQ_DTYPE_FLOAT64;
        break;
    }
    if (sq_plan_init(&job->plan, n, opt->chunk, par->size) != 0)
        return sq_fail(err, SQ_ERR_USAGE, "cannot decompose %lld elements in chunks of %lld",
                       (long long)n, (long long)opt->chunk);
    if (check_output(opt, job, err))
        return err->status;
    if (sq_export_check(opt->summary_json, opt->log_csv, opt->output,
                        job->source == SQ_SOURCE_FILE ? job->input_file : "", err))
        return err->status;
    if (checkpoint_settings(opt, job, job->ckpt_settings, sizeof job->ckpt_settings) != 0)
        return sq_fail(err, SQ_ERR_USAGE, "the settings of this run are too long to checkpoint");
    return resolve_resume(opt, job, err);
}

/* ---- provenance --------------------------------------------------------------------------- */

/* The command, shell-quoted where needed; one longer than len ends in " ..." (never cut
 * silently). */
static void join_command_line(int argc, char **argv, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used < len; ++i) {
        const int quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$\\*?;&|<>()") != NULL;
        used += (size_t)snprintf(buf + used, len - used, quote ? "%s'%s'" : "%s%s", i ? " " : "",
                                 argv[i]);
    }
    if (used >= len && len > 4)
        memcpy(buf + len - 5, " ...", 5);
}

void sq_job_provenance(const sq_options *opt, const sq_job *job, const sq_par *par, int argc,
                       char **argv, sq_provenance *p) {
    memset(p, 0, sizeof *p);
    snprintf(p->sqcube_version, sizeof p->sqcube_version, "%s", SQCUBE_VERSION);
    snprintf(p->git_commit, sizeof p->git_commit, "%s", SQCUBE_GIT_COMMIT);
    snprintf(p->compiler, sizeof p->compiler, "%s", SQCUBE_COMPILER);
    snprintf(p->c_flags, sizeof p->c_flags, "%s", SQCUBE_C_FLAGS);
    snprintf(p->build_type, sizeof p->build_type, "%s", SQCUBE_BUILD_TYPE);
    sq_par_library(p->mpi_library, sizeof p->mpi_library);
    snprintf(p->mpi_thread_level, sizeof p->mpi_thread_level, "%s",
             sq_par_thread_level_name(par->thread_level));
    snprintf(p->mpi_transport, sizeof p->mpi_transport, "%s", sq_startup_get()->transport);
    snprintf(p->omp_wait_policy, sizeof p->omp_wait_policy, "%s", sq_startup_get()->wait_policy);
    sq_h5_version(p->hdf5_version, sizeof p->hdf5_version);
    join_command_line(argc, argv, p->command_line, sizeof p->command_line);
    snprintf(p->schedule, sizeof p->schedule, "%s", sq_schedule_name(opt->schedule));
    snprintf(p->summation, sizeof p->summation, "%s", sq_stats_method(job->in_type));
    if (job->source == SQ_SOURCE_FILE) {
        snprintf(p->input_kind, sizeof p->input_kind, "file");
        snprintf(p->input_file, sizeof p->input_file, "%s", job->input_file);
        snprintf(p->input_dataset, sizeof p->input_dataset, "%s", job->input.dataset);
        snprintf(p->input_access, sizeof p->input_access, "%s", job->input.access);
    } else {
        snprintf(p->input_kind, sizeof p->input_kind, "generate");
        snprintf(p->generator, sizeof p->generator, "%s", job->gen_text);
    }
    snprintf(p->input_datatype, sizeof p->input_datatype, "%s", job->input.datatype);
    sq_shape_format(&job->input.shape, p->input_shape, sizeof p->input_shape);
    snprintf(p->output_type_requested, sizeof p->output_type_requested, "%s",
             sq_output_type_name(opt->output_type));
    snprintf(p->io_mode_requested, sizeof p->io_mode_requested, "%s", sq_io_mode_name(opt->io));
    snprintf(p->mpiio_hints_requested, sizeof p->mpiio_hints_requested, "%s", opt->hints);
    p->alignment = opt->alignment;
    p->compress_level = opt->compress;
    p->sync = opt->sync;
    p->max_transfer = sq_h5_max_transfer();
    p->overlap = sq_pipeline_overlaps(job->threads);
    sq_utc_now(p->start_time_utc, sizeof p->start_time_utc);
    p->ranks = par->size;
    p->threads_per_rank = job->threads;
    p->chunk = job->plan.chunk;
    p->nchunks = job->plan.nchunks;
    p->input_count = job->plan.n;
}
