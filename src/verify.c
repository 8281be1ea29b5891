/*
 * verify.c - sqcube verify: an independent re-computation of a result file from its source.
 *
 * Steps: open the result, find its source (the recorded input file or generator, or --input),
 * recompute and compare every element, then every reduction, and print the verdict, which sets
 * the exit status. The checks use plain scalar loops and per-element accumulation, deliberately
 * not the blocked OpenMP kernels, so that a fault in the kernels cannot hide itself.
 */
#include "verify.h"

#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "h5io.h"
#include "plan.h"
#include "plural.h"
#include "record.h"

/* The first element that differs on this rank. */
typedef struct mismatch {
    int64_t index; /* INT64_MAX: none */
    char what[256];
} mismatch;

static int same_double(double a, double b) {
    return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0;
}

/* One thread's share of the checks. */
typedef struct check_acc {
    sq_stats st;    /* recomputed reductions */
    int64_t bad;    /* elements that differ */
    mismatch first; /* the first of them */
} check_acc;

/* x^3 exactly, as a 256-bit integer (int128 arithmetic where it fits). */
static void exact_cube(int64_t x, sq_i256 *c) {
    sq_i256_zero(c);
    if (x >= -(INT64_C(1) << 42) && x <= (INT64_C(1) << 42))
        sq_i256_add_i128(c, (__int128)x * x * x);
    else
        sq_i256_add_product3(c, x, x, x);
}

static void check_element(sq_dtype in_type, sq_dtype out_type, int64_t g, const void *xv,
                          const void *sqv, const void *cuv, int64_t i, check_acc *a) {
    int ok;
    char expected[160] = "";
    sq_stats *st = &a->st;
    ++st->count;
    if (in_type == SQ_DTYPE_FLOAT64) {
        const double x = ((const double *)xv)[i];
        const double q = x * x, c = q * x;
        const double sq = ((const double *)sqv)[i], cu = ((const double *)cuv)[i];
        ok = same_double(q, sq) && same_double(c, cu);
        if (!ok)
            snprintf(expected, sizeof expected,
                     "x = %.17g: expected %.17g, %.17g, found %.17g, %.17g", x, q, c, sq, cu);
        if (!isfinite(x)) {
            ++st->nonfinite;
            st->nan += x != x;
        }
        if (x == x) {
            st->fmin = st->has_minmax && st->fmin <= x ? st->fmin : x;
            st->fmax = st->has_minmax && st->fmax >= x ? st->fmax : x;
            st->has_minmax = 1;
        }
        if (x == 0.0) {
            st->negzero += signbit(x) != 0;
            st->poszero += signbit(x) == 0;
        }
        /* Term by term into the exact accumulator: not the kernel's blocked path. */
        const double terms[SQ_NSUMS] = {x, sq, cu};
        for (int k = 0; k < SQ_NSUMS; ++k)
            sq_xacc_add(&st->fsum[k], terms[k]);
    } else {
        const int64_t x = ((const int64_t *)xv)[i];
        const __int128 q = (__int128)x * x; /* < 2^126: exact */
        sq_i256 c;
        exact_cube(x, &c);
        if (out_type == SQ_DTYPE_INT64) {
            const int64_t sq = ((const int64_t *)sqv)[i], cu = ((const int64_t *)cuv)[i];
            sq_i256 cu_w;
            sq_i256_zero(&cu_w);
            sq_i256_add_i128(&cu_w, cu);
            ok = q == sq && sq_i256_cmp(&c, &cu_w) == 0;
            if (!ok)
                snprintf(expected, sizeof expected,
                         "x = %" PRId64 ": expected exact x^2, x^3, found %" PRId64 ", %" PRId64, x,
                         sq, cu);
        } else {
            sq_i256 q_w;
            sq_i256_zero(&q_w);
            sq_i256_add_i128(&q_w, q);
            const double eq = sq_i256_to_double(&q_w), ec = sq_i256_to_double(&c);
            const double sq = ((const double *)sqv)[i], cu = ((const double *)cuv)[i];
            ok = same_double(eq, sq) && same_double(ec, cu);
            if (!ok)
                snprintf(expected, sizeof expected,
                         "x = %" PRId64 ": expected %.17g, %.17g, found %.17g, %.17g", x, eq, ec,
                         sq, cu);
        }
        st->imin = st->has_minmax && st->imin <= x ? st->imin : x;
        st->imax = st->has_minmax && st->imax >= x ? st->imax : x;
        st->has_minmax = 1;
        sq_i256_add_i128(&st->isum[SQ_SUM_X], x);
        sq_i256_add_i128(&st->isum[SQ_SUM_SQ], q);
        sq_i256_add(&st->isum[SQ_SUM_CUBE], &c);
    }
    if (!ok) {
        if (a->bad == 0) {
            a->first.index = g;
            snprintf(a->first.what, sizeof a->first.what, "%s", expected);
        }
        ++a->bad;
    }
}

/* Recomputes elements [offset, offset + count) on the OpenMP threads, one element at a time, and
 * folds them into *acc (thread records merged in thread order). */
static void check_chunk(sq_dtype in_type, sq_dtype out_type, int64_t offset, int64_t count,
                        const void *xv, const void *sqv, const void *cuv, check_acc *acc) {
#pragma omp parallel
    {
        check_acc mine;
        memset(&mine, 0, sizeof mine);
        sq_stats_init(&mine.st, in_type);
        mine.first.index = INT64_MAX;
#pragma omp for schedule(static)
        for (int64_t i = 0; i < count; ++i)
            check_element(in_type, out_type, offset + i, xv, sqv, cuv, i, &mine);
        const int nt = omp_get_num_threads();
#pragma omp for ordered schedule(static, 1)
        for (int t = 0; t < nt; ++t) {
#pragma omp ordered
            {
                sq_stats_merge(&acc->st, &mine.st);
                if (mine.bad > 0 && acc->bad == 0)
                    acc->first = mine.first;
                acc->bad += mine.bad;
            }
        }
    }
}

/* What verify holds between its steps. */
typedef struct verify_state {
    const char *path;    /* the result file */
    sq_result_meta meta; /* its metadata */
    sq_h5_result *res;   /* the open result */
    sq_h5_reader *in;    /* the input, when it is a file */
    sq_gen_spec gen;     /* the generator, when generated */
    int generated;       /* 1: the source is gen */
    char file[SQ_PATH_MAX], dataset[SQ_DSET_MAX];
    char source_text[SQ_PATH_MAX + SQ_DSET_MAX + 16]; /* the source, for messages */
    void *x, *sq, *cu;                                /* one chunk of input, squares and cubes */
    check_acc acc;                                    /* this rank's recomputation */
} verify_state;

/* Opens the result on every rank; it must be complete. Collective. */
static int open_result(const sq_par *par, verify_state *v, sq_error *err) {
    sq_h5_result_open(par, v->path, &v->res, &v->meta, err);
    if (sq_par_agree(par, err))
        return err->status;
    if (!v->meta.complete)
        return sq_fail(
            err, SQ_ERR_RUNTIME,
            "'%s' is a partial file (no 'complete' attribute): the run that wrote it did "
            "not finish; rerun it",
            v->path);
    return SQ_OK;
}

/* Rank 0: the input file must hold as many elements, of a type and shape, as the result says. */
static void check_input_matches(verify_state *v, sq_dtype in_type, sq_error *err) {
    sq_input_info info;
    char have[256], want[256];
    sq_shape_format(&v->meta.shape, want, sizeof want);
    /* Integer input computed as float64 is uint64 read for float64 output. */
    if (sq_h5_probe_input(v->file, v->dataset, &info, err) == SQ_OK &&
        (info.n != v->meta.n || (info.type == SQ_DTYPE_FLOAT64 && in_type == SQ_DTYPE_INT64)))
        sq_fail(err, SQ_ERR_MISMATCH,
                "input %s has %lld %s elements, but '%s' holds %lld computed from %s",
                v->source_text, (long long)info.n, sq_dtype_name(info.type), v->path,
                (long long)v->meta.n, sq_dtype_name(in_type));
    sq_shape_format(&info.shape, have, sizeof have);
    if (err->status == SQ_OK && strcmp(have, want) != 0)
        sq_fail(err, SQ_ERR_MISMATCH, "input %s has shape %s, but '%s' has shape %s",
                v->source_text, have, v->path, want);
    if (err->status == SQ_ERR_RUNTIME)
        snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                 " (verify reads the input recorded in the result; if it moved, pass "
                 "--input FILE[:/DATASET])");
}

/* The source: --input overrides the recorded file; else the recorded file or generator. A file
 * is checked against the result and opened on every rank. Collective. */
static int find_source(const sq_options *opt, const sq_par *par, verify_state *v, sq_error *err) {
    const sq_result_meta *meta = &v->meta;
    const sq_dtype in_type = (sq_dtype)meta->summary.input_type;
    if (opt->source == SQ_SOURCE_FILE) {
        snprintf(v->file, sizeof v->file, "%s", opt->input_file);
        snprintf(v->dataset, sizeof v->dataset, "%s",
                 opt->input_dataset[0] ? opt->input_dataset : meta->prov.input_dataset);
    } else if (strcmp(meta->prov.input_kind, "generate") == 0) {
        v->generated = 1;
        if (sq_parse_gen_spec(meta->prov.generator, &v->gen, err))
            return sq_fail(err, SQ_ERR_RUNTIME, "'%s' records an unreadable generator '%s'",
                           v->path, meta->prov.generator);
    } else {
        snprintf(v->file, sizeof v->file, "%s", meta->prov.input_file);
        snprintf(v->dataset, sizeof v->dataset, "%s", meta->prov.input_dataset);
    }
    if (v->generated) {
        snprintf(v->source_text, sizeof v->source_text, "generated %s", meta->prov.generator);
        if (v->gen.n != meta->n || sq_gen_dtype(&v->gen) != in_type)
            sq_fail(err, SQ_ERR_MISMATCH, "'%s': the generator %s does not give %lld %s elements",
                    v->path, meta->prov.generator, (long long)meta->n, sq_dtype_name(in_type));
    } else {
        snprintf(v->source_text, sizeof v->source_text, "%s:%s", v->file, v->dataset);
        if (par->rank == 0)
            check_input_matches(v, in_type, err);
        if (sq_par_agree(par, err) == SQ_OK)
            sq_h5_reader_open(par, "", v->file, v->dataset,
                              in_type == SQ_DTYPE_INT64 ? SQ_READ_INT64 : SQ_READ_FLOAT64,
                              SQ_IO_COLLECTIVE,
                              meta->n < SQ_DEFAULT_CHUNK ? meta->n : SQ_DEFAULT_CHUNK, &v->in, err);
    }
    return sq_par_agree(par, err);
}

/* Every element, chunk by chunk, on every rank, into v->acc; the first difference over all ranks
 * fails. Collective. */
static int check_elements(const sq_par *par, verify_state *v, sq_error *err) {
    const sq_summary *s = &v->meta.summary;
    const sq_dtype in_type = (sq_dtype)s->input_type, out_type = (sq_dtype)s->output_type;
    sq_plan plan;
    sq_plan_init(&plan, v->meta.n, SQ_DEFAULT_CHUNK, par->size);
    const int64_t bufn = sq_plan_buffer_elements(&plan) > 0 ? sq_plan_buffer_elements(&plan) : 1;
    v->x = malloc((size_t)bufn * 8);
    v->sq = malloc((size_t)bufn * 8);
    v->cu = malloc((size_t)bufn * 8);
    if (v->x == NULL || v->sq == NULL || v->cu == NULL)
        sq_fail(err, SQ_ERR_RUNTIME, "out of memory for verify buffers on rank %d", par->rank);
    if (sq_par_agree(par, err))
        return err->status;
    check_acc *acc = &v->acc;
    memset(acc, 0, sizeof *acc);
    sq_stats_init(&acc->st, in_type);
    acc->first.index = INT64_MAX;
    for (int64_t round = 0; round < plan.max_rounds; ++round) {
        const sq_range e =
            sq_plan_chunk_elements(&plan, sq_plan_chunk_in_round(&plan, par->rank, round));
        const int64_t count = e.end - e.begin;
        if (v->generated) {
            if (count > 0)
                sq_generate(&v->gen, e.begin, count, v->x);
        } else {
            sq_h5_reader_read(v->in, e.begin, count, v->x, err);
        }
        sq_h5_result_read(v->res, e.begin, count, sq_plan_buffer_elements(&plan), v->sq, v->cu,
                          err);
        if (sq_par_agree(par, err))
            return err->status;
        check_chunk(in_type, out_type, e.begin, count, v->x, v->sq, v->cu, acc);
    }
    const int64_t total_bad = sq_par_sum_i64(par, acc->bad);
    const int64_t first_bad = sq_par_min_i64(par, acc->first.index);
    if (total_bad > 0 && acc->first.index == first_bad)
        sq_fail(err, SQ_ERR_MISMATCH,
                "'%s': %lld of %lld elements differ; the first is element %lld (rank %d): %s",
                v->path, (long long)total_bad, (long long)v->meta.n, (long long)first_bad,
                par->rank, acc->first.what);
    return sq_par_agree(par, err);
}

/* The first recorded reduction that differs from the recomputed ones (want, st), in words into
 * detail ("" when all match). */
static void reduction_difference(const sq_summary *s, const sq_summary *want, const sq_stats *st,
                                 char *detail, size_t len) {
    const sq_dtype in_type = (sq_dtype)s->input_type;
    if (want->count != s->count)
        snprintf(detail, len, "count is %lld, recomputed %lld", (long long)s->count,
                 (long long)want->count);
    else if (want->nonfinite != s->nonfinite)
        snprintf(detail, len, "nonfinite_count is %lld, recomputed %lld", (long long)s->nonfinite,
                 (long long)want->nonfinite);
    else if (want->has_minmax != s->has_minmax ||
             (want->has_minmax &&
              (in_type == SQ_DTYPE_INT64
                   ? (want->imin != s->imin || want->imax != s->imax)
                   : (!same_double(want->fmin, s->fmin) || !same_double(want->fmax, s->fmax)))))
        snprintf(detail, len, "min/max are %.17g/%.17g, recomputed %.17g/%.17g", s->fmin, s->fmax,
                 sq_stats_min(st), sq_stats_max(st));
    for (int k = 0; k < SQ_NSUMS && !detail[0]; ++k) {
        if (in_type == SQ_DTYPE_INT64) {
            if (!s->has_exact || strcmp(want->exact[k], s->exact[k]) != 0 ||
                !same_double(want->sum[k], s->sum[k]))
                snprintf(detail, len, "%s is %s (%.17g), recomputed exactly %s", sq_sum_name(k),
                         s->has_exact ? s->exact[k] : "missing", s->sum[k], want->exact[k]);
        } else if (!same_double(s->sum[k], want->sum[k])) {
            snprintf(detail, len, "%s is %.17g, recomputed %.17g", sq_sum_name(k), s->sum[k],
                     want->sum[k]);
        }
    }
}

/* range:N: the recomputed exact sums against the closed forms, and the closed forms against the
 * file's attributes sum_closed_form, ... (a difference into detail). */
static void closed_form_difference(const sq_gen_spec *gen, const sq_summary *s,
                                   const sq_summary *want, const sq_stats *st, char *detail,
                                   size_t len) {
    sq_i256 forms[SQ_NSUMS];
    sq_range_closed_forms(gen->n, forms);
    for (int k = 0; k < SQ_NSUMS && !detail[0]; ++k) {
        char want_text[SQ_I256_DECIMAL_MAX];
        sq_i256_to_decimal(&forms[k], want_text, sizeof want_text);
        if (sq_i256_cmp(&forms[k], &st->isum[k]) != 0)
            snprintf(detail, len, "%s is %s, but the closed form gives %s", sq_sum_name(k),
                     want->exact[k], want_text);
        else if (!s->has_closed_form)
            snprintf(detail, len, "%s_closed_form is missing; a range:N result records %s",
                     sq_sum_name(k), want_text);
        else if (strcmp(s->closed_form[k], want_text) != 0)
            snprintf(detail, len, "%s_closed_form is '%s', but the closed form gives %s",
                     sq_sum_name(k), s->closed_form[k], want_text);
    }
}

static void print_verified(const sq_par *par, const verify_state *v, int closed) {
    const sq_summary *s = &v->meta.summary;
    const sq_dtype in_type = (sq_dtype)s->input_type, out_type = (sq_dtype)s->output_type;
    printf("verify %s: %lld element%s from %s, %s -> %s, checked on %d rank%s\n", v->path,
           (long long)v->meta.n, sq_s(v->meta.n), v->source_text, sq_dtype_name(in_type),
           sq_dtype_name(out_type), par->size, sq_s(par->size));
    printf("  /square, /cube        every element recomputed: all match\n");
    printf("  count, nonfinite_count, min, max: match\n");
    if (in_type == SQ_DTYPE_INT64)
        printf("  sum, sum_sq, sum_cube exact integer sums match; float64 attributes are "
               "their correct rounding\n");
    else
        printf("  sum, sum_sq, sum_cube exact sums rounded once: identical to the recorded "
               "ones, bit for bit\n");
    if (closed)
        printf("  closed forms N(N+1)/2, N(N+1)(2N+1)/6, (N(N+1)/2)^2: match the sums and the "
               "*_closed_form attributes\n");
}

/* Every reduction: the rank level of our own recomputation, then compare on rank 0, which prints
 * what was checked. Collective; returns the agreed status. */
static int compare_reductions(const sq_options *opt, const sq_par *par, verify_state *v,
                              sq_error *err) {
    sq_stats st = v->acc.st;
    sq_par_reduce_stats(par, &st);
    if (par->rank == 0) {
        const sq_summary *s = &v->meta.summary;
        sq_summary want;
        sq_summary_from_stats(&want, &st, (sq_dtype)s->output_type);
        char detail[512] = "";
        if (want.count != v->meta.n) /* the file's datasets disagree with its count */
            snprintf(detail, sizeof detail, "count is %lld, recomputed %lld", (long long)s->count,
                     (long long)want.count);
        else
            reduction_difference(s, &want, &st, detail, sizeof detail);
        const int closed = !detail[0] && v->generated && v->gen.kind == SQ_GEN_RANGE;
        if (closed)
            closed_form_difference(&v->gen, s, &want, &st, detail, sizeof detail);
        if (detail[0])
            sq_fail(err, SQ_ERR_MISMATCH, "'%s': %s", v->path, detail);
        else if (!opt->quiet)
            print_verified(par, v, closed);
    }
    return sq_par_agree(par, err);
}

int sq_verify(const sq_options *opt, const sq_par *par, sq_error *err) {
    static verify_state v; /* large (metadata, paths): not on the stack */
    memset(&v, 0, sizeof v);
    v.path = opt->output;

    if (open_result(par, &v, err) || find_source(opt, par, &v, err) ||
        check_elements(par, &v, err) || compare_reductions(opt, par, &v, err))
        goto out_close;
    if (par->rank == 0)
        printf("verify: OK\n");

out_close:
    free(v.cu);
    free(v.sq);
    free(v.x);
    sq_h5_reader_close(v.in);
    sq_h5_result_close(v.res);
    if (err->status == SQ_ERR_MISMATCH && par->rank == 0)
        printf("verify: FAILED\n");
    return err->status;
}
