/*
 * affinity.c - collecting, printing and checking thread placement. See affinity.h.
 */
#include "affinity.h"

#include <omp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The bits of CPUs as the checks use them: up to CPU_SETSIZE (1024). */
#define NBITS CPU_SETSIZE
#define NBYTES (NBITS / 8)

static int bit(const unsigned char *bits, int k) {
    return (bits[k / 8] >> (k % 8)) & 1;
}

int sq_cpulist_format(const unsigned char *bits, int nbits, char *buf, size_t len) {
    size_t used = 0;
    int count = 0, cut = 0;
    buf[0] = '\0';
    for (int k = 0; k < nbits; ++k) {
        if (!bit(bits, k))
            continue;
        int end = k;
        while (end + 1 < nbits && bit(bits, end + 1))
            ++end;
        count += end - k + 1;
        if (!cut) {
            char item[32];
            if (end == k)
                snprintf(item, sizeof item, "%s%d", used ? "," : "", k);
            else
                snprintf(item, sizeof item, "%s%d-%d", used ? "," : "", k, end);
            if (used + strlen(item) + 4 < len) {
                memcpy(buf + used, item, strlen(item) + 1);
                used += strlen(item);
            } else {
                cut = 1;
                if (used + 4 <= len)
                    memcpy(buf + used, "...", 4);
            }
        }
        k = end;
    }
    return count;
}

int sq_cpulist_parse(const char *list, unsigned char *bits, int nbits) {
    memset(bits, 0, (size_t)(nbits + 7) / 8);
    int count = 0;
    const char *p = list;
    while (*p) {
        char *end;
        const long a = strtol(p, &end, 10);
        if (end == p || a < 0)
            return -1;
        long b = a;
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a)
                return -1;
            p = end;
        }
        if (b >= nbits)
            return -1;
        for (long k = a; k <= b; ++k)
            if (!bit(bits, (int)k)) {
                bits[k / 8] |= (unsigned char)(1u << (k % 8));
                ++count;
            }
        if (*p == ',')
            ++p;
        else if (*p != '\0')
            return -1;
    }
    return count;
}

int sq_affinity_collect(int rank, sq_affinity_row *rows, int max_rows) {
    const int want = omp_get_max_threads();
    if (want > max_rows)
        return -1;
    char host[SQ_AFFINITY_HOST_MAX] = "";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    int team = 0;
#pragma omp parallel num_threads(want)
    {
        const int t = omp_get_thread_num();
#pragma omp single
        team = omp_get_num_threads();
        sq_affinity_row *r = &rows[t];
        memset(r, 0, sizeof *r);
        r->rank = rank;
        r->thread = t;
        r->cpu = sched_getcpu();
        snprintf(r->host, sizeof r->host, "%s", host);
        cpu_set_t set;
        CPU_ZERO(&set);
        if (sched_getaffinity(0, sizeof set, &set) == 0) /* 0: the calling thread */
            r->ncpus =
                sq_cpulist_format((const unsigned char *)&set, NBITS, r->mask, sizeof r->mask);
        else
            snprintf(r->mask, sizeof r->mask, "unknown");
    }
    for (int t = 0; t < team; ++t)
        rows[t].nthreads = team;
    return team;
}

static int by_rank_thread(const void *a, const void *b) {
    const sq_affinity_row *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return (x->thread > y->thread) - (x->thread < y->thread);
}

void sq_affinity_print(FILE *out, const sq_affinity_row *rows, int n) {
    sq_affinity_row *sorted = malloc(sizeof *sorted * (size_t)(n > 0 ? n : 1));
    if (sorted == NULL)
        return;
    memcpy(sorted, rows, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, by_rank_thread);
    int hw = 4;
    for (int i = 0; i < n; ++i)
        if ((int)strlen(sorted[i].host) > hw)
            hw = (int)strlen(sorted[i].host);
    fprintf(out, "%6s %6s  %-*s %5s  %s\n", "rank", "thread", hw, "host", "cpu",
            "affinity mask (CPUs)");
    for (int i = 0; i < n; ++i) {
        const sq_affinity_row *r = &sorted[i];
        fprintf(out, "%6d %6d  %-*s %5d  %s (%d)\n", r->rank, r->thread, hw, r->host, r->cpu,
                r->mask, r->ncpus);
    }
    free(sorted);
}

const char *sq_affinity_verdict_name(int verdict) {
    return verdict == SQ_AFFINITY_OK ? "ok" : verdict == SQ_AFFINITY_WARN ? "warn" : "FAIL";
}

/* One rank's rows (count threads, sorted by thread): the union of their masks into u, and the
 * verdict, raised from `verdict` (msg filled) when the rank runs more threads than it has CPUs,
 * or two of its threads bound to one CPU each share it. */
static int check_rank(const sq_affinity_row *rows, int count, unsigned char *u, int verdict,
                      char *msg, size_t len) {
    int single_shared = -1;
    unsigned char singles[NBYTES] = {0};
    for (int j = 0; j < count; ++j) {
        unsigned char m[NBYTES];
        if (sq_cpulist_parse(rows[j].mask, m, NBITS) < 0)
            continue;
        for (int b = 0; b < NBYTES; ++b)
            u[b] |= m[b];
        if (rows[j].ncpus == 1) {
            for (int k = 0; k < NBITS; ++k)
                if (bit(m, k)) {
                    if (bit(singles, k))
                        single_shared = k;
                    singles[k / 8] |= (unsigned char)(1u << (k % 8));
                }
        }
    }
    int ncpu = 0;
    for (int k = 0; k < NBITS; ++k)
        ncpu += bit(u, k);
    char list[SQ_AFFINITY_MASK_MAX];
    sq_cpulist_format(u, NBITS, list, sizeof list);
    if (count > ncpu && ncpu > 0) {
        snprintf(msg, len,
                 "rank %d on %s runs %d threads on %d CPU(s) (%s): threads are piled onto too "
                 "few cores; give each rank as many cores as threads (mpirun --map-by "
                 "slot:PE=%d --bind-to core, srun --cpus-per-task=%d --cpu-bind=cores) or "
                 "lower OMP_NUM_THREADS",
                 rows[0].rank, rows[0].host, count, ncpu, list, count, count);
        return SQ_AFFINITY_FAIL;
    }
    if (single_shared >= 0 && verdict < SQ_AFFINITY_WARN) {
        snprintf(msg, len,
                 "rank %d on %s: two of its threads are bound to the same CPU %d; check "
                 "OMP_PLACES (e.g. cores) and OMP_PROC_BIND (e.g. close)",
                 rows[0].rank, rows[0].host, single_shared);
        return SQ_AFFINITY_WARN;
    }
    return verdict;
}

/* Ranks of one host whose masks (ranks[a], the rank whose first row is sorted[first[a]]) intersect
 * share cores (unbound runs share them all): per host, the first rank seen on each CPU. The first
 * 1024 ranks are checked (4 KiB per host). Returns the verdict, raised to WARN on an overlap. */
static int check_hosts(const sq_affinity_row *sorted, const int *first,
                       unsigned char (*ranks)[NBYTES], int nr, int verdict, char *msg, size_t len) {
    const int nc = nr < 1024 ? nr : 1024;
    const char **hosts = calloc((size_t)nc + 1, sizeof *hosts);
    int32_t(*owner)[NBITS] = calloc((size_t)nc + 1, sizeof *owner);
    int nh = 0;
    for (int a = 0; hosts && owner && a < nc && verdict < SQ_AFFINITY_WARN; ++a) {
        const sq_affinity_row *r = &sorted[first[a]];
        int h = 0;
        while (h < nh && strcmp(hosts[h], r->host) != 0)
            ++h;
        if (h == nh) {
            hosts[nh++] = r->host;
            for (int k = 0; k < NBITS; ++k)
                owner[h][k] = -1;
        }
        for (int k = 0; k < NBITS; ++k) {
            if (!bit(ranks[a], k))
                continue;
            if (owner[h][k] < 0) {
                owner[h][k] = r->rank;
                continue;
            }
            snprintf(msg, len,
                     "ranks %d and %d on %s may both run on CPU %d (their masks overlap): fine "
                     "for an unbound run on a workstation, but on a cluster bind each rank to its "
                     "own cores (--bind-to core, --cpu-bind=cores)",
                     owner[h][k], r->rank, r->host, k);
            verdict = SQ_AFFINITY_WARN;
            break;
        }
    }
    free(owner);
    free(hosts);
    return verdict;
}

int sq_affinity_check(const sq_affinity_row *rows, int n, char *msg, size_t len) {
    int verdict = SQ_AFFINITY_OK;
    snprintf(msg, len,
             "every rank has at least as many CPUs as threads, and no two ranks of a "
             "host share a CPU");
    sq_affinity_row *sorted = malloc(sizeof *sorted * (size_t)(n > 0 ? n : 1));
    unsigned char(*ranks)[NBYTES] = calloc((size_t)(n > 0 ? n : 1), NBYTES);
    int *first = malloc(sizeof *first * (size_t)(n > 0 ? n : 1)); /* each rank's first row */
    if (sorted == NULL || ranks == NULL || first == NULL) {
        snprintf(msg, len, "out of memory checking %d rows", n);
        verdict = SQ_AFFINITY_WARN;
        goto out_free;
    }
    memcpy(sorted, rows, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, by_rank_thread);
    int nr = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && sorted[j].rank == sorted[i].rank)
            ++j;
        verdict = check_rank(&sorted[i], j - i, ranks[nr], verdict, msg, len);
        first[nr++] = i;
        i = j;
    }
    verdict = check_hosts(sorted, first, ranks, nr, verdict, msg, len);
out_free:
    free(first);
    free(ranks);
    free(sorted);
    return verdict;
}
