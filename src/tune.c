/*
 * tune.c - the transport, the wait policy and the oversubscription warning. See tune.h.
 */
#include "tune.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set(const char *s) {
    return s != NULL && s[0] != '\0';
}

/* 1 when an MCA component list ("ob1", "ob1,cm", "^ucx,cm") leaves component name allowed. */
static int allows(const char *list, const char *name) {
    const int exclude = list[0] == '^';
    const char *p = list + exclude;
    int listed = 0;
    while (*p) {
        const size_t n = strcspn(p, ",");
        if (n == strlen(name) && strncmp(p, name, n) == 0)
            listed = 1;
        p += n + (p[n] == ',');
    }
    return exclude ? !listed : listed;
}

int sq_tune_transport(const sq_tune_transport_env *env, char *why, size_t len) {
    if (!env->open_mpi) {
        snprintf(why, len, "as configured: the MPI library is not Open MPI");
        return 0;
    }
    if (set(env->keep) && strcmp(env->keep, "auto") != 0) {
        snprintf(why, len, "as configured: SQCUBE_TRANSPORT=%s", env->keep);
        return 0;
    }
    if (set(env->pml) || set(env->mtl)) {
        snprintf(why, len, "as configured: OMPI_MCA_%s=%s", set(env->pml) ? "pml" : "mtl",
                 set(env->pml) ? env->pml : env->mtl);
        return 0;
    }
    if (set(env->files_env)) {
        snprintf(why, len, "as configured: %s", env->files_env);
        return 0;
    }
    /* A file that picks a transport, or excludes ob1, is the site's or the user's choice; one
     * that only excludes others (Debian's "pml = ^ucx", "mtl = ^ofi") leaves ob1 to choose. */
    if (set(env->file) && set(env->file_key)) {
        const int pml_ok = !set(env->file_pml) || allows(env->file_pml, "ob1");
        const int mtl_only_excludes =
            strncmp(env->file_key, "mtl", 3) != 0 || strchr(env->file_key, '^') != NULL;
        if (!pml_ok || !mtl_only_excludes) {
            snprintf(why, len, "as configured: %s in %s", env->file_key, env->file);
            return 0;
        }
    }
    if (env->world_size > 0) {
        if (env->local_size != env->world_size) {
            snprintf(why, len,
                     "as configured: the %d ranks span more than one host (%d on this one)",
                     env->world_size, env->local_size);
            return 0;
        }
        snprintf(why, len, "pml ob1, chosen by sqcube: all %d rank%s on one host", env->world_size,
                 env->world_size == 1 ? "" : "s");
        return 1;
    }
    if (env->slurm_step_nodes > 0) {
        if (env->slurm_step_nodes != 1) {
            snprintf(why, len, "as configured: the srun step spans %d nodes",
                     env->slurm_step_nodes);
            return 0;
        }
        snprintf(why, len, "pml ob1, chosen by sqcube: all %d rank%s of the srun step on one node",
                 env->slurm_step_tasks, env->slurm_step_tasks == 1 ? "" : "s");
        return 1;
    }
    snprintf(why, len, "pml ob1, chosen by sqcube: one rank, started without mpirun");
    return 1;
}

/* Copies s[0 .. n) into buf without the blanks at either end. */
static void trimmed(const char *s, size_t n, char *buf, size_t len) {
    while (n > 0 && isspace((unsigned char)*s))
        ++s, --n;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        --n;
    snprintf(buf, len, "%.*s", (int)n, s);
}

int sq_tune_parse_mca_file(const char *text, char *pml, size_t pml_len, char *mtl, size_t mtl_len) {
    pml[0] = mtl[0] = '\0';
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        const size_t body = strcspn(line, "#\n");
        const char *eq = memchr(line, '=', body);
        if (eq != NULL) {
            char key[64];
            trimmed(line, (size_t)(eq - line), key, sizeof key);
            if (strcmp(key, "pml") == 0)
                trimmed(eq + 1, body - (size_t)(eq + 1 - line), pml, pml_len);
            else if (strcmp(key, "mtl") == 0)
                trimmed(eq + 1, body - (size_t)(eq + 1 - line), mtl, mtl_len);
        }
        line += n + (line[n] == '\n');
    }
    return pml[0] != '\0' || mtl[0] != '\0';
}

int sq_tune_wait_policy(const sq_tune_cpu_env *env, char *why, size_t len) {
    if (set(env->done)) {
        snprintf(why, len, "passive, set by sqcube: %s", env->done);
        return 0;
    }
    if (set(env->keep) && strcmp(env->keep, "auto") != 0) {
        snprintf(why, len, "as configured: SQCUBE_WAIT_POLICY=%s", env->keep);
        return 0;
    }
    if (set(env->wait_policy) || set(env->spincount) || set(env->blocktime)) {
        snprintf(why, len, "as configured: %s=%s",
                 set(env->wait_policy) ? "OMP_WAIT_POLICY"
                 : set(env->spincount) ? "GOMP_SPINCOUNT"
                                       : "KMP_BLOCKTIME",
                 set(env->wait_policy) ? env->wait_policy
                 : set(env->spincount) ? env->spincount
                                       : env->blocktime);
        return 0;
    }
    if (env->under_tool) {
        snprintf(why, len, "default (left alone under valgrind or an OpenMP tool)");
        return 0;
    }
    const int ranks = env->local_ranks > 0 ? env->local_ranks : 1;
    const long demand = env->bound ? env->threads : (long)ranks * env->threads;
    if (env->threads <= 1 || env->mask_cpus <= 0 || demand <= env->mask_cpus) {
        snprintf(why, len, "default");
        return 0;
    }
    if (env->bound)
        snprintf(why, len, "%d threads of a rank bound to %d CPU(s)", env->threads, env->mask_cpus);
    else
        snprintf(why, len, "%d rank(s) x %d threads on %d CPU(s) of this host", ranks, env->threads,
                 env->mask_cpus);
    return 1;
}

/* CPUs as the checks use them: up to 1024, as src/affinity.c. */
#define CPU_BITS 1024
#define CPU_BYTES (CPU_BITS / 8)

/* One host of the placement: its ranks, threads and the union of their masks. */
typedef struct host_use {
    const char *host;
    int ranks, threads, max_threads;
    unsigned char cpus[CPU_BYTES];
} host_use;

static int popcount(const unsigned char *bits) {
    int c = 0;
    for (int b = 0; b < CPU_BYTES; ++b)
        c += __builtin_popcount(bits[b]);
    return c;
}

static int by_rank(const void *a, const void *b) {
    const sq_affinity_row *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Appends "; note" to msg when there is a note. */
static void add_note(char *msg, size_t len, const char *note) {
    const size_t used = strlen(msg);
    if (set(note) && used < len)
        snprintf(msg + used, len - used, "; %s", note);
}

int sq_tune_oversubscribed(const sq_affinity_row *rows, int n, int nranks, int omp_num_threads_set,
                           const char *wait_note, char *msg, size_t len) {
    msg[0] = '\0';
    host_use *hosts = calloc((size_t)(n > 0 ? n : 1), sizeof *hosts);
    sq_affinity_row *sorted = malloc(sizeof *sorted * (size_t)(n > 0 ? n : 1));
    if (hosts == NULL || sorted == NULL) {
        free(sorted);
        free(hosts);
        return 0;
    }
    memcpy(sorted, rows, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, by_rank);
    int nh = 0, found = 0;
    for (int i = 0, j; i < n; i = j) {
        /* One rank: its threads and the union of their masks (each thread may be bound to one
         * CPU of the rank's set, OMP_PLACES=cores). */
        unsigned char mine[CPU_BYTES] = {0};
        for (j = i; j < n && sorted[j].rank == sorted[i].rank; ++j) {
            unsigned char m[CPU_BYTES];
            if (sq_cpulist_parse(sorted[j].mask, m, CPU_BITS) > 0)
                for (int b = 0; b < CPU_BYTES; ++b)
                    mine[b] |= m[b];
        }
        const sq_affinity_row *r = &sorted[i];
        const int threads = j - i, cpus = popcount(mine);
        int h = 0;
        while (h < nh && strcmp(hosts[h].host, r->host) != 0)
            ++h;
        if (h == nh)
            hosts[nh++].host = r->host;
        for (int b = 0; b < CPU_BYTES; ++b)
            hosts[h].cpus[b] |= mine[b];
        hosts[h].threads += threads;
        hosts[h].ranks++;
        if (threads > hosts[h].max_threads)
            hosts[h].max_threads = threads;
        if (!found && cpus > 0 && threads > cpus) {
            char list[SQ_AFFINITY_MASK_MAX];
            sq_cpulist_format(mine, CPU_BITS, list, sizeof list);
            snprintf(msg, len,
                     "rank %d on %s runs %d threads on the %d CPU(s) it is bound to (%s), so they "
                     "wait for each other at every chunk; give each thread a core: "
                     "OMP_NUM_THREADS=%d mpirun -np %d --map-by slot:PE=%d --bind-to core -x "
                     "OMP_NUM_THREADS sqcube run ... (srun: --cpus-per-task=%d --cpu-bind=cores), "
                     "or lower OMP_NUM_THREADS",
                     r->rank, r->host, threads, cpus, list, threads, nranks, threads, threads);
            found = 1;
        }
    }
    for (int h = 0; h < nh && !found; ++h) {
        const host_use *u = &hosts[h];
        const int cpus = popcount(u->cpus);
        if (cpus <= 0 || u->threads <= cpus)
            continue;
        if (u->ranks > cpus) {
            snprintf(msg, len,
                     "%s runs %d ranks on %d CPU(s), so they wait for each other at every chunk; "
                     "start at most %d rank(s) per host, 1 thread each: OMP_NUM_THREADS=1 mpirun "
                     "--map-by ppr:%d:node --bind-to core -x OMP_NUM_THREADS sqcube run ...",
                     u->host, u->ranks, cpus, cpus, cpus);
        } else {
            const int t = cpus / u->ranks;
            snprintf(msg, len,
                     "%s runs %d threads (%d rank(s) x %d) on %d CPU(s), so they wait for each "
                     "other at every chunk%s; give each thread a core: OMP_NUM_THREADS=%d mpirun "
                     "-np %d --map-by slot:PE=%d --bind-to core -x OMP_NUM_THREADS sqcube run ... "
                     "(srun: --cpus-per-task=%d --cpu-bind=cores)",
                     u->host, u->threads, u->ranks, u->max_threads, cpus,
                     omp_num_threads_set ? ""
                                         : " (OMP_NUM_THREADS is unset: each rank starts a "
                                           "thread per CPU it may use)",
                     t, nranks, t, t);
        }
        found = 1;
    }
    if (found)
        add_note(msg, len, wait_note);
    free(sorted);
    free(hosts);
    return found;
}
