/*
 * startup.c - the environment before MPI starts: transport, wait policy, and no lockedfile probe.
 * See startup.h.
 */
#include "startup.h"

#include "parallel.h"
#include "tune.h"

#include <errno.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SQCUBE_OMPI_SYSCONFDIR
#define SQCUBE_OMPI_SYSCONFDIR "/etc/openmpi"
#endif

static sq_startup_info info;

static int env_int(const char *name) {
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    const long v = strtol(s, &end, 10);
    return (*end == '\0' && v > 0 && v < 1 << 30) ? (int)v : 0;
}

static int mask_cpus(pid_t pid, cpu_set_t *set) {
    CPU_ZERO(set);
    return sched_getaffinity(pid, sizeof *set, set) == 0 ? CPU_COUNT(set) : 0;
}

/* Runs again as the same program with OMP_WAIT_POLICY=passive, when tune says so. */
static void choose_wait_policy(char **argv) {
    cpu_set_t mine, parent;
    const int n = mask_cpus(0, &mine), np = mask_cpus(getppid(), &parent);
    const char *preload = getenv("LD_PRELOAD"), *tool = getenv("OMP_TOOL_LIBRARIES");
    sq_tune_cpu_env env = {
        .mask_cpus = n,
        .bound = np > 0 && !CPU_EQUAL(&mine, &parent),
        .local_ranks =
            env_int("OMPI_COMM_WORLD_LOCAL_SIZE") > 0
                ? env_int("OMPI_COMM_WORLD_LOCAL_SIZE")
                : (env_int("SLURM_STEP_NUM_NODES") == 1 ? env_int("SLURM_STEP_NUM_TASKS") : 1),
        .wait_policy = getenv("OMP_WAIT_POLICY"),
        .spincount = getenv("GOMP_SPINCOUNT"),
        .blocktime = getenv("KMP_BLOCKTIME"),
        .keep = getenv("SQCUBE_WAIT_POLICY"),
        .done = getenv("SQCUBE_REEXEC"),
        /* valgrind would not follow the exec; an OpenMP tool (Archer under TSan) would start
         * twice. */
        .under_tool = (preload != NULL && strstr(preload, "vgpreload") != NULL) ||
                      (tool != NULL && *tool != '\0'),
    };
    /* The OpenMP runtime is asked only when the answer matters: LLVM's starts its tools then. */
    if (!env.under_tool && !env.done && !env.keep && !env.wait_policy && !env.spincount &&
        !env.blocktime)
        env.threads = omp_get_max_threads();
    const char *done = env.done;
    info.wait_passive_by_us = done != NULL && *done != '\0';
    if (!sq_tune_wait_policy(&env, info.wait_policy, sizeof info.wait_policy))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) == 0 &&
        setenv("SQCUBE_REEXEC", info.wait_policy, 1) == 0) {
        fflush(NULL);
        execv("/proc/self/exe", argv);
    }
    /* Still here: the exec failed. Run as we are, and say so in /provenance. */
    const int e = errno;
    unsetenv("OMP_WAIT_POLICY");
    unsetenv("SQCUBE_REEXEC");
    snprintf(info.wait_policy, sizeof info.wait_policy,
             "default (could not re-execute /proc/self/exe to set OMP_WAIT_POLICY=passive: %s)",
             strerror(e));
}

/* The first parameter file that sets pml or mtl: the user's, then the installation's (Open MPI's
 * only: nothing for another MPI). */
static void find_param_file(sq_tune_transport_env *env, char *path, size_t path_len, char *key,
                            size_t key_len, char *pml, size_t pml_len) {
    if (!env->open_mpi)
        return;
    char candidates[3][1024];
    int nc = 0;
    const char *home = getenv("HOME"), *prefix = getenv("OPAL_PREFIX");
    if (home != NULL)
        snprintf(candidates[nc++], sizeof candidates[0], "%s/.openmpi/mca-params.conf", home);
    if (prefix != NULL)
        snprintf(candidates[nc++], sizeof candidates[0], "%s/etc/openmpi-mca-params.conf", prefix);
    snprintf(candidates[nc++], sizeof candidates[0], "%s/openmpi-mca-params.conf",
             SQCUBE_OMPI_SYSCONFDIR);
    for (int i = 0; i < nc; ++i) {
        FILE *f = fopen(candidates[i], "r");
        if (f == NULL)
            continue;
        static char text[65536];
        const size_t got = fread(text, 1, sizeof text - 1, f);
        text[got] = '\0';
        fclose(f);
        char mtl[256];
        if (!sq_tune_parse_mca_file(text, pml, pml_len, mtl, sizeof mtl))
            continue;
        if ((size_t)snprintf(path, path_len, "%s", candidates[i]) >= path_len)
            continue;
        /* A positive mtl choice outweighs a pml exclusion: report it first. */
        if (mtl[0] != '\0' && (pml[0] == '\0' || mtl[0] != '^'))
            snprintf(key, key_len, "mtl = %s", mtl);
        else
            snprintf(key, key_len, "pml = %s", pml);
        env->file = path;
        env->file_key = key;
        env->file_pml = pml[0] != '\0' ? pml : NULL;
        return;
    }
}

static void choose_transport(void) {
    static const char *const file_vars[] = {"OMPI_MCA_mca_base_param_files",
                                            "OMPI_MCA_mca_base_param_file_prefix",
                                            "OMPI_MCA_mca_base_envar_file_prefix"};
    char files_env[512] = "", path[1024] = "", key[300] = "", pml[256] = "";
    for (size_t i = 0; i < sizeof file_vars / sizeof file_vars[0] && !files_env[0]; ++i)
        if (getenv(file_vars[i]) != NULL && *getenv(file_vars[i]) != '\0')
            snprintf(files_env, sizeof files_env, "%s=%s", file_vars[i], getenv(file_vars[i]));
    sq_tune_transport_env env = {
        .open_mpi = sq_par_is_open_mpi(),
        .keep = getenv("SQCUBE_TRANSPORT"),
        .pml = getenv("OMPI_MCA_pml"),
        .mtl = getenv("OMPI_MCA_mtl"),
        .files_env = files_env,
        .world_size = env_int("OMPI_COMM_WORLD_SIZE"),
        .local_size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE"),
        .slurm_step_nodes = getenv("SLURM_PROCID") != NULL ? env_int("SLURM_STEP_NUM_NODES") : 0,
        .slurm_step_tasks = env_int("SLURM_STEP_NUM_TASKS"),
    };
    find_param_file(&env, path, sizeof path, key, sizeof key, pml, sizeof pml);
    if (sq_tune_transport(&env, info.transport, sizeof info.transport) &&
        setenv("OMPI_MCA_pml", "ob1", 0) != 0)
        snprintf(info.transport, sizeof info.transport, "as configured: setenv failed: %s",
                 strerror(errno));
}

/* Open MPI's MPI-IO probes every file it opens for its shared file pointers, and its lockedfile
 * component does so by opening NAME.locktest.RANK beside each file NAME (the output's) with O_CREAT
 * and no O_EXCL, which follows a link planted there (docs/reliability.md#shared-directories).
 * sqcube never uses shared file pointers: that component is left out unless the user set
 * OMPI_MCA_sharedfp (mpirun --mca sharedfp ... sets it too). */
static void skip_lockedfile_probe(void) {
    if (sq_par_is_open_mpi() && getenv("OMPI_MCA_sharedfp") == NULL)
        (void)setenv("OMPI_MCA_sharedfp", "^lockedfile", 0);
}

void sq_startup_prepare(int argc, char **argv) {
    (void)argc;
    info.omp_num_threads_set = getenv("OMP_NUM_THREADS") != NULL;
    choose_wait_policy(argv);
    choose_transport();
    skip_lockedfile_probe();
}

const sq_startup_info *sq_startup_get(void) {
    return &info;
}
