/*
 * launch.h - suggested launch lines for the allocation sqcube finds itself in (Slurm, PBS, or a
 * workstation), for `sqcube doctor`. Pure: the environment comes in as values, no MPI, no HDF5.
 */
#ifndef SQCUBE_LAUNCH_H
#define SQCUBE_LAUNCH_H

#include <stddef.h>

/* What the environment says about the allocation; 0 or "" where it says nothing. */
typedef struct sq_launch_env {
    int slurm;               /* inside a Slurm job (SLURM_JOB_ID set) */
    int slurm_nodes;         /* SLURM_JOB_NUM_NODES */
    int slurm_ntasks;        /* SLURM_NTASKS */
    int slurm_cpus_per_task; /* SLURM_CPUS_PER_TASK */
    int pbs;                 /* inside a PBS job (PBS_JOBID set) */
    int pbs_nodes;           /* distinct hosts in PBS_NODEFILE */
    int pbs_slots;           /* lines in PBS_NODEFILE (mpiprocs x nodes) */
    int pbs_ncpus;           /* NCPUS (cores per node chunk) */
    int omp_num_threads;     /* OMP_NUM_THREADS */
    int cores;               /* cores of this node (online CPUs) */
} sq_launch_env;

/* Writes the suggested lines into srun_line and mpirun_line (one shell command each, ending in
 * "sqcube run ..."), and a one-line reason into why: ranks x threads chosen so that ranks x
 * threads fills the cores of each node with at most 8 threads per rank (the allocation's own
 * numbers where the scheduler gives them). */
void sq_launch_suggest(const sq_launch_env *env, char *srun_line, size_t srun_len,
                       char *mpirun_line, size_t mpirun_len, char *why, size_t why_len);

#endif
