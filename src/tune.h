/*
 * tune.h - decisions sqcube takes about its own launch, so that the plain launch line is fast:
 *
 *  - the MPI transport: Open MPI's single-node transport (pml ob1) when every rank is on one host
 *    and nobody chose a transport (start-up is 0.1-0.2 s shorter than with the default selection);
 *  - the OpenMP wait policy: passive when the threads of a host may outnumber its CPUs, where
 *    spinning threads and busy-polling ranks would take the cores from each other at every chunk;
 *  - the one-line warning, before a run starts, when the threads of a host outnumber its CPUs (or
 *    a rank's threads the CPUs it is bound to), with the launch line that gives each thread a core.
 *
 * Pure: the environment comes in as values (src/startup.c reads it), the placement as the rows of
 * src/affinity.h. No MPI, no HDF5.
 */
#ifndef SQCUBE_TUNE_H
#define SQCUBE_TUNE_H

#include <stddef.h>

#include "affinity.h"

/* What the environment says about the transport, read before MPI starts; NULL or 0 where it says
 * nothing. */
typedef struct sq_tune_transport_env {
    int open_mpi;          /* the MPI library is Open MPI (nothing is chosen for another MPI) */
    const char *keep;      /* SQCUBE_TRANSPORT ("keep": choose nothing) */
    const char *pml;       /* OMPI_MCA_pml (also what `mpirun --mca pml X` passes to the ranks) */
    const char *mtl;       /* OMPI_MCA_mtl */
    const char *file;      /* the first MCA parameter file that sets pml or mtl, or NULL */
    const char *file_key;  /* that file's setting, "pml = ^ucx" */
    const char *file_pml;  /* its value for pml, or NULL when it only sets mtl */
    const char *files_env; /* an OMPI_MCA_mca_base_param_files/_file_prefix/_envar_file_prefix
                              setting: parameter files sqcube does not read (keep) */
    int world_size;        /* OMPI_COMM_WORLD_SIZE (0: not started by Open MPI's mpirun) */
    int local_size;        /* OMPI_COMM_WORLD_LOCAL_SIZE */
    int slurm_step_nodes;  /* SLURM_STEP_NUM_NODES, in a task of srun (0: not set) */
    int slurm_step_tasks;  /* SLURM_STEP_NUM_TASKS */
} sq_tune_transport_env;

/* Whether to choose pml ob1 (1) or leave the transport alone (0); why gets the text recorded in
 * /provenance/mpi_transport: "pml ob1, chosen by sqcube: all 2 ranks on one host" or "as
 * configured: OMPI_MCA_pml=ucx" and the like. An exclusion list in a parameter file that leaves
 * ob1 allowed ("pml = ^ucx", Debian's default) does not stop the choice; any OMPI_MCA_pml does. */
int sq_tune_transport(const sq_tune_transport_env *env, char *why, size_t len);

/* Finds the pml and mtl settings in the text of an MCA parameter file ("key = value" lines, '#'
 * comments). Writes the value of pml into pml (or "" when unset) and of mtl into mtl. Returns 1
 * when either is set. */
int sq_tune_parse_mca_file(const char *text, char *pml, size_t pml_len, char *mtl, size_t mtl_len);

/* What a process knows about its CPUs before MPI starts. */
typedef struct sq_tune_cpu_env {
    int threads;             /* OpenMP threads per rank (omp_get_max_threads) */
    int mask_cpus;           /* CPUs in this process's affinity mask */
    int bound;               /* this process's mask differs from the launcher's: the launcher bound
                                it, and other ranks of the host run elsewhere */
    int local_ranks;         /* ranks of the job on this host (1 when unknown) */
    const char *wait_policy; /* OMP_WAIT_POLICY */
    const char *spincount;   /* GOMP_SPINCOUNT */
    const char *blocktime;   /* KMP_BLOCKTIME (LLVM's OpenMP) */
    const char *keep;        /* SQCUBE_WAIT_POLICY ("keep": change nothing) */
    const char *done;        /* SQCUBE_REEXEC: set by sqcube when it re-executed itself */
    int under_tool;          /* valgrind, or an OpenMP tool (OMP_TOOL_LIBRARIES), is loaded */
} sq_tune_cpu_env;

/* Whether this process should re-execute itself with OMP_WAIT_POLICY=passive (1) or not (0): its
 * threads may outnumber the CPUs (bound: threads > CPUs of its mask; unbound: ranks of the host x
 * threads > CPUs of the mask), it has more than one thread, and nobody set a wait policy or opted
 * out. why gets the text recorded in /provenance/omp_wait_policy (and, when 1, the reason that
 * travels in SQCUBE_REEXEC). */
int sq_tune_wait_policy(const sq_tune_cpu_env *env, char *why, size_t len);

/* The one-line warning over the placement of every thread of the job (the rows of
 * sq_affinity_collect from all ranks): writes it into msg and returns 1 when, on some host, the
 * threads outnumber the CPUs of the masks of its ranks, or a rank's threads the CPUs of its own
 * mask; returns 0 (msg "") otherwise. nranks: ranks in the job (for the suggested line);
 * omp_num_threads_set: OMP_NUM_THREADS was set; wait_note: what this run does about it (e.g.
 * "sqcube set OMP_WAIT_POLICY=passive for this run"), or "" for nothing. */
int sq_tune_oversubscribed(const sq_affinity_row *rows, int n, int nranks, int omp_num_threads_set,
                           const char *wait_note, char *msg, size_t len);

#endif
