/*
 * generate.c - counter-based generators: range and SplitMix64 uniform.
 */
#include "generate.h"

#include <math.h>
#include <stdio.h>

sq_dtype sq_gen_dtype(const sq_gen_spec *spec) {
    return spec->kind == SQ_GEN_RANGE ? SQ_DTYPE_INT64 : SQ_DTYPE_FLOAT64;
}

static inline uint64_t splitmix64_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t sq_splitmix64_at(uint64_t seed, uint64_t i) {
    return splitmix64_mix(seed + (i + 1) * UINT64_C(0x9E3779B97F4A7C15));
}

void sq_generate(const sq_gen_spec *spec, int64_t first, int64_t count, void *out) {
    if (spec->kind == SQ_GEN_RANGE) {
        int64_t *x = out;
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < count; ++i)
            x[i] = first + i + 1;
    } else {
        double *x = out;
        const double low = spec->low, high = spec->high, width = spec->high - spec->low;
        /* low + width * u can round up to high when the interval is a few ulps wide; the largest
         * double below high keeps the interval half-open. */
        const double below_high = nextafter(high, low);
        const uint64_t seed = spec->seed;
#pragma omp parallel for simd schedule(static)
        for (int64_t i = 0; i < count; ++i) {
            const double u =
                (double)(sq_splitmix64_at(seed, (uint64_t)(first + i)) >> 11) * 0x1p-53;
            const double v = low + width * u;
            x[i] = v < high ? v : below_high;
        }
    }
}

void sq_gen_spec_format(const sq_gen_spec *spec, char *buf, size_t len) {
    if (spec->kind == SQ_GEN_RANGE)
        snprintf(buf, len, "range:%lld", (long long)spec->n);
    else
        snprintf(buf, len, "uniform:%lld:seed=%llu:low=%.17g:high=%.17g", (long long)spec->n,
                 (unsigned long long)spec->seed, spec->low, spec->high);
}
