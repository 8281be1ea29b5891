/*
 * fuzz_hints.c - libFuzzer target for the --mpiio-hint parser (in sq_options_parse): each line of
 * the input is one `--mpiio-hint LINE` of an otherwise valid run. Properties: never a crash or
 * undefined behaviour; a result is one well-formed record; accepted hints are joined as
 * "KEY=VALUE;KEY=VALUE" within SQ_HINTS_MAX, every item with a non-empty key and value, which is
 * what the MPI edge (sq_par_info_create) splits them by.
 */
#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    enum { MAX_HINTS = 40 };
    char *text = fuzz_string(data, size);
    char *argv[6 + 2 * MAX_HINTS + 1] = {"sqcube",   "run",      "--generate",
                                         "range:10", "--output", "out.h5"};
    int argc = 6;
    for (char *p = text; argc < 6 + 2 * MAX_HINTS;) {
        argv[argc++] = "--mpiio-hint";
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    static sq_options opt;
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_options_parse(argc, argv, &opt, &err);
    fuzz_check_error(rc, &err);
    if (rc == SQ_OK) {
        if (strnlen(opt.hints, sizeof opt.hints) == sizeof opt.hints) {
            fprintf(stderr, "fuzz: hints not terminated\n");
            abort();
        }
        char copy[SQ_HINTS_MAX];
        memcpy(copy, opt.hints, sizeof copy);
        char *save = NULL;
        int items = 0;
        for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
            const char *eq = strchr(kv, '=');
            if (eq == NULL || eq == kv || eq[1] == '\0') {
                fprintf(stderr, "fuzz: accepted hint item '%s' is not KEY=VALUE\n", kv);
                abort();
            }
            ++items;
        }
        if (items != (argc - 6) / 2) {
            fprintf(stderr, "fuzz: %d hints given, %d kept: '%s'\n", (argc - 6) / 2, items,
                    opt.hints);
            abort();
        }
    }
    free(text);
    return 0;
}
