/*
 * info.c - sqcube info: a human summary of a result file (reductions, provenance, timing), read
 * and printed by rank 0 alone.
 */
#include "info.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5io.h"
#include "plural.h"
#include "record.h"
#include "report.h"

static void print_provenance(const sq_provenance *p) {
    printf("provenance\n");
    if (strcmp(p->input_kind, "file") == 0)
        printf("  input            %s:%s (%s, shape %s)\n", p->input_file, p->input_dataset,
               p->input_datatype, p->input_shape);
    else
        printf("  input            generate %s\n", p->generator);
    printf("  run              %lld rank%s x %lld thread%s on %s; chunk %lld (%lld chunk%s), "
           "%s schedule\n",
           (long long)p->ranks, sq_s(p->ranks), (long long)p->threads_per_rank,
           sq_s(p->threads_per_rank), p->hosts, (long long)p->chunk, (long long)p->nchunks,
           sq_s(p->nchunks), p->schedule);
    printf("  time (UTC)       %s .. %s\n", p->start_time_utc, p->end_time_utc);
    printf("  command          %s\n", p->command_line);
    printf("  sqcube           %s (git %s), %s, %s build, flags %s\n", p->sqcube_version,
           p->git_commit, p->compiler, p->build_type, p->c_flags);
    printf("  libraries        HDF5 %s; %s; %s\n", p->hdf5_version, p->mpi_library,
           p->mpi_thread_level);
    printf("  summation        %s\n", p->summation);
}

/* One line of the file's history (/provenance/runs): a session, what it did and how it ended. */
static void print_session(const sq_h5_session *rec, void *ctx) {
    (void)ctx;
    if (rec->ranks == 0 && rec->start_time_utc[0] == '\0') { /* killed: no line of its own */
        printf("  session %-8lld %s: %lld chunk%s (%lld element%s) taken over by later runs\n",
               (long long)rec->session, rec->status, (long long)rec->chunks_done,
               sq_s(rec->chunks_done), (long long)rec->elements_done, sq_s(rec->elements_done));
        return;
    }
    printf("  session %-8lld %s: %lld chunk%s (%lld element%s) on %lld rank%s x %lld thread%s, "
           "%s .. %s\n",
           (long long)rec->session, rec->status, (long long)rec->chunks_done,
           sq_s(rec->chunks_done), (long long)rec->elements_done, sq_s(rec->elements_done),
           (long long)rec->ranks, sq_s(rec->ranks), (long long)rec->threads_per_rank,
           sq_s(rec->threads_per_rank), rec->start_time_utc, rec->end_time_utc);
}

/* Per phase, min, avg and max over the ranks' rows of /timing. */
static void print_timing(const char *path, sq_h5_result *res, int64_t rows, sq_error *err) {
    double *t = rows > 0 ? malloc((size_t)rows * SQ_NPHASES * sizeof *t) : NULL;
    if (rows > 0 && t == NULL) {
        sq_fail(err, SQ_ERR_RUNTIME, "out of memory reading /timing of '%s'", path);
    } else if (rows > 0 && sq_h5_result_timing(res, t, err) == SQ_OK) {
        printf("timing (s)         min        avg        max   over %lld rank%s\n", (long long)rows,
               sq_s(rows));
        for (int ph = 0; ph < SQ_NPHASES; ++ph) {
            double mn = INFINITY, mx = -INFINITY, sum = 0;
            for (int64_t r = 0; r < rows; ++r) {
                const double v = t[r * SQ_NPHASES + ph];
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                sum += v;
            }
            printf("  %-12s %10.4f %10.4f %10.4f\n", sq_phase_name((enum sq_phase)ph), mn,
                   sum / (double)rows, mx);
        }
    }
    free(t);
}

/* Rank 0 alone: opens the file (this process alone) and prints the summary. */
static void print_info(const char *path, sq_error *err) {
    sq_result_meta meta;
    sq_h5_result *res = NULL;
    if (sq_h5_result_open(NULL, path, &res, &meta, err) != SQ_OK)
        return;
    const sq_summary *s = &meta.summary;
    printf("%s: sqcube result, format version %lld, %s\n", path, (long long)meta.format_version,
           meta.complete ? "complete" : "PARTIAL (the run did not finish)");
    char shape[SQ_SHAPE_TEXT_MAX];
    sq_shape_format(&meta.shape, shape, sizeof shape);
    printf("  /square, /cube   shape %s (%lld element%s), %s (input %s)\n", shape,
           (long long)meta.n, sq_s(meta.n), sq_dtype_name((sq_dtype)s->output_type),
           sq_dtype_name((sq_dtype)s->input_type));
    printf("reductions\n");
    sq_report_reductions(stdout, s);
    if (s->has_closed_form)
        printf("  closed forms     %s, %s, %s (self-checked by the run)\n", s->closed_form[0],
               s->closed_form[1], s->closed_form[2]);
    print_provenance(&meta.prov);
    printf("history (/provenance/runs: 1 session unless resumed)\n");
    if (sq_h5_result_runs(res, print_session, NULL, err) != SQ_OK) {
        sq_h5_result_close(res);
        return;
    }
    print_timing(path, res, meta.timing_rows, err);
    sq_h5_result_close(res);
}

int sq_info(const sq_options *opt, const sq_par *par, sq_error *err) {
    if (par->rank == 0)
        print_info(opt->output, err);
    return sq_par_agree(par, err);
}
