/*
 * launch.c - suggested launch lines. See launch.h.
 */
#include "launch.h"

#include <stdio.h>

/* Threads per rank for a node of cores cores: the largest divisor of cores up to 8 (a rank per
 * group of cores that share a cache on most machines), so that ranks x threads = cores. */
static int threads_for(int cores) {
    for (int t = cores < 8 ? cores : 8; t > 1; --t)
        if (cores % t == 0)
            return t;
    return 1;
}

void sq_launch_suggest(const sq_launch_env *env, char *srun_line, size_t srun_len,
                       char *mpirun_line, size_t mpirun_len, char *why, size_t why_len) {
    int nodes = 1, ranks, threads;
    const int cores = env->cores > 0 ? env->cores : 1;
    if (env->slurm && env->slurm_ntasks > 0) {
        nodes = env->slurm_nodes > 0 ? env->slurm_nodes : 1;
        ranks = env->slurm_ntasks;
        threads = env->slurm_cpus_per_task > 0 ? env->slurm_cpus_per_task : 1;
        snprintf(why, why_len,
                 "Slurm allocation: %d task(s) on %d node(s), %d CPU(s) per task; threads per "
                 "rank from SLURM_CPUS_PER_TASK",
                 ranks, nodes, threads);
    } else if (env->pbs && env->pbs_slots > 0) {
        nodes = env->pbs_nodes > 0 ? env->pbs_nodes : 1;
        ranks = env->pbs_slots;
        const int per_node = ranks / nodes > 0 ? ranks / nodes : 1;
        threads = env->omp_num_threads > 0 ? env->omp_num_threads
                  : env->pbs_ncpus > 0
                      ? (env->pbs_ncpus / per_node > 0 ? env->pbs_ncpus / per_node : 1)
                      : 1;
        snprintf(why, why_len,
                 "PBS allocation: %d MPI slot(s) on %d node(s) in PBS_NODEFILE, %d thread(s) per "
                 "rank (ompthreads / NCPUS)",
                 ranks, nodes, threads);
    } else {
        threads = threads_for(cores);
        ranks = cores / threads;
        snprintf(why, why_len,
                 "no batch allocation: this node's %d core(s) as %d rank(s) x %d thread(s) (at "
                 "most 8 threads per rank)",
                 cores, ranks, threads);
    }
    const int per_node = (ranks + nodes - 1) / nodes;
    snprintf(srun_line, srun_len,
             "OMP_NUM_THREADS=%d OMP_PLACES=cores OMP_PROC_BIND=close SRUN_CPUS_PER_TASK=%d srun "
             "--mpi=pmix -N %d --ntasks-per-node=%d --cpus-per-task=%d --cpu-bind=cores sqcube "
             "run ...",
             threads, threads, nodes, per_node, threads);
    snprintf(mpirun_line, mpirun_len,
             "OMP_NUM_THREADS=%d OMP_PLACES=cores OMP_PROC_BIND=close mpirun -np %d --map-by "
             "ppr:%d:node:PE=%d --bind-to core -x OMP_NUM_THREADS -x OMP_PLACES -x OMP_PROC_BIND "
             "sqcube run ...",
             threads, ranks, per_node, threads);
}
