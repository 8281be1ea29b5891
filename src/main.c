/*
 * main.c - sqcube's command line: set up MPI and HDF5, parse, dispatch, and for `run` the phases
 * resolve, open, compute, reduce, write, report.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "affinity.h"
#include "checkpoint.h"
#include "doctor.h"
#include "error.h"
#include "export.h"
#include "h5io.h"
#include "kernel.h"
#include "meter.h"
#include "options.h"
#include "parallel.h"
#include "pipeline.h"
#include "record.h"
#include "report.h"
#include "sqcube_buildinfo.h"
#include "stop.h"
#include "verify.h"

/* ---- phase 1: resolve the input, the output and the types (rank 0) ------------------------- */

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
    struct stat partial;
    if (!opt->resume && !opt->force && stat(job->partial, &partial) == 0)
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
    double need = 16.0 * (double)job->input.n;
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

/* After the output is closed: a file system left (nearly) full means a write may have been lost.
 * Open MPI's MPI-IO (OMPIO, 3+ ranks, collective) was seen to drop writes on a full disk and
 * return success, leaving a damaged file; such a file must not be given its final name. */
static int check_space_after(const char *partial, sq_error *err) {
    char dir[SQ_PATH_MAX + 16]; /* room for the .partial suffix */
    snprintf(dir, sizeof dir, "%s", partial);
    struct statvfs fs;
    if (statvfs(dirname(dir), &fs) != 0 || fs.f_blocks == 0)
        return SQ_OK; /* unknown or unsized (pseudo) file system: nothing to judge by */
    /* Root may use the blocks reserved for it (f_bfree); others only f_bavail. */
    const double left = (double)(geteuid() == 0 ? fs.f_bfree : fs.f_bavail) * (double)fs.f_frsize;
    if (left < 65536.0)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "writing '%s' filled its file system (%.0f bytes left; %s): data may have "
                       "been lost, so the output is not kept; free space and run again",
                       partial, left, strerror(ENOSPC));
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
    struct stat st;
    if (!opt->resume || stat(job->partial, &st) != 0)
        return SQ_OK;
    static char recorded[SQ_CKPT_SETTINGS_MAX];
    if (sq_h5_checkpoint_probe(job->partial, job->in_type, recorded, sizeof recorded, &job->resume,
                               err))
        return err->status;
    char key[64], then[SQ_PATH_MAX], now[SQ_PATH_MAX];
    if (sq_ckpt_settings_diff(recorded, job->ckpt_settings, key, sizeof key, then, sizeof then, now,
                              sizeof now))
        return sq_fail(err, SQ_ERR_USAGE,
                       "--resume: the checkpoint '%s' was made with %s = %s, but this run has %s "
                       "= %s; resume with the settings of the interrupted run, or pass --force "
                       "without --resume to start over",
                       job->partial, key, then, key, now);
    return SQ_OK;
}

static int resolve_job(const sq_options *opt, const sq_par *par, sq_job *job, sq_error *err) {
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

static void join_command_line(int argc, char **argv, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && used + 1 < len; ++i) {
        const int quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$\\*?;&|<>()") != NULL;
        used += (size_t)snprintf(buf + used, len - used, quote ? "%s'%s'" : "%s%s", i ? " " : "",
                                 argv[i]);
    }
}

static void fill_provenance(const sq_options *opt, const sq_job *job, const sq_par *par, int argc,
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

/* ---- sqcube run ------------------------------------------------------------------------- */

/* Compares the exact sums of range:N with N(N+1)/2, N(N+1)(2N+1)/6 and (N(N+1)/2)^2 and records
 * the closed forms in the summary. Every rank holds the same merged sums, so all agree. */
static int self_check_range(const sq_job *job, const sq_stats *stats, sq_summary *summary,
                            sq_error *err) {
    static const char *const names[SQ_NSUMS] = {"sum", "sum_sq", "sum_cube"};
    sq_i256 forms[SQ_NSUMS];
    sq_range_closed_forms(job->gen.n, forms);
    summary->has_closed_form = 1;
    for (int k = 0; k < SQ_NSUMS; ++k) {
        sq_i256_to_decimal(&forms[k], summary->closed_form[k], sizeof summary->closed_form[k]);
        if (sq_i256_cmp(&forms[k], &stats->isum[k]) != 0)
            return sq_fail(err, SQ_ERR_MISMATCH,
                           "self-check failed for %s: %s is %s, but the closed form gives %s; "
                           "the result is wrong, please report it with this line",
                           job->gen_text, names[k], summary->exact[k], summary->closed_form[k]);
    }
    return SQ_OK;
}

/* ---- thread placement (sqcube affinity, --report-affinity, /provenance/affinity) ------------ */

/* This rank's rows: one per OpenMP thread. Returns the count, or -1 with err filled. */
static int collect_affinity(const sq_par *par, sq_affinity_row **rows, sq_error *err) {
    const int max = omp_get_max_threads();
    *rows = calloc((size_t)max, sizeof **rows);
    const int n = *rows ? sq_affinity_collect(par->rank, *rows, max) : -1;
    if (n < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot collect the thread placement of rank %d (%d threads)",
                par->rank, max);
    return n;
}

/* Gathers every rank's rows to rank 0, which prints the table and the check. Collective. */
static void report_affinity(const sq_par *par, const sq_affinity_row *rows, int n, FILE *out) {
    void *all = NULL;
    int total = 0;
    if (sq_par_gather_records(par, rows, n, sizeof *rows, &all, &total) != 0) {
        if (par->rank == 0)
            fprintf(out, "affinity: cannot gather %d ranks' rows on rank 0 (out of memory)\n",
                    par->size);
        return;
    }
    if (par->rank == 0) {
        char msg[1024];
        sq_affinity_print(out, all, total);
        const int v = sq_affinity_check(all, total, msg, sizeof msg);
        fprintf(out, "placement: %s: %s\n", sq_affinity_verdict_name(v), msg);
        fflush(out);
    }
    free(all);
}

static int affinity_command(const sq_par *par, sq_error *err) {
    sq_affinity_row *rows = NULL;
    const int n = collect_affinity(par, &rows, err);
    if (sq_par_agree(par, err) == SQ_OK)
        report_affinity(par, rows, n, stdout);
    free(rows);
    return err->status;
}

/* This run's line of the output's history, made on rank 0 and broadcast: the same on every rank.
 * Collective. */
static void fill_session(const sq_job *job, const sq_provenance *prov, const sq_par *par,
                         const sq_pipeline_result *done, sq_h5_session *s) {
    memset(s, 0, sizeof *s);
    const int64_t chunks = sq_par_sum_i64(par, done->chunks_done);
    const int64_t elements = sq_par_sum_i64(par, done->elements_done);
    if (par->rank == 0) {
        s->session = job->resume.session;
        s->ranks = par->size;
        s->threads_per_rank = job->threads;
        s->chunks_done = chunks;
        s->elements_done = elements;
        if (done->stop_signal != 0)
            snprintf(s->status, sizeof s->status, "stopped by %s",
                     sq_stop_signal_name(done->stop_signal));
        else
            snprintf(s->status, sizeof s->status, "complete");
        snprintf(s->start_time_utc, sizeof s->start_time_utc, "%s", prov->start_time_utc);
        sq_utc_now(s->end_time_utc, sizeof s->end_time_utc);
        snprintf(s->hosts, sizeof s->hosts, "%s", prov->hosts);
        snprintf(s->command_line, sizeof s->command_line, "%s", prov->command_line);
    }
    sq_par_bcast(par, s, sizeof *s);
}

static int run_command(const sq_options *opt, const sq_par *par, int argc, char **argv,
                       sq_error *err) {
    sq_job job;
    sq_provenance prov;
    sq_timers timers;
    sq_timers_init(&timers);

    /* Phase: resolve. Rank 0 probes the input and the output once; every rank gets its answer. */
    if (par->rank == 0)
        resolve_job(opt, par, &job, err);
    if (sq_par_agree(par, err))
        return err->status;
    sq_par_bcast(par, &job, sizeof job);
    char hosts[sizeof prov.hosts];
    sq_par_hosts(par, hosts, sizeof hosts);
    if (par->rank == 0) {
        fill_provenance(opt, &job, par, argc, argv, &prov);
        snprintf(prov.hosts, sizeof prov.hosts, "%s", hosts);
        if (!opt->quiet) {
            char input_text[SQ_PATH_MAX + SQ_DSET_MAX + 16];
            if (job.source == SQ_SOURCE_FILE)
                snprintf(input_text, sizeof input_text, "%s:%s", job.input_file, job.input.dataset);
            else
                snprintf(input_text, sizeof input_text, "generate %s", job.gen_text);
            sq_report_settings(stdout, &prov, &job.plan, input_text, job.in_type, job.out_type,
                               job.output);
            if (job.resume.resumed)
                printf("  resume    %s: session %d; %lld of %lld chunks done by %lld earlier "
                       "session(s)\n",
                       job.partial, (int)job.resume.session, (long long)job.resume.chunks_done,
                       (long long)job.plan.nchunks, (long long)job.resume.sessions_recorded);
        }
    }

    /* Where the threads run: recorded in /provenance/affinity, printed with --report-affinity. */
    sq_affinity_row *affinity = NULL;
    const int naffinity = collect_affinity(par, &affinity, err);
    if (sq_par_agree(par, err)) {
        free(affinity);
        return err->status;
    }
    int64_t affinity_total = 0;
    const int64_t affinity_offset = sq_par_exscan_i64(par, naffinity, &affinity_total);
    if (opt->report_affinity && !opt->quiet)
        report_affinity(par, affinity, naffinity, stdout);

    /* Phase: open. The output is written under its .partial name until it is complete. */
    sq_timer_start(&timers, SQ_PHASE_TOTAL);
    sq_h5_reader *in = NULL;
    sq_h5_writer *out = NULL;
    MPI_Info hints = sq_par_info_create(opt->hints);
    if (job.source == SQ_SOURCE_FILE)
        sq_h5_reader_open(par->comm, hints, job.input_file, job.input.dataset, job.input.read_as,
                          opt->io, sq_plan_buffer_elements(&job.plan), &in, err);
    if (sq_par_agree(par, err))
        goto out_close;
    const int64_t chunk = job.plan.chunk;
    const sq_h5_write_settings wset = {
        .io = opt->io,
        .alignment = opt->alignment,
        .compress = opt->compress,
        .storage_chunk = chunk < SQ_MAX_STORAGE_CHUNK ? chunk : SQ_MAX_STORAGE_CHUNK,
        /* The longest request of any rank, the same on every rank: min(chunk, n). A bound any
         * larger would only add empty collective calls when transfers are split. */
        .max_request = sq_plan_buffer_elements(&job.plan),
        .sync = opt->sync,
        .nchunks = job.plan.nchunks,
        .ckpt_settings = job.ckpt_settings,
        .source = in,
        .generator = job.gen_text,
        .rank = par->rank,
    };
    if (job.resume.resumed)
        sq_h5_writer_resume(par->comm, hints, &wset, job.partial, &job.input.shape, job.out_type,
                            job.resume.session, &out, err);
    else
        sq_h5_writer_create(par->comm, hints, &wset, job.partial, &job.input.shape, job.out_type,
                            &out, err);
    if (sq_par_agree(par, err))
        goto out_close;
    sq_h5_writer_set_affinity(out, affinity, naffinity, affinity_offset, affinity_total);
    if (par->rank == 0)
        sq_par_file_hints(sq_h5_writer_mpi_file(out), prov.mpiio_hints_in_effect,
                          sizeof prov.mpiio_hints_in_effect);

    /* Phase: compute (read, compute and write every chunk; thread-level reduction inside). */
    sq_stats stats;
    sq_stats_init(&stats, job.in_type);
    sq_pipeline_result done;
    if (sq_stop_install() != 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot install the stop-signal handlers on rank %d: %s",
                par->rank, strerror(errno));
    if (sq_par_agree(par, err) || sq_pipeline_run(&job, par, in, out, &stats, &timers, &done, err))
        goto out_close;

    /* Phase: reduce (rank level). */
    sq_timer_start(&timers, SQ_PHASE_REDUCE);
    sq_par_reduce_stats(par, &stats);
    sq_timer_stop(&timers, SQ_PHASE_REDUCE);
    sq_timer_stop(&timers, SQ_PHASE_TOTAL);
    sq_h5_session session;
    fill_session(&job, &prov, par, &done, &session);

    /* Phase: checkpoint (only when a stop was requested). This session's reductions go into the
     * partial file beside its done flags, and the partial file stays for --resume. */
    if (done.stop_signal != 0) {
        sq_h5_writer_stop(out, &session, &stats, err);
        out = NULL;
        if (sq_par_agree(par, err) == SQ_OK)
            sq_fail(err, SQ_STOPPED,
                    "%s: %lld of %lld chunks are done and saved in '%s'; run the same command "
                    "with --resume to continue (any number of ranks and threads)",
                    sq_stop_signal_name(done.stop_signal),
                    (long long)(job.resume.chunks_done + session.chunks_done),
                    (long long)job.plan.nchunks, job.partial);
        goto out_close;
    }
    /* The sessions before this one, from the checkpoint: the same record on every rank. */
    sq_stats_merge(&stats, &job.resume.prev);

    /* Phase: self-check. range:N has closed forms for its sums: a mismatch is a wrong answer. */
    sq_summary summary;
    sq_summary_from_stats(&summary, &stats, job.out_type);
    if (job.source == SQ_SOURCE_GENERATE && job.gen.kind == SQ_GEN_RANGE &&
        self_check_range(&job, &stats, &summary, err))
        goto out_close;

    /* Phase: write the metadata, mark the file complete, and give it its final name. */
    if (par->rank == 0) {
        sq_utc_now(prov.end_time_utc, sizeof prov.end_time_utc);
        /* Rank 0's view of what HDF5 did; the causes HDF5 reports are over all ranks. */
        sq_h5_writer_storage(out, prov.storage, sizeof prov.storage);
        sq_h5_writer_io(out, prov.io_write_actual, sizeof prov.io_write_actual,
                        prov.io_write_no_collective_cause,
                        sizeof prov.io_write_no_collective_cause);
        if (in != NULL)
            sq_h5_reader_io(in, prov.io_read_actual, sizeof prov.io_read_actual,
                            prov.io_read_no_collective_cause,
                            sizeof prov.io_read_no_collective_cause);
    }
    sq_par_bcast(par, &prov, sizeof prov);
    sq_par_bcast(par, &summary, sizeof summary);
    sq_h5_writer_finish(out, &summary, &prov, &session, &job.resume, par->rank, par->size, &timers,
                        err);
    out = NULL;
    if (par->rank == 0 && err->status == SQ_OK)
        check_space_after(job.partial, err);
    if (sq_par_agree(par, err))
        goto out_close;
    if (par->rank == 0 && rename(job.partial, job.output) != 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot rename '%s' to '%s': %s", job.partial, job.output,
                strerror(errno));
    if (sq_par_agree(par, err))
        goto out_close;

    /* Phase: report, on the console and, when asked, as JSON and a CSV row (rank 0). */
    double tmin[SQ_NPHASES], tavg[SQ_NPHASES], tmax[SQ_NPHASES];
    sq_par_phase_stats(par, &timers, tmin, tavg, tmax);
    const double bytes_moved = 24.0 * (double)job.plan.n;
    if (par->rank == 0) {
        char abs_out[PATH_MAX];
        if (realpath(job.output, abs_out) == NULL)
            snprintf(abs_out, sizeof abs_out, "%s", job.output);
        if (!opt->quiet)
            sq_report_summary(stdout, &summary, tmin, tavg, tmax, bytes_moved, abs_out);
        const sq_run_record record = {&summary, &prov, tmin, tavg, tmax, bytes_moved, abs_out};
        sq_export_write(opt->summary_json, opt->log_csv, &record, err);
    }
    sq_h5_reader_close(in);
    sq_par_info_free(&hints);
    free(affinity);
    /* A failed export leaves the (complete) output in place: the message says which file failed. */
    return sq_par_agree(par, err);

out_close:
    /* A failed run leaves nothing: not the final name (never written), not the partial file.
     * Rank 0 first empties the partial file: closing it writes HDF5's metadata, which on a full
     * disk needs the room the data took, and a close that fails leaves HDF5 a half-closed file
     * that crashes MPI_Finalize. */
    if (out != NULL && !job.resume.resumed) { /* a resumed run's partial holds a checkpoint */
        if (par->rank == 0 && truncate(job.partial, 0) != 0)
            perror("sqcube: warning: truncating the partial output");
        sq_par_barrier(par);
    }
    sq_h5_writer_abort(out);
    sq_h5_reader_close(in);
    sq_par_info_free(&hints);
    free(affinity);
    sq_par_barrier(par);
    /* A stopped run keeps its checkpoint; so does a failed resumed run (what its earlier sessions
     * did is still good), unless it failed before the checkpoint was even opened. */
    if (par->rank == 0 && err->status != SQ_STOPPED && !job.resume.resumed)
        unlink(job.partial);
    return err->status;
}

/* ---- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    sq_par par = {0};
    sq_error err;
    sq_options opt;
    sq_error_clear(&err);

    /* Phase: setup. Without MPI there is nobody to agree with: report and stop. */
    if (sq_par_init(&argc, &argv, &par, &err) != SQ_OK && par.size == 0) {
        sq_error_print(&err);
        sq_par_finalize();
        return err.status;
    }
    sq_h5_init();
    if (err.status == SQ_OK)
        sq_options_parse(argc, argv, &opt, &err);
    int status = sq_par_agree(&par, &err);

    /* Phase: dispatch. */
    if (status == SQ_OK) {
        switch (opt.command) {
        case SQ_CMD_HELP:
            if (par.rank == 0)
                sq_options_print_help(stdout, opt.help_command);
            break;
        case SQ_CMD_VERSION:
            if (par.rank == 0) {
                char h5[32], mpi[256];
                sq_h5_version(h5, sizeof h5);
                sq_par_library(mpi, sizeof mpi);
                printf("sqcube %s (git %s, %s build, %s)\nHDF5 %s (parallel)\n%s\n", SQCUBE_VERSION,
                       SQCUBE_GIT_COMMIT, SQCUBE_BUILD_TYPE, SQCUBE_COMPILER, h5, mpi);
            }
            break;
        case SQ_CMD_RUN:
            status = run_command(&opt, &par, argc, argv, &err);
            break;
        case SQ_CMD_VERIFY:
            status = sq_verify(&opt, &par, &err);
            break;
        case SQ_CMD_INFO:
            status = sq_info(&opt, &par, &err);
            break;
        case SQ_CMD_AFFINITY:
            status = affinity_command(&par, &err);
            break;
        case SQ_CMD_DOCTOR:
            status = sq_doctor(&opt, &par, &err);
            break;
        }
    }
    if (status != SQ_OK && par.rank == 0)
        sq_error_print(&err);
    sq_par_finalize();
    return status;
}
