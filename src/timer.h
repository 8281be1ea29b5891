/*
 * timer.h - phase timers: an enum of phases and accumulated wall-clock seconds per phase.
 *
 * Each rank times its own phases; the MPI edge reduces them to min/avg/max over ranks for the
 * report and the output's /timing table holds every rank's row.
 */
#ifndef SQCUBE_TIMER_H
#define SQCUBE_TIMER_H

enum sq_phase {
    SQ_PHASE_READ,    /* reading input chunks (or generating them) */
    SQ_PHASE_COMPUTE, /* square, cube and partial reductions on OpenMP threads */
    SQ_PHASE_REDUCE,  /* merging partial reductions across ranks */
    SQ_PHASE_WRITE,   /* writing result chunks and metadata */
    SQ_PHASE_TOTAL,   /* from the start of the run phase to the end of the write phase */
    SQ_NPHASES
};

typedef struct sq_timers {
    double seconds[SQ_NPHASES]; /* accumulated seconds per phase */
    double started[SQ_NPHASES]; /* monotonic time of the running start, seconds */
} sq_timers;

/* Monotonic wall-clock time in seconds. */
double sq_now(void);

void sq_timers_init(sq_timers *t);
void sq_timer_start(sq_timers *t, enum sq_phase p);
void sq_timer_stop(sq_timers *t, enum sq_phase p);

/* "read", "compute", "reduce", "write", "total". */
const char *sq_phase_name(enum sq_phase p);

#endif
