/*
 * fuzz_options.c - libFuzzer target for sq_options_parse, the whole command line. The input is
 * split at newlines into arguments (at most 64; argv[0] is "sqcube"), so the corpus files read as
 * one argument a line. Properties: never a crash or undefined behaviour; a result is one
 * well-formed record; an accepted command line gives a command of the table and, for run, an
 * output name, an input, and a chunk of 1 .. SQ_MAX_CHUNK elements.
 */
#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    enum { MAX_ARGS = 64 };
    char *text = fuzz_string(data, size);
    char *argv[MAX_ARGS + 2] = {"sqcube"};
    int argc = 1;
    for (char *p = text; argc <= MAX_ARGS;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    static sq_options opt; /* large: off the stack */
    sq_error err;
    sq_error_clear(&err);
    const int rc = sq_options_parse(argc, argv, &opt, &err);
    fuzz_check_error(rc, &err);
    if (rc == SQ_OK) {
        if (opt.command < SQ_CMD_RUN || opt.command > SQ_CMD_VERSION) {
            fprintf(stderr, "fuzz: accepted with command %d\n", (int)opt.command);
            abort();
        }
        if (opt.command == SQ_CMD_RUN && (opt.output[0] == '\0' || opt.source == SQ_SOURCE_NONE ||
                                          opt.chunk < 1 || opt.chunk > SQ_MAX_CHUNK)) {
            fprintf(stderr, "fuzz: run accepted without output, input or a valid chunk\n");
            abort();
        }
    }
    free(text);
    return 0;
}
