/*
 * affinity_cmd.c - thread placement over the job: every rank's rows collected and gathered to rank
 * 0, which prints the table and the check (sqcube affinity, --report-affinity); the same rows go
 * to /provenance/affinity. The pure formatting and checking is affinity.c's.
 */
#include "affinity_cmd.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "startup.h"
#include "tune.h"

/* This rank's rows: one per OpenMP thread. Returns the count, or -1 with err filled. */
int sq_placement_collect(const sq_par *par, sq_affinity_row **rows, sq_error *err) {
    const int max = omp_get_max_threads();
    *rows = calloc((size_t)max, sizeof **rows);
    const int n = *rows ? sq_affinity_collect(par->rank, *rows, max) : -1;
    if (n < 0)
        sq_fail(err, SQ_ERR_RUNTIME, "cannot collect the thread placement of rank %d (%d threads)",
                par->rank, max);
    return n;
}

/* The one-line warning, on rank 0's stderr, when the threads of a host outnumber its CPUs. */
static void warn_oversubscribed(const sq_par *par, const sq_affinity_row *all, int total) {
    const sq_startup_info *st = sq_startup_get();
    char msg[2048];
    if (sq_tune_oversubscribed(all, total, par->size, st->omp_num_threads_set,
                               st->wait_passive_by_us
                                   ? "this run's threads wait passively (sqcube set "
                                     "OMP_WAIT_POLICY=passive; SQCUBE_WAIT_POLICY=keep "
                                     "turns that off)"
                                   : "",
                               msg, sizeof msg)) {
        fflush(stdout);
        fprintf(stderr, "sqcube: warning: %s\n", msg);
        fflush(stderr);
    }
}

/* Gathers every rank's rows to rank 0, which prints the table and the check (table: 1) and the
 * one-line oversubscription warning on stderr (warn: 1). Collective. */
void sq_placement_report(const sq_par *par, const sq_affinity_row *rows, int n, FILE *out,
                         int table, int warn) {
    void *all = NULL;
    int total = 0;
    if (sq_par_gather_records(par, rows, n, sizeof *rows, &all, &total) != 0) {
        if (par->rank == 0)
            fprintf(out, "affinity: cannot gather %d ranks' rows on rank 0 (out of memory)\n",
                    par->size);
        return;
    }
    if (par->rank == 0 && table) {
        char msg[1024];
        sq_affinity_print(out, all, total);
        const int v = sq_affinity_check(all, total, msg, sizeof msg);
        fprintf(out, "placement: %s: %s\n", sq_affinity_verdict_name(v), msg);
        fflush(out);
    }
    if (par->rank == 0 && warn)
        warn_oversubscribed(par, all, total);
    free(all);
}

int sq_affinity_command(const sq_par *par, sq_error *err) {
    sq_affinity_row *rows = NULL;
    const int n = sq_placement_collect(par, &rows, err);
    if (sq_par_agree(par, err) == SQ_OK)
        sq_placement_report(par, rows, n, stdout, 1, 0);
    free(rows);
    return err->status;
}
