/*
 * hosts_scan.c - what rank 0's search for distinct host names costs at P ranks: sq_par_hosts's
 * sq_distinct_names (src/record.c: sort, keep the first of each name, back to rank order), against
 * the pairwise loop it replaced (kept here as the reference), over a table of P names
 * of MPI_MAX_PROCESSOR_NAME (256) bytes, as MPI_Gather leaves them, ranks numbered node by node
 * with PPN ranks per node and names like "nid000123". The list is cut, as there, once it would
 * pass the 4096 bytes of sq_provenance.hosts. No MPI: the gather itself is not timed.
 * Usage: bench_hosts_scan P PPN   (prints the comparisons, the seconds and the ns per comparison)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "timer.h"

#define NAME_MAX_BYTES 256 /* Open MPI's MPI_MAX_PROCESSOR_NAME */
#define HOSTS_BYTES 4096   /* sizeof(sq_provenance.hosts) */

int main(int argc, char **argv) {
    const long p = argc > 1 ? atol(argv[1]) : 0, ppn = argc > 2 ? atol(argv[2]) : 0;
    if (argc != 3 || p < 1 || ppn < 1) {
        fprintf(stderr, "usage: bench_hosts_scan P PPN   (ranks >= 1, ranks per node >= 1)\n");
        return 2;
    }
    char *all = calloc((size_t)p, NAME_MAX_BYTES);
    if (all == NULL) {
        fprintf(stderr, "hosts_scan: cannot allocate %ld names\n", p);
        return 1;
    }
    for (long r = 0; r < p; ++r)
        snprintf(all + (size_t)r * NAME_MAX_BYTES, NAME_MAX_BYTES, "nid%06ld", r / ppn);
    char buf[HOSTS_BYTES], old[HOSTS_BYTES];
    /* sq_par_hosts now: sq_distinct_names, sort-based. */
    const double t0 = sq_now();
    const int distinct = sq_distinct_names(all, (int)p, NAME_MAX_BYTES, buf, sizeof buf);
    const double secs = sq_now() - t0;
    /* The pairwise loop sq_par_hosts had until 2026-12-02, with a comparison counter: the
     * "before" of docs/scaling.md. */
    long compares = 0, last_rank = p;
    const double t1 = sq_now();
    size_t used = 0;
    old[0] = '\0';
    for (long r = 0; r < p; ++r) {
        const char *h = all + (size_t)r * NAME_MAX_BYTES;
        int seen = 0;
        for (long q = 0; q < r && !seen; ++q, ++compares)
            seen = strcmp(h, all + (size_t)q * NAME_MAX_BYTES) == 0;
        if (seen)
            continue;
        const size_t need = strlen(h) + (used ? 2 : 0);
        if (used + need + 5 >= sizeof old) {
            snprintf(old + used, sizeof old - used, ", ...");
            last_rank = r;
            break;
        }
        used += (size_t)snprintf(old + used, sizeof old - used, "%s%s", used ? ", " : "", h);
    }
    const double secs_old = sq_now() - t1;
    printf("ranks %ld, %ld per node: sq_distinct_names %.4f s (%d hosts); the old pairwise loop "
           "%.3f s (%ld comparisons up to rank %ld, %.1f ns each); lists %s\n",
           p, ppn, secs, distinct, secs_old, compares, last_rank,
           compares ? 1e9 * secs_old / (double)compares : 0.0,
           strcmp(buf, old) == 0 ? "identical" : "DIFFER");
    free(all);
    return 0;
}
