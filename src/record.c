/*
 * record.c - turning merged reductions into the root attributes; timestamps.
 */
#include "record.h"

#include <string.h>
#include <time.h>

void sq_summary_from_stats(sq_summary *sum, const sq_stats *st, sq_dtype output_type) {
    memset(sum, 0, sizeof *sum);
    sum->count = st->count;
    sum->nonfinite = st->nonfinite;
    sum->input_type = st->type;
    sum->output_type = output_type;
    for (int k = 0; k < SQ_NSUMS; ++k)
        sum->sum[k] = sq_stats_sum(st, (enum sq_sum)k);
    sum->has_exact = st->type == SQ_DTYPE_INT64;
    if (sum->has_exact)
        for (int k = 0; k < SQ_NSUMS; ++k)
            sq_i256_to_decimal(&st->isum[k], sum->exact[k], sizeof sum->exact[k]);
    sum->has_minmax = st->has_minmax;
    sum->imin = st->imin;
    sum->imax = st->imax;
    /* Through the accessors: they apply the signed-zero rule. */
    sum->fmin = st->type == SQ_DTYPE_FLOAT64 ? sq_stats_min(st) : st->fmin;
    sum->fmax = st->type == SQ_DTYPE_FLOAT64 ? sq_stats_max(st) : st->fmax;
}

void sq_utc_now(char *buf, size_t len) {
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
