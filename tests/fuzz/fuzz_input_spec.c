/*
 * fuzz_input_spec.c - libFuzzer target for sq_parse_input_spec ("FILE:/DATASET" or "FILE"). The
 * first byte picks the output buffers' sizes (1 to 64 bytes, or the real SQ_PATH_MAX and
 * SQ_DSET_MAX), so the too-long paths are exercised too. Properties: never a crash, overflow or
 * undefined behaviour; a result is one well-formed record; an accepted spec's parts are
 * NUL-terminated within their buffers, FILE is not empty, and FILE ":" DATASET (or FILE alone)
 * gives back the text, split at the first ":/".
 */
#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const size_t small = (size_t)(data[0] & 63) + 1;
    const int real = (data[0] & 64) != 0;
    const size_t file_len = real ? SQ_PATH_MAX : small, dset_len = real ? SQ_DSET_MAX : small;
    char *text = fuzz_string(data + 1, size - 1);
    /* Exactly sized heap buffers, so AddressSanitizer sees any write past them. */
    char *file = malloc(file_len), *dset = malloc(dset_len);
    if (file == NULL || dset == NULL)
        abort();
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_parse_input_spec(text, file, file_len, dset, dset_len, &err);
    fuzz_check_error(rc, &err);
    if (rc == SQ_OK) {
        if (strnlen(file, file_len) == file_len || strnlen(dset, dset_len) == dset_len ||
            file[0] == '\0') {
            fprintf(stderr, "fuzz: '%s' split into unterminated or empty parts\n", text);
            abort();
        }
        const size_t fl = strlen(file), dl = strlen(dset);
        if (strncmp(text, file, fl) != 0 ||
            (dl == 0 ? text[fl] != '\0' : text[fl] != ':' || strcmp(text + fl + 1, dset) != 0) ||
            (dl != 0 && strstr(file, ":/") != NULL)) {
            fprintf(stderr, "fuzz: '%s' split into '%s' + '%s'\n", text, file, dset);
            abort();
        }
    }
    free(dset);
    free(file);
    free(text);
    return 0;
}
