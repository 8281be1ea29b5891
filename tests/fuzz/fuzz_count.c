/*
 * fuzz_count.c - libFuzzer target for sq_parse_count (element counts: 1000, 1e8, 2.5e6, 64K,
 * 1Mi, ...). Properties: never a crash or undefined behaviour; a result is one well-formed
 * record; an accepted count lies in [0, 2^62].
 */
#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_string(data, size);
    sq_error err;
    sq_error_clear(&err);
    int64_t n = -1;
    const int rc = sq_parse_count(text, "--chunk", &n, &err);
    fuzz_check_error(rc, &err);
    if (rc == SQ_OK && (n < 0 || n > (INT64_C(1) << 62))) {
        fprintf(stderr, "fuzz: '%s' parsed to %lld, outside [0, 2^62]\n", text, (long long)n);
        abort();
    }
    free(text);
    return 0;
}
