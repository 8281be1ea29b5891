/*
 * tsan_canary.c - a deliberate data race in an OpenMP loop (every thread adds to one shared
 * total without a reduction). Built only with SQCUBE_ENABLE_TSAN; its ctest entry
 * (tsan_canary) passes only when ThreadSanitizer + Archer report the race, which shows that the
 * TSan stage can fail: a clean report on the real suites then means something.
 */
#include <omp.h>
#include <stdio.h>

int main(void) {
    long total = 0;
#pragma omp parallel for num_threads(2)
    for (int i = 0; i < 100000; ++i)
        total += i; /* the race */
    printf("total %ld (threads raced: the sum is usually wrong)\n", total);
    return 0;
}
