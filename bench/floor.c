/*
 * floor.c - the end-to-end floor for sqcube's job without HDF5 or MPI: generate x (SplitMix64
 * uniform, as sqcube's generator), compute x^2 and x^3 into two small reused chunk buffers on
 * OpenMP threads, and pwrite them to one file (square at offset 0, cube at offset 8 N), as a
 * contiguous HDF5 dataset pair would lie. Prints the wall time; a run of sqcube on the same N and
 * disk is compared with it by bench/suite.sh.
 * Usage: floor OUTPUT N [chunk]   (default chunk 2^20 elements)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generate.h"
#include "timer.h"

static int write_all(int fd, const void *buf, size_t bytes, off_t offset) {
    const char *p = buf;
    while (bytes > 0) {
        const ssize_t w = pwrite(fd, p, bytes, offset);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        bytes -= (size_t)w;
        offset += w;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: floor OUTPUT N [chunk]\n");
        return 2;
    }
    const int64_t n = atoll(argv[2]);
    const int64_t chunk = argc > 3 ? atoll(argv[3]) : (INT64_C(1) << 20);
    if (n < 1 || chunk < 1) {
        fprintf(stderr, "floor: N and chunk must be positive\n");
        return 2;
    }
    double *x = malloc((size_t)chunk * 8), *sq = malloc((size_t)chunk * 8),
           *cu = malloc((size_t)chunk * 8);
    if (!x || !sq || !cu) {
        fprintf(stderr, "floor: cannot allocate 3 x %lld doubles\n", (long long)chunk);
        return 1;
    }
    const double t0 = sq_now();
    const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    const sq_gen_spec spec = {SQ_GEN_UNIFORM, n, 0, 0.0, 1.0};
    for (int64_t b = 0; b < n; b += chunk) {
        const int64_t m = n - b < chunk ? n - b : chunk;
        sq_generate(&spec, b, m, x);
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < m; ++i) {
            const double v = x[i], q = v * v;
            sq[i] = q;
            cu[i] = q * v;
        }
        if (write_all(fd, sq, (size_t)m * 8, (off_t)(b * 8)) < 0 ||
            write_all(fd, cu, (size_t)m * 8, (off_t)((n + b) * 8)) < 0) {
            fprintf(stderr, "floor: writing %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
    }
    if (close(fd) != 0) {
        fprintf(stderr, "floor: closing %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    printf("floor: N = %lld: %.4f s\n", (long long)n, sq_now() - t0);
    free(cu);
    free(sq);
    free(x);
    return 0;
}
