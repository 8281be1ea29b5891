/*
 * parse.c - the value parsers of the command line: element counts with suffixes, FILE:/DATASET,
 * generator specs and finite numbers. Each takes text, returns 0 or SQ_ERR_USAGE with one line
 * naming the option and the value; the fuzzers (tests/fuzz) drive them. Pure.
 */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int sq_parse_count(const char *text, const char *what, int64_t *out, sq_error *err) {
    return sq_parse_count_min(text, what, 0, out, err);
}

int sq_parse_count_min(const char *text, const char *what, int64_t min, int64_t *out,
                       sq_error *err) {
    const char *p = text;
    uint64_t mant = 0;   /* all digits, before and after the point */
    int frac_digits = 0; /* digits after the point */
    int ndigits = 0, overflow = 0;
    int seen_point = 0;
    for (;; ++p) {
        if (*p >= '0' && *p <= '9') {
            if (__builtin_mul_overflow(mant, 10u, &mant) ||
                __builtin_add_overflow(mant, (uint64_t)(*p - '0'), &mant))
                overflow = 1;
            ++ndigits;
            frac_digits += seen_point;
        } else if (*p == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (ndigits == 0)
        goto not_a_count;
    long exp10 = -frac_digits;
    uint64_t scale = 1;
    if (*p == 'e' || *p == 'E') {
        ++p;
        const int negative = *p == '-';
        if (*p == '+' || *p == '-')
            ++p;
        if (*p < '0' || *p > '9')
            goto not_a_count;
        long e = 0;
        for (; *p >= '0' && *p <= '9'; ++p)
            e = e < 100000 ? e * 10 + (*p - '0') : e;
        exp10 += negative ? -e : e;
    } else if (*p != '\0') {
        static const char suffixes[] = "KMGT";
        const char *s = strchr(suffixes, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        if (s == NULL) /* *p is not NUL here, so strchr matched a suffix or nothing */
            goto not_a_count;
        scale = UINT64_C(1) << (10 * (s - suffixes + 1));
        ++p;
        if (*p == 'i')
            ++p;
    }
    if (*p != '\0')
        goto not_a_count;
    /* value = mant * 10^exp10 * scale, which must be a whole number no larger than 2^62. */
    for (; exp10 < 0; ++exp10) {
        if (mant % 10 != 0)
            return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not a whole number of elements", what,
                           text);
        mant /= 10;
    }
    for (; exp10 > 0 && mant != 0; --exp10)
        if (__builtin_mul_overflow(mant, 10u, &mant))
            overflow = 1;
    if (overflow || __builtin_mul_overflow(mant, scale, &mant) || mant > (uint64_t)SQ_MAX_COUNT)
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is too large (the limit is 2^62 = %lld)", what,
                       text, (long long)SQ_MAX_COUNT);
    if ((int64_t)mant < min)
        return sq_fail(err, SQ_ERR_USAGE,
                       "%s: '%s' is less than %lld; give a count of %lld or more", what, text,
                       (long long)min, (long long)min);
    *out = (int64_t)mant;
    return SQ_OK;
not_a_count:
    if (text[0] == '-')
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is negative; give a count of %lld or more",
                       what, text, (long long)min);
    return sq_fail(err, SQ_ERR_USAGE,
                   "%s: '%s' is not a count; write e.g. 1000000, 1e6, 2.5e6 or 1M (M = 2^20)", what,
                   text);
}

int sq_parse_input_spec(const char *text, char *file, size_t file_len, char *dataset,
                        size_t dataset_len, sq_error *err) {
    const char *sep = strstr(text, ":/");
    const size_t flen = sep ? (size_t)(sep - text) : strlen(text);
    if (flen == 0)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--input: '%s' has no file name; write FILE or FILE:/DATASET", text);
    if (flen >= file_len || (sep && strlen(sep + 1) >= dataset_len))
        return sq_fail(err, SQ_ERR_USAGE, "--input: '%.64s...' is too long", text);
    memcpy(file, text, flen);
    file[flen] = '\0';
    snprintf(dataset, dataset_len, "%s", sep ? sep + 1 : "");
    return SQ_OK;
}

int sq_parse_double(const char *text, const char *what, double *out, sq_error *err) {
    char *end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    /* ERANGE also flags subnormal results, which are fine; only infinities are refused. */
    if (end == text || *end != '\0' || !isfinite(v))
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not a finite number", what, text);
    *out = v;
    return SQ_OK;
}

static int parse_u64(const char *text, const char *what, uint64_t *out, sq_error *err) {
    char *end = NULL;
    errno = 0;
    const unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || text[0] == '-' || text[0] == '+')
        return sq_fail(err, SQ_ERR_USAGE, "%s: '%s' is not an integer from 0 to 2^64-1", what,
                       text);
    *out = v;
    return SQ_OK;
}

int sq_parse_gen_spec(const char *text, sq_gen_spec *spec, sq_error *err) {
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return sq_fail(err, SQ_ERR_USAGE, "--generate: '%.64s...' is too long", text);
    snprintf(buf, sizeof buf, "%s", text);
    memset(spec, 0, sizeof *spec);
    const size_t len = strlen(text);
    if (len == 0 || text[0] == ':' || text[len - 1] == ':' || strstr(text, "::") != NULL)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: '%s' has an empty field; write KIND:N[:KEY=VALUE...]", text);
    spec->low = 0.0;
    spec->high = 1.0;

    char *save = NULL;
    const char *kind = strtok_r(buf, ":", &save);
    const char *count = strtok_r(NULL, ":", &save);
    if (kind == NULL || count == NULL)
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: '%s' needs KIND:N, e.g. range:1000000 or uniform:1e6:seed=1",
                       text);
    if (strcmp(kind, "range") == 0)
        spec->kind = SQ_GEN_RANGE;
    else if (strcmp(kind, "uniform") == 0)
        spec->kind = SQ_GEN_UNIFORM;
    else
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: unknown kind '%s'; the kinds are range and uniform", kind);
    if (sq_parse_count(count, "--generate N", &spec->n, err))
        return err->status;
    for (char *kv = strtok_r(NULL, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL || spec->kind == SQ_GEN_RANGE)
            return sq_fail(err, SQ_ERR_USAGE,
                           "--generate: '%s' is not an option of %s (uniform takes seed=S, low=A, "
                           "high=B; range takes none)",
                           kv, kind);
        *eq = '\0';
        const char *value = eq + 1;
        int rc;
        if (strcmp(kv, "seed") == 0)
            rc = parse_u64(value, "--generate seed", &spec->seed, err);
        else if (strcmp(kv, "low") == 0)
            rc = sq_parse_double(value, "--generate low", &spec->low, err);
        else if (strcmp(kv, "high") == 0)
            rc = sq_parse_double(value, "--generate high", &spec->high, err);
        else
            return sq_fail(err, SQ_ERR_USAGE,
                           "--generate: unknown key '%s'; uniform takes seed, low and high", kv);
        if (rc)
            return rc;
    }
    if (spec->kind == SQ_GEN_UNIFORM &&
        (!(spec->low < spec->high) || !isfinite(spec->high - spec->low)))
        return sq_fail(err, SQ_ERR_USAGE,
                       "--generate: uniform needs low < high with a finite high - low (got low=%g "
                       "high=%g)",
                       spec->low, spec->high);
    return SQ_OK;
}
