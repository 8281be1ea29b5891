/*
 * run.c - sqcube run: the phases resolve, place, open, compute, reduce, (checkpoint on a stop,)
 * self-check, finish, report, each a named step below, with one cleanup path.
 *
 * The output is created as OUTPUT.partial.creating, renamed to OUTPUT.partial once its metadata is
 * flushed (a run killed while creating it leaves no checkpoint that never opens), written there,
 * and renamed to OUTPUT only once it is complete and marked so; a failed run leaves none of them
 * (a stopped or resumed run keeps its checkpoint).
 */
#include "run.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "affinity_cmd.h"
#include "export.h"
#include "h5io.h"
#include "h5io_chunkrec.h"
#include "job.h"
#include "pipeline.h"
#include "plural.h"
#include "record.h"
#include "report.h"
#include "safefile.h"
#include "stop.h"

/* Everything one run holds between its phases. */
typedef struct run_state {
    sq_job job;                /* resolved on rank 0, the same on every rank */
    sq_provenance prov;        /* rank 0's until broadcast before the metadata is written */
    sq_timers timers;          /* this rank's phase seconds */
    sq_affinity_row *affinity; /* this rank's placement rows */
    int naffinity;
    sq_h5_reader *in;                /* NULL for generated input */
    sq_h5_writer *out;               /* NULL once stopped, finished or never opened */
    sq_stats stats;                  /* this rank's, then every rank's merged reductions */
    sq_pipeline_result done;         /* what the chunk loop did */
    sq_h5_session session;           /* this run's line of the output's history */
    sq_summary summary;              /* the root attributes */
    char creating[SQ_PATH_MAX + 32]; /* OUTPUT.partial.creating until renamed, then "" */
} run_state;

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

/* Compares the exact sums of range:N with N(N+1)/2, N(N+1)(2N+1)/6 and (N(N+1)/2)^2 and records
 * the closed forms in the summary. Every rank holds the same merged sums, so all agree. */
static int self_check_range(const sq_job *job, const sq_stats *stats, sq_summary *summary,
                            sq_error *err) {
    sq_i256 forms[SQ_NSUMS];
    sq_range_closed_forms(job->gen.n, forms);
    summary->has_closed_form = 1;
    for (int k = 0; k < SQ_NSUMS; ++k) {
        sq_i256_to_decimal(&forms[k], summary->closed_form[k], sizeof summary->closed_form[k]);
        if (sq_i256_cmp(&forms[k], &stats->isum[k]) != 0)
            return sq_fail(err, SQ_ERR_MISMATCH,
                           "self-check failed for %s: %s is %s, but the closed form gives %s; "
                           "the result is wrong, please report it with this line",
                           job->gen_text, sq_sum_name(k), summary->exact[k],
                           summary->closed_form[k]);
    }
    return SQ_OK;
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

/* Phase: resolve. Rank 0 probes the input and the output once; every rank gets its answer; rank 0
 * echoes the settings. */
static int resolve(const sq_options *opt, const sq_par *par, int argc, char **argv, run_state *s,
                   sq_error *err) {
    if (par->rank == 0)
        sq_job_resolve(opt, par, &s->job, err);
    if (sq_par_agree(par, err))
        return err->status;
    sq_par_bcast(par, &s->job, sizeof s->job);
    const sq_job *job = &s->job;
    char hosts[sizeof s->prov.hosts];
    sq_par_hosts(par, hosts, sizeof hosts);
    if (par->rank != 0)
        return SQ_OK;
    sq_job_provenance(opt, job, par, argc, argv, &s->prov);
    snprintf(s->prov.hosts, sizeof s->prov.hosts, "%s", hosts);
    if (opt->quiet)
        return SQ_OK;
    char input_text[SQ_PATH_MAX + SQ_DSET_MAX + 16];
    if (job->source == SQ_SOURCE_FILE)
        snprintf(input_text, sizeof input_text, "%s:%s", job->input_file, job->input.dataset);
    else
        snprintf(input_text, sizeof input_text, "generate %s", job->gen_text);
    sq_report_settings(stdout, &s->prov, &job->plan, input_text, job->in_type, job->out_type,
                       job->output);
    if (job->resume.resumed)
        printf("  resume    %s: session %d; %lld of %lld chunks (%lld of %lld elements) done by "
               "%lld earlier session%s\n",
               job->partial, (int)job->resume.session, (long long)job->resume.chunks_done,
               (long long)job->plan.nchunks, (long long)job->resume.elements_done,
               (long long)job->plan.n, (long long)job->resume.sessions_recorded,
               sq_s(job->resume.sessions_recorded));
    return SQ_OK;
}

/* Where the threads run: recorded in /provenance/affinity, printed with --report-affinity.
 * Collective; *offset and *total place this rank's rows in the table. */
static int place(const sq_options *opt, const sq_par *par, run_state *s, int64_t *offset,
                 int64_t *total, sq_error *err) {
    s->naffinity = sq_placement_collect(par, &s->affinity, err);
    if (sq_par_agree(par, err))
        return err->status;
    *offset = sq_par_exscan_i64(par, s->naffinity, total);
    /* An explicit --report-affinity prints even under --quiet; the warning does not. */
    if (opt->report_affinity || !opt->quiet)
        sq_placement_report(par, s->affinity, s->naffinity, stdout, opt->report_affinity,
                            !opt->quiet);
    return SQ_OK;
}

/* A fresh output, created under a temporary name and renamed to OUTPUT.partial once flushed: a run
 * killed while creating it leaves no .partial, so --resume starts over instead of finding a file
 * that never opened. Never through a name someone else planted (safefile.h): a stale temporary
 * name (a run killed while creating, or a link) is removed first (the name, never what a link
 * points to), the file is created exclusively, and if that fails because the name came back in
 * between, that is the one message every rank agrees on; the rename replaces whatever has the
 * .partial name (a link too) atomically, never following it. Collective. */
static int create_partial(const sq_options *opt, const sq_par *par, run_state *s,
                          const sq_h5_write_settings *wset, sq_error *err) {
    const sq_job *job = &s->job;
    snprintf(s->creating, sizeof s->creating, "%s.creating", job->partial);
    if (par->rank == 0)
        sq_safe_remove_stale(s->creating, "--output", err);
    if (sq_par_agree(par, err))
        return err->status;
    sq_h5_writer_create(par, opt->hints, wset, s->creating, &job->input.shape, job->out_type,
                        &s->out, err);
    if (par->rank == 0 && s->out == NULL) {
        sq_error appeared; /* a name planted between the removal and the create */
        sq_error_clear(&appeared);
        if (sq_safe_appeared(s->creating, "--output", &appeared))
            *err = appeared;
    }
    if (sq_par_agree(par, err))
        return err->status;
    if (par->rank == 0 && rename(s->creating, job->partial) != 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot rename '%s' to '%s': %s", s->creating, job->partial,
                strerror(errno));
    if (sq_par_agree(par, err))
        return err->status;
    s->creating[0] = '\0';
    sq_h5_writer_set_path(s->out, job->partial);
    return SQ_OK;
}

/* The checkpoint --resume continues, reopened: it must still be the file resolve_resume checked
 * (the user's own regular file, the same device and inode; safefile.h) before this session is
 * begun in it. Collective. */
static int resume_partial(const sq_options *opt, const sq_par *par, run_state *s,
                          const sq_h5_write_settings *wset, sq_error *err) {
    const sq_job *job = &s->job;
    sq_h5_writer_resume(par, opt->hints, wset, job->partial, &job->input.shape, job->out_type,
                        job->resume.session, &s->out, err);
    if (par->rank == 0 && s->out != NULL)
        sq_safe_check_same(job->partial, "--resume", &job->partial_id, err);
    if (sq_par_agree(par, err))
        return err->status;
    sq_h5_writer_begin_session(s->out, &job->resume, err);
    return sq_par_agree(par, err);
}

/* Phase: open. The input, and the output under its .partial name (created, or the checkpoint
 * reopened). Collective. */
static int open_files(const sq_options *opt, const sq_par *par, run_state *s, int64_t aff_offset,
                      int64_t aff_total, sq_error *err) {
    const sq_job *job = &s->job;
    if (job->source == SQ_SOURCE_FILE)
        sq_h5_reader_open(par, opt->hints, job->input_file, job->input.dataset, job->input.read_as,
                          opt->io, sq_plan_buffer_elements(&job->plan), &s->in, err);
    if (sq_par_agree(par, err))
        return err->status;
    const int64_t chunk = job->plan.chunk;
    const sq_h5_write_settings wset = {
        .io = opt->io,
        .alignment = opt->alignment,
        .compress = opt->compress,
        .storage_chunk = chunk < SQ_MAX_STORAGE_CHUNK ? chunk : SQ_MAX_STORAGE_CHUNK,
        /* The longest request of any rank, the same on every rank: min(chunk, n). A bound any
         * larger would only add empty collective calls when transfers are split. */
        .max_request = sq_plan_buffer_elements(&job->plan),
        .sync = opt->sync,
        .nchunks = job->plan.nchunks,
        .ckpt_settings = job->ckpt_settings,
        .source = s->in,
        .generator = job->gen_text,
    };
    if (job->resume.resumed ? resume_partial(opt, par, s, &wset, err)
                            : create_partial(opt, par, s, &wset, err))
        return err->status;
    sq_h5_writer_set_affinity(s->out, s->affinity, s->naffinity, aff_offset, aff_total);
    if (par->rank == 0)
        sq_par_file_hints(sq_h5_writer_mpi_file(s->out), s->prov.mpiio_hints_in_effect,
                          sizeof s->prov.mpiio_hints_in_effect);
    return SQ_OK;
}

/* Phase: compute (read, compute and write every chunk; thread-level reduction inside), then the
 * rank-level reduction. Collective. */
static int compute(const sq_par *par, run_state *s, sq_error *err) {
    sq_stats_init(&s->stats, s->job.in_type);
    if (sq_stop_install() != 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot install the stop-signal handlers on rank %d: %s",
                par->rank, strerror(errno));
    if (sq_par_agree(par, err) ||
        sq_pipeline_run(&s->job, par, s->in, s->out, &s->stats, &s->timers, &s->done, err))
        return err->status;
    sq_timer_start(&s->timers, SQ_PHASE_REDUCE);
    sq_par_reduce_stats(par, &s->stats);
    sq_timer_stop(&s->timers, SQ_PHASE_REDUCE);
    sq_timer_stop(&s->timers, SQ_PHASE_TOTAL);
    fill_session(&s->job, &s->prov, par, &s->done, &s->session);
    return SQ_OK;
}

/* Phase: checkpoint, when a stop was requested. This session's reductions go into the partial
 * file beside its done flags, the partial file stays for --resume, and the run ends with
 * SQ_STOPPED. Collective. */
static int checkpoint(const sq_par *par, run_state *s, sq_error *err) {
    const sq_job *job = &s->job;
    sq_h5_writer_stop(s->out, &s->session, &s->stats, err);
    s->out = NULL;
    if (sq_par_agree(par, err) == SQ_OK)
        sq_fail(err, SQ_STOPPED,
                "%s: %lld of %lld chunks are done and saved in '%s'; run the same command "
                "with --resume to continue (any number of ranks and threads)",
                sq_stop_signal_name(s->done.stop_signal),
                (long long)(job->resume.chunks_done + s->session.chunks_done),
                (long long)job->plan.nchunks, job->partial);
    return err->status;
}

/* Phase: self-check. The sessions before this one join the sums; range:N has closed forms for
 * its sums: a mismatch is a wrong answer. */
static int self_check(run_state *s, sq_error *err) {
    sq_stats_merge(&s->stats, &s->job.resume.prev); /* the same record on every rank */
    sq_summary_from_stats(&s->summary, &s->stats, s->job.out_type);
    if (s->job.source == SQ_SOURCE_GENERATE && s->job.gen.kind == SQ_GEN_RANGE)
        return self_check_range(&s->job, &s->stats, &s->summary, err);
    return SQ_OK;
}

/* Phase: write the metadata, mark the file complete, and give it its final name. Collective. */
static int finish(const sq_par *par, run_state *s, sq_error *err) {
    const sq_job *job = &s->job;
    sq_provenance *prov = &s->prov;
    if (par->rank == 0) {
        sq_utc_now(prov->end_time_utc, sizeof prov->end_time_utc);
        /* Rank 0's view of what HDF5 did; the causes HDF5 reports are over all ranks. */
        sq_h5_writer_storage(s->out, prov->storage, sizeof prov->storage);
        sq_h5_writer_io(s->out, prov->io_write_actual, sizeof prov->io_write_actual,
                        prov->io_write_no_collective_cause,
                        sizeof prov->io_write_no_collective_cause);
        if (s->in != NULL)
            sq_h5_reader_io(s->in, prov->io_read_actual, sizeof prov->io_read_actual,
                            prov->io_read_no_collective_cause,
                            sizeof prov->io_read_no_collective_cause);
    }
    sq_par_bcast(par, prov, sizeof *prov);
    sq_par_bcast(par, &s->summary, sizeof s->summary);
    sq_h5_writer_finish(s->out, &s->summary, prov, &s->session, &job->resume, par->rank, par->size,
                        &s->timers, err);
    s->out = NULL;
    if (par->rank == 0 && err->status == SQ_OK)
        check_space_after(job->partial, err);
    if (sq_par_agree(par, err))
        return err->status;
    if (par->rank == 0 && rename(job->partial, job->output) != 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot rename '%s' to '%s': %s", job->partial, job->output,
                strerror(errno));
    return sq_par_agree(par, err);
}

/* Phase: report, on the console and, when asked, as JSON and a CSV row (rank 0). A failed export
 * leaves the (complete) output in place: the message says which file failed. Not agreed here. */
static void report(const sq_options *opt, const sq_par *par, run_state *s, sq_error *err) {
    double tmin[SQ_NPHASES], tavg[SQ_NPHASES], tmax[SQ_NPHASES];
    sq_par_phase_stats(par, &s->timers, tmin, tavg, tmax);
    const double bytes_moved = SQ_BYTES_MOVED_PER_ELEMENT * (double)s->job.plan.n;
    if (par->rank != 0)
        return;
    char abs_out[PATH_MAX];
    if (realpath(s->job.output, abs_out) == NULL)
        snprintf(abs_out, sizeof abs_out, "%s", s->job.output);
    if (!opt->quiet)
        sq_report_summary(stdout, &s->summary, tmin, tavg, tmax, bytes_moved, abs_out);
    const sq_run_record record = {&s->summary, &s->prov, tmin, tavg, tmax, bytes_moved, abs_out};
    sq_export_write(opt->summary_json, opt->log_csv, &record, err);
}

/* A failed run leaves nothing: not the final name (never written), not the partial file. Rank 0
 * first empties the partial file: closing it writes HDF5's metadata, which on a full disk needs
 * the room the data took, and a close that fails leaves HDF5 a half-closed file that crashes
 * MPI_Finalize. A stopped run keeps its checkpoint; so does a failed resumed run (what its earlier
 * sessions did is still good). Collective. */
static void discard_output(const sq_par *par, run_state *s, const sq_error *err) {
    const sq_job *job = &s->job;
    /* The open file has its temporary name until it was renamed. */
    const char *open_name = s->creating[0] != '\0' ? s->creating : job->partial;
    const int keep = job->resume.resumed; /* the partial holds a checkpoint */
    if (s->out != NULL && !keep) {
        if (par->rank == 0 && sq_safe_truncate(open_name) != 0)
            perror("sqcube: warning: truncating the partial output");
        sq_par_barrier(par);
    }
    sq_h5_writer_abort(s->out);
    s->out = NULL;
    sq_h5_reader_close(s->in);
    s->in = NULL;
    sq_par_barrier(par);
    if (par->rank == 0 && err->status != SQ_STOPPED && !keep) {
        unlink(job->partial);
        if (s->creating[0] != '\0')
            unlink(s->creating);
    }
}

int sq_run_command(const sq_options *opt, const sq_par *par, int argc, char **argv, sq_error *err) {
    static run_state s; /* large (paths, settings): not on the stack */
    memset(&s, 0, sizeof s);
    sq_timers_init(&s.timers);
    int64_t aff_offset = 0, aff_total = 0;

    if (resolve(opt, par, argc, argv, &s, err))
        return err->status;
    if (place(opt, par, &s, &aff_offset, &aff_total, err))
        goto out_free_affinity;
    sq_timer_start(&s.timers, SQ_PHASE_TOTAL);
    if (open_files(opt, par, &s, aff_offset, aff_total, err) || compute(par, &s, err))
        goto out_discard_output;
    if (s.done.stop_signal != 0) {
        checkpoint(par, &s, err);
        goto out_discard_output;
    }
    if (self_check(&s, err) || finish(par, &s, err))
        goto out_discard_output;
    report(opt, par, &s, err);
    sq_h5_reader_close(s.in);
    free(s.affinity);
    return sq_par_agree(par, err);

out_discard_output:
    discard_output(par, &s, err);
out_free_affinity:
    free(s.affinity);
    return err->status;
}
