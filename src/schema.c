/*
 * schema.c - SQ_REDUCTION_FIELDS as data, and the size of an output. See schema.h.
 */
#include "schema.h"

#include <math.h>
#include <stdio.h>

#include "record.h"

#define FIELD_I64(name, member, what) {#name, SQ_FIELD_I64, 0, offsetof(sq_summary, member), what},
#define FIELD_SUM(name, k, what) {#name, SQ_FIELD_SUM, k, 0, what},
#define FIELD_MINMAX(name, k, what) {#name, SQ_FIELD_MINMAX, k, 0, what},
#define FIELD(name, kind, where, what) FIELD_##kind(name, where, what)
const sq_field sq_reduction_fields[] = {SQ_REDUCTION_FIELDS(FIELD)};
#undef FIELD
const int sq_nreduction_fields = (int)(sizeof sq_reduction_fields / sizeof sq_reduction_fields[0]);

#define SUM_NAME_I64(name, where)
#define SUM_NAME_MINMAX(name, where)
#define SUM_NAME_SUM(name, k) [k] = #name,
#define SUM_NAME(name, kind, where, what) SUM_NAME_##kind(name, where)
static const char *const sum_names[SQ_NSUMS] = {SQ_REDUCTION_FIELDS(SUM_NAME)};
#undef SUM_NAME

const char *sq_sum_name(int k) {
    return k >= 0 && k < SQ_NSUMS && sum_names[k] != NULL ? sum_names[k] : "?";
}

int64_t sq_field_i64(const sq_summary *s, const sq_field *f) {
    return *(const int64_t *)(const void *)((const char *)s + f->offset);
}

int64_t *sq_field_i64_ptr(sq_summary *s, const sq_field *f) {
    return (int64_t *)(void *)((char *)s + f->offset);
}

int64_t *sq_field_imm_ptr(sq_summary *s, const sq_field *f) {
    return f->index == 0 ? &s->imin : &s->imax;
}

double *sq_field_fmm_ptr(sq_summary *s, const sq_field *f) {
    return f->index == 0 ? &s->fmin : &s->fmax;
}

int sq_summary_minmax_is_int(const sq_summary *s) {
    return s->has_minmax && s->input_type == SQ_DTYPE_INT64;
}

double sq_field_minmax_f64(const sq_summary *s, const sq_field *f) {
    if (!s->has_minmax)
        return (double)NAN;
    return f->index == 0 ? s->fmin : s->fmax;
}

int64_t sq_field_minmax_i64(const sq_summary *s, const sq_field *f) {
    return f->index == 0 ? s->imin : s->imax;
}

void sq_field_key(const sq_field *f, const char *suffix, char *buf, size_t len) {
    snprintf(buf, len, "%s%s", f->name, suffix);
}

double sq_output_data_bytes(int64_t n) {
    return (double)SQ_OUTPUT_BYTES_PER_ELEMENT * (double)n;
}

int64_t sq_output_bytes(int64_t n, int64_t nchunks) {
    return SQ_OUTPUT_BYTES_PER_ELEMENT * n + 4 * nchunks + (INT64_C(1) << 20);
}
