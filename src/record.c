/*
 * record.c - turning merged reductions into the root attributes; timestamps.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
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

typedef struct name_ref {
    const char *name;
    int first; /* the index of its first appearance */
} name_ref;

static int by_name_then_index(const void *a, const void *b) {
    const name_ref *x = a, *y = b;
    const int c = strcmp(x->name, y->name);
    return c ? c : (x->first > y->first) - (x->first < y->first);
}

static int by_index(const void *a, const void *b) {
    const name_ref *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

int sq_distinct_names(const char *names, int count, size_t stride, char *buf, size_t len) {
    buf[0] = '\0';
    name_ref *refs = malloc(sizeof *refs * (size_t)(count > 0 ? count : 1));
    if (refs == NULL)
        return -1;
    for (int r = 0; r < count; ++r)
        refs[r] = (name_ref){names + (size_t)r * stride, r};
    /* Sort by name (then index), keep the first of each run of equal names, back to index order. */
    qsort(refs, (size_t)count, sizeof *refs, by_name_then_index);
    int m = 0;
    for (int r = 0; r < count; ++r)
        if (m == 0 || strcmp(refs[r].name, refs[m - 1].name) != 0)
            refs[m++] = refs[r];
    qsort(refs, (size_t)m, sizeof *refs, by_index);
    size_t used = 0;
    for (int i = 0; i < m; ++i) {
        const char *h = refs[i].name;
        const size_t need = strlen(h) + (used ? 2 : 0);
        if (used + need + 5 >= len) {
            snprintf(buf + used, len - used, ", ...");
            break;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", h);
    }
    free(refs);
    return m;
}
