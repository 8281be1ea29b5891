/*
 * test_launch.c - CUnit suite for src/launch.h: the launch lines `sqcube doctor` suggests.
 *
 * The numbers are read back out of the lines and compared with values worked out by hand from the
 * rule launch.h states: on a workstation, the largest divisor of the core count up to 8 threads per
 * rank and cores / threads ranks; in an allocation, the scheduler's own numbers.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <stdio.h>
#include <string.h>

#include "launch.h"
#include "unit.h"

typedef struct lines {
    char srun[512], mpirun[512], why[256];
} lines;

/* What the lines say: threads (OMP_NUM_THREADS of each line), srun's -N, tasks per node and CPUs
 * per task, mpirun's -np, ranks per node and cores per rank. */
typedef struct parsed {
    int srun_threads, srun_cpt_env, nodes, srun_per_node, cpus_per_task;
    int mpirun_threads, np, mpirun_per_node, pe;
} parsed;

static parsed suggest(const sq_launch_env *env, lines *l) {
    memset(l, 0, sizeof *l);
    sq_launch_suggest(env, l->srun, sizeof l->srun, l->mpirun, sizeof l->mpirun, l->why,
                      sizeof l->why);
    parsed p;
    memset(&p, -1, sizeof p);
    CU_ASSERT_EQUAL(sscanf(l->srun,
                           "OMP_NUM_THREADS=%d OMP_PLACES=cores OMP_PROC_BIND=close "
                           "SRUN_CPUS_PER_TASK=%d srun --mpi=pmix -N %d --ntasks-per-node=%d "
                           "--cpus-per-task=%d",
                           &p.srun_threads, &p.srun_cpt_env, &p.nodes, &p.srun_per_node,
                           &p.cpus_per_task),
                    5);
    CU_ASSERT_EQUAL(sscanf(l->mpirun,
                           "OMP_NUM_THREADS=%d OMP_PLACES=cores OMP_PROC_BIND=close mpirun -np %d "
                           "--map-by ppr:%d:node:PE=%d",
                           &p.mpirun_threads, &p.np, &p.mpirun_per_node, &p.pe),
                    4);
    /* Both lines bind to cores and end by running sqcube. */
    CU_ASSERT_PTR_NOT_NULL(strstr(l->srun, "--cpu-bind=cores sqcube run ..."));
    CU_ASSERT_PTR_NOT_NULL(strstr(l->mpirun, "--bind-to core"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l->mpirun, "sqcube run ..."));
    return p;
}

static void expect(const parsed *p, int nodes, int ranks, int per_node, int threads) {
    CU_ASSERT_EQUAL(p->srun_threads, threads);
    CU_ASSERT_EQUAL(p->srun_cpt_env, threads);
    CU_ASSERT_EQUAL(p->cpus_per_task, threads);
    CU_ASSERT_EQUAL(p->nodes, nodes);
    CU_ASSERT_EQUAL(p->srun_per_node, per_node);
    CU_ASSERT_EQUAL(p->mpirun_threads, threads);
    CU_ASSERT_EQUAL(p->np, ranks);
    CU_ASSERT_EQUAL(p->mpirun_per_node, per_node);
    CU_ASSERT_EQUAL(p->pe, threads);
}

static void test_workstation(void) {
    /* cores -> ranks x threads, by hand: largest divisor <= 8, then cores / threads ranks. */
    static const int table[][3] = {
        {1, 1, 1},  {2, 1, 2},  {4, 1, 4},  {7, 1, 7},  {8, 1, 8},   {11, 11, 1},
        {12, 2, 6}, {16, 2, 8}, {24, 3, 8}, {64, 8, 8}, {96, 12, 8}, {13, 13, 1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i) {
        sq_launch_env env;
        memset(&env, 0, sizeof env);
        env.cores = table[i][0];
        lines l;
        const parsed p = suggest(&env, &l);
        expect(&p, 1, table[i][1], table[i][1], table[i][2]);
        CU_ASSERT_EQUAL(table[i][1] * table[i][2], table[i][0]);
        CU_ASSERT_PTR_NOT_NULL(strstr(l.why, "no batch allocation"));
    }
    /* An unknown core count counts as one core. */
    sq_launch_env env;
    memset(&env, 0, sizeof env);
    lines l;
    const parsed p = suggest(&env, &l);
    expect(&p, 1, 1, 1, 1);
}

static void test_slurm(void) {
    sq_launch_env env;
    memset(&env, 0, sizeof env);
    env.slurm = 1;
    env.slurm_nodes = 4;
    env.slurm_ntasks = 16;
    env.slurm_cpus_per_task = 8;
    env.cores = 2; /* the allocation's numbers win over this node's */
    lines l;
    parsed p = suggest(&env, &l);
    expect(&p, 4, 16, 4, 8);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.why, "Slurm allocation: 16 task(s) on 4 node(s)"));
    /* 5 tasks on 2 nodes: at most 3 per node; no --cpus-per-task: 1 thread. */
    env.slurm_nodes = 2;
    env.slurm_ntasks = 5;
    env.slurm_cpus_per_task = 0;
    p = suggest(&env, &l);
    expect(&p, 2, 5, 3, 1);
    /* A Slurm job that says nothing about tasks: the node's cores, as on a workstation. */
    env.slurm_ntasks = 0;
    env.cores = 16;
    p = suggest(&env, &l);
    expect(&p, 1, 2, 2, 8);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.why, "no batch allocation"));
}

static void test_pbs(void) {
    sq_launch_env env;
    memset(&env, 0, sizeof env);
    env.pbs = 1;
    env.pbs_nodes = 2;
    env.pbs_slots = 8;
    env.pbs_ncpus = 16;
    lines l;
    /* 8 slots on 2 nodes: 4 ranks per node sharing NCPUS = 16 cores: 4 threads each. */
    parsed p = suggest(&env, &l);
    expect(&p, 2, 8, 4, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(l.why, "PBS allocation: 8 MPI slot(s) on 2 node(s)"));
    /* ompthreads (OMP_NUM_THREADS) wins over the NCPUS share. */
    env.omp_num_threads = 2;
    p = suggest(&env, &l);
    expect(&p, 2, 8, 4, 2);
    /* Neither: 1 thread. */
    env.omp_num_threads = 0;
    env.pbs_ncpus = 0;
    p = suggest(&env, &l);
    expect(&p, 2, 8, 4, 1);
}

static void test_small_buffers_stay_terminated(void) {
    sq_launch_env env;
    memset(&env, 0, sizeof env);
    env.cores = 64;
    char srun[16], mpirun[16], why[8];
    memset(srun, 'x', sizeof srun);
    memset(mpirun, 'x', sizeof mpirun);
    memset(why, 'x', sizeof why);
    sq_launch_suggest(&env, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
    CU_ASSERT_EQUAL(strlen(srun), sizeof srun - 1);
    CU_ASSERT_EQUAL(strlen(mpirun), sizeof mpirun - 1);
    CU_ASSERT_EQUAL(strlen(why), sizeof why - 1);
    CU_ASSERT_STRING_EQUAL(srun, "OMP_NUM_THREADS");
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"workstation: largest divisor up to 8 threads", test_workstation},
        {"Slurm: the allocation's tasks, nodes, CPUs per task", test_slurm},
        {"PBS: slots, nodes, ompthreads or NCPUS", test_pbs},
        {"small buffers stay terminated", test_small_buffers_stay_terminated},
    };
    return sq_unit_run("launch", tests, sizeof tests / sizeof tests[0]);
}
