/*
 * report.c - the console echo and summary printed by rank 0.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "plural.h"

void sq_report_settings(FILE *out, const sq_provenance *prov, const sq_plan *plan,
                        const char *input_text, sq_dtype in_type, sq_dtype out_type,
                        const char *output) {
    const int64_t last = plan->nchunks ? plan->n - (plan->nchunks - 1) * plan->chunk : 0;
    fprintf(out, "sqcube %s (%s): %lld rank%s x %lld thread%s on %s, %s\n", prov->sqcube_version,
            prov->git_commit, (long long)prov->ranks, sq_s(prov->ranks),
            (long long)prov->threads_per_rank, sq_s(prov->threads_per_rank), prov->hosts,
            prov->mpi_thread_level);
    fprintf(out, "  input     %s (%s, %" PRId64 " element%s)\n", input_text, sq_dtype_name(in_type),
            plan->n, sq_s(plan->n));
    fprintf(out, "  output    %s (%s /square and /cube)\n", output, sq_dtype_name(out_type));
    if (strcmp(prov->schedule, "dynamic") == 0)
        fprintf(out,
                "  chunks    %" PRId64 " of %" PRId64 " element%s (last %" PRId64 "), dynamic "
                "schedule: taken from a shared counter\n",
                plan->nchunks, plan->chunk, sq_s(plan->chunk), last);
    else
        fprintf(out,
                "  chunks    %" PRId64 " of %" PRId64 " element%s (last %" PRId64 "), static "
                "schedule, at most %" PRId64 " per rank\n",
                plan->nchunks, plan->chunk, sq_s(plan->chunk), last, plan->max_rounds);
    fflush(out);
}

/* min and max on one line (printed at the min field of SQ_REDUCTION_FIELDS). */
static void report_minmax(FILE *out, const sq_summary *s) {
    if (!s->has_minmax)
        fprintf(out, "  min, max         nan, nan (no element is a number)\n");
    else if (s->input_type == SQ_DTYPE_INT64)
        fprintf(out, "  min, max         %" PRId64 ", %" PRId64 "\n", s->imin, s->imax);
    else
        fprintf(out, "  min, max         %.17g, %.17g\n", s->fmin, s->fmax);
}

void sq_report_reductions(FILE *out, const sq_summary *s) {
    for (int i = 0; i < sq_nreduction_fields; ++i) {
        const sq_field *f = &sq_reduction_fields[i];
        if (f->kind == SQ_FIELD_I64)
            fprintf(out, "  %-16s %" PRId64 "\n", f->name, sq_field_i64(s, f));
        else if (f->kind == SQ_FIELD_SUM && s->has_exact)
            fprintf(out, "  %-16s %.17g (exact %s)\n", f->name, s->sum[f->index],
                    s->exact[f->index]);
        else if (f->kind == SQ_FIELD_SUM)
            fprintf(out, "  %-16s %.17g\n", f->name, s->sum[f->index]);
        else if (f->index == 0)
            report_minmax(out, s);
    }
}

void sq_report_summary(FILE *out, const sq_summary *s, const double min[SQ_NPHASES],
                       const double avg[SQ_NPHASES], const double max[SQ_NPHASES],
                       double bytes_moved, const char *output_abs) {
    fprintf(out, "results\n");
    sq_report_reductions(out, s);
    fprintf(out, "time per phase over ranks (s)      min        avg        max\n");
    for (int p = 0; p < SQ_NPHASES; ++p)
        fprintf(out, "  %-30s %10.4f %10.4f %10.4f\n", sq_phase_name((enum sq_phase)p), min[p],
                avg[p], max[p]);
    const double t = max[SQ_PHASE_TOTAL];
    fprintf(out,
            "bandwidth  %.3f GB/s effective (%.3f GB read + written in %.4f s, slowest rank)\n",
            t > 0 ? bytes_moved / t / 1e9 : 0.0, bytes_moved / 1e9, t);
    fprintf(out, "output     %s\n", output_abs);
    fflush(out);
}
