/*
 * fuzz_gen_spec.c - libFuzzer target for sq_parse_gen_spec ("range:N",
 * "uniform:N[:seed=S][:low=A][:high=B]"). Properties: never a crash or undefined behaviour; a
 * result is one well-formed record; an accepted spec has 0 <= n <= 2^62 and, for uniform, a
 * finite low < high; and the spec's canonical text (sq_gen_spec_format, the form recorded in
 * every output and re-read by `sqcube verify`) parses back to the same spec.
 */
#include "fuzz.h"
#include "generate.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_string(data, size);
    sq_error err;
    sq_error_clear(&err);
    sq_gen_spec spec;
    const int rc = sq_parse_gen_spec(text, &spec, &err);
    fuzz_check_error(rc, &err);
    if (rc == SQ_OK) {
        if (spec.n < 0 || spec.n > (INT64_C(1) << 62) ||
            (spec.kind == SQ_GEN_UNIFORM && !(spec.low < spec.high))) {
            fprintf(stderr, "fuzz: '%s' accepted with n=%lld low=%g high=%g\n", text,
                    (long long)spec.n, spec.low, spec.high);
            abort();
        }
        char canon[512];
        sq_gen_spec_format(&spec, canon, sizeof canon);
        sq_gen_spec again;
        sq_error err2;
        sq_error_clear(&err2);
        if (sq_parse_gen_spec(canon, &again, &err2) != SQ_OK || again.kind != spec.kind ||
            again.n != spec.n || again.seed != spec.seed ||
            (spec.kind == SQ_GEN_UNIFORM && (again.low != spec.low || again.high != spec.high))) {
            fprintf(stderr, "fuzz: '%s' -> canonical '%s' does not parse back (%s)\n", text, canon,
                    err2.msg);
            abort();
        }
    }
    free(text);
    return 0;
}
