/*
 * timer.c - monotonic phase timers.
 */
#include "timer.h"

#include <time.h>

double sq_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sq_timers_init(sq_timers *t) {
    for (int p = 0; p < SQ_NPHASES; ++p)
        t->seconds[p] = t->started[p] = 0.0;
}

void sq_timer_start(sq_timers *t, enum sq_phase p) {
    t->started[p] = sq_now();
}

void sq_timer_stop(sq_timers *t, enum sq_phase p) {
    t->seconds[p] += sq_now() - t->started[p];
}

const char *sq_phase_name(enum sq_phase p) {
    static const char *const names[SQ_NPHASES] = {"read", "compute", "reduce", "write", "total"};
    return (p >= 0 && p < SQ_NPHASES) ? names[p] : "?";
}
