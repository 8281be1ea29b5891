/*
 * meter_cost.c - what the progress meter costs per chunk: sq_meter_add called back to back, as the
 * chunk loop calls it once per chunk, with the display off (the call returns at once) and on
 * (every rank posts its count at most every 0.1 s, rank 0 reads and formats a line when due).
 * Prints nanoseconds per call, the slowest rank's, best of the repeats; compare with the time of a
 * chunk (512K elements by default: milliseconds). Run under mpirun, stderr to /dev/null:
 *   mpirun -np 2 build/bench_meter_cost [calls] [repeats] 2>/dev/null
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter.h"
#include "parallel.h"
#include "timer.h"

/* Seconds per call of calls back-to-back sq_meter_add, the slowest rank's. */
static double time_adds(const sq_par *par, sq_progress_mode mode, int64_t calls) {
    sq_meter m;
    sq_meter_start(&m, par, mode, calls * 1000, 0.1);
    sq_par_barrier(par);
    sq_timers t;
    sq_timers_init(&t);
    sq_timer_start(&t, SQ_PHASE_COMPUTE);
    for (int64_t i = 0; i < calls; ++i)
        sq_meter_add(&m, par, 1000);
    sq_timer_stop(&t, SQ_PHASE_COMPUTE);
    sq_meter_finish(&m, par, true);
    double mn[SQ_NPHASES], avg[SQ_NPHASES], mx[SQ_NPHASES];
    sq_par_phase_stats(par, &t, mn, avg, mx);
    return mx[SQ_PHASE_COMPUTE] / (double)calls;
}

int main(int argc, char **argv) {
    sq_par par = {0};
    sq_error err;
    sq_error_clear(&err);
    if (sq_par_init(&argc, &argv, &par, &err) != SQ_OK) {
        sq_error_print(&err);
        sq_par_finalize();
        return 1;
    }
    const int64_t calls = argc > 1 ? atoll(argv[1]) : 2000000;
    const int repeats = argc > 2 ? atoi(argv[2]) : 5;
    double best_off = 1e9, best_on = 1e9;
    for (int r = 0; r < repeats; ++r) {
        const double off = time_adds(&par, SQ_PROGRESS_OFF, calls);
        const double on = time_adds(&par, SQ_PROGRESS_LINES, calls);
        best_off = off < best_off ? off : best_off;
        best_on = on < best_on ? on : best_on;
    }
    if (par.rank == 0)
        printf("meter_cost: %d ranks, %lld calls x %d repeats: off %.1f ns/call, on %.1f ns/call "
               "(slowest rank, best repeat)\n",
               par.size, (long long)calls, repeats, best_off * 1e9, best_on * 1e9);
    sq_par_finalize();
    return 0;
}
