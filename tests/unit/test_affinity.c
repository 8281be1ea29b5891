/*
 * test_affinity.c - CUnit suite for src/affinity.h and src/launch.h: CPU lists both ways, the
 * placement checks on hand-made tables (piled threads, ranks sharing cores, a clean binding), the
 * rows of this process, and the suggested launch lines for Slurm, PBS and a workstation.
 *
 * Expected lists and verdicts are written out by hand from the tables.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "launch.h"
#include "unit.h"

#define NB 1024

static void set_bits(unsigned char *bits, const int *cpus, int n) {
    memset(bits, 0, NB / 8);
    for (int i = 0; i < n; ++i)
        bits[cpus[i] / 8] |= (unsigned char)(1u << (cpus[i] % 8));
}

static void test_cpulist_format(void) {
    unsigned char bits[NB / 8];
    char buf[64];
    const int a[] = {0, 1, 2, 3, 8, 10, 11};
    set_bits(bits, a, 7);
    CU_ASSERT_EQUAL(sq_cpulist_format(bits, NB, buf, sizeof buf), 7);
    CU_ASSERT_STRING_EQUAL(buf, "0-3,8,10-11");
    const int b[] = {1023};
    set_bits(bits, b, 1);
    CU_ASSERT_EQUAL(sq_cpulist_format(bits, NB, buf, sizeof buf), 1);
    CU_ASSERT_STRING_EQUAL(buf, "1023");
    set_bits(bits, b, 0);
    CU_ASSERT_EQUAL(sq_cpulist_format(bits, NB, buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    /* Every other CPU: too long for 16 bytes, cut with "...", the count still whole. */
    int odd[512];
    for (int i = 0; i < 512; ++i)
        odd[i] = 2 * i + 1;
    set_bits(bits, odd, 512);
    char small[16];
    CU_ASSERT_EQUAL(sq_cpulist_format(bits, NB, small, sizeof small), 512);
    CU_ASSERT_PTR_NOT_NULL(strstr(small, "..."));
    CU_ASSERT_TRUE(strlen(small) < sizeof small);
    CU_ASSERT_EQUAL(strncmp(small, "1,3,5", 5), 0);
}

static void test_cpulist_parse(void) {
    unsigned char bits[NB / 8], want[NB / 8];
    const int a[] = {0, 1, 2, 3, 8, 10, 11};
    set_bits(want, a, 7);
    CU_ASSERT_EQUAL(sq_cpulist_parse("0-3,8,10-11", bits, NB), 7);
    CU_ASSERT_EQUAL(memcmp(bits, want, sizeof bits), 0);
    CU_ASSERT_EQUAL(sq_cpulist_parse("", bits, NB), 0);
    CU_ASSERT_EQUAL(sq_cpulist_parse("5,5,4-6", bits, NB), 3); /* repeats count once */
    CU_ASSERT_EQUAL(sq_cpulist_parse("3-1", bits, NB), -1);
    CU_ASSERT_EQUAL(sq_cpulist_parse("1,,2", bits, NB), -1);
    CU_ASSERT_EQUAL(sq_cpulist_parse("x", bits, NB), -1);
    CU_ASSERT_EQUAL(sq_cpulist_parse("1024", bits, NB), -1);
    CU_ASSERT_EQUAL(sq_cpulist_parse("-1", bits, NB), -1);
    /* Round trip. */
    char buf[64];
    sq_cpulist_format(want, NB, buf, sizeof buf);
    CU_ASSERT_EQUAL(sq_cpulist_parse(buf, bits, NB), 7);
    CU_ASSERT_EQUAL(memcmp(bits, want, sizeof bits), 0);
}

static sq_affinity_row row(int rank, int thread, int nthreads, const char *host, const char *mask,
                           int ncpus) {
    sq_affinity_row r;
    memset(&r, 0, sizeof r);
    r.rank = rank;
    r.thread = thread;
    r.nthreads = nthreads;
    r.cpu = -1;
    r.ncpus = ncpus;
    snprintf(r.host, sizeof r.host, "%s", host);
    snprintf(r.mask, sizeof r.mask, "%s", mask);
    return r;
}

static void test_check(void) {
    char msg[512];
    /* 2 ranks x 2 threads, each thread on a core of its own, ranks on disjoint cores: ok. */
    sq_affinity_row good[] = {row(0, 0, 2, "n1", "0", 1), row(0, 1, 2, "n1", "1", 1),
                              row(1, 0, 2, "n1", "2", 1), row(1, 1, 2, "n1", "3", 1)};
    CU_ASSERT_EQUAL(sq_affinity_check(good, 4, msg, sizeof msg), SQ_AFFINITY_OK);
    /* The same core numbers on two hosts are different cores: ok. */
    sq_affinity_row hosts[] = {row(0, 0, 1, "n1", "0-1", 2), row(1, 0, 1, "n2", "0-1", 2)};
    CU_ASSERT_EQUAL(sq_affinity_check(hosts, 2, msg, sizeof msg), SQ_AFFINITY_OK);
    /* The classic mistake: a rank bound to one core running 4 threads. */
    sq_affinity_row piled[] = {row(1, 3, 4, "n1", "5", 1), row(1, 0, 4, "n1", "5", 1),
                               row(1, 1, 4, "n1", "5", 1), row(1, 2, 4, "n1", "5", 1),
                               row(0, 0, 1, "n1", "4", 1)};
    CU_ASSERT_EQUAL(sq_affinity_check(piled, 5, msg, sizeof msg), SQ_AFFINITY_FAIL);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "rank 1 on n1 runs 4 threads on 1 CPU(s) (5)"));
    /* Two ranks of one host with overlapping masks: warn, naming both and the CPU. */
    sq_affinity_row overlap[] = {row(0, 0, 1, "n1", "0-3", 4), row(1, 0, 1, "n2", "0-3", 4),
                                 row(2, 0, 1, "n1", "2-5", 4)};
    CU_ASSERT_EQUAL(sq_affinity_check(overlap, 3, msg, sizeof msg), SQ_AFFINITY_WARN);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "ranks 0 and 2 on n1 may both run on CPU 2"));
    /* Two threads of one rank bound to the same single CPU, the rank having enough CPUs: warn. */
    sq_affinity_row same[] = {row(0, 0, 3, "n1", "0", 1), row(0, 1, 3, "n1", "0", 1),
                              row(0, 2, 3, "n1", "1-2", 2)};
    CU_ASSERT_EQUAL(sq_affinity_check(same, 3, msg, sizeof msg), SQ_AFFINITY_WARN);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bound to the same CPU 0"));
    CU_ASSERT_EQUAL(sq_affinity_check(good, 0, msg, sizeof msg), SQ_AFFINITY_OK);
    CU_ASSERT_STRING_EQUAL(sq_affinity_verdict_name(SQ_AFFINITY_FAIL), "FAIL");
}

static void test_collect(void) {
    omp_set_num_threads(3);
    sq_affinity_row rows[8];
    CU_ASSERT_EQUAL(sq_affinity_collect(7, rows, 2), -1); /* too small */
    const int n = sq_affinity_collect(7, rows, 8);
    CU_ASSERT_EQUAL(n, 3);
    for (int t = 0; t < n; ++t) {
        CU_ASSERT_EQUAL(rows[t].rank, 7);
        CU_ASSERT_EQUAL(rows[t].thread, t);
        CU_ASSERT_EQUAL(rows[t].nthreads, 3);
        CU_ASSERT_TRUE(rows[t].ncpus >= 1);
        CU_ASSERT_TRUE(rows[t].host[0] != '\0');
        unsigned char bits[NB / 8];
        CU_ASSERT_EQUAL(sq_cpulist_parse(rows[t].mask, bits, NB), rows[t].ncpus);
        if (rows[t].cpu >= 0) /* the CPU it ran on is in its mask */
            CU_ASSERT_TRUE((bits[rows[t].cpu / 8] >> (rows[t].cpu % 8)) & 1);
    }
}

static void test_launch(void) {
    char srun[512], mpirun[512], why[256];
    sq_launch_env slurm = {
        .slurm = 1, .slurm_nodes = 2, .slurm_ntasks = 8, .slurm_cpus_per_task = 4, .cores = 16};
    sq_launch_suggest(&slurm, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(strstr(srun, "OMP_NUM_THREADS=4 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(srun, "SRUN_CPUS_PER_TASK=4 srun --mpi=pmix -N 2 "
                                        "--ntasks-per-node=4 --cpus-per-task=4 --cpu-bind=cores"));
    CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, "mpirun -np 8 --map-by ppr:4:node:PE=4 --bind-to core"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Slurm allocation: 8 task(s) on 2 node(s)"));
    sq_launch_env pbs = {.pbs = 1, .pbs_nodes = 2, .pbs_slots = 4, .pbs_ncpus = 16, .cores = 16};
    sq_launch_suggest(&pbs, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, "OMP_NUM_THREADS=8 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, "mpirun -np 4 --map-by ppr:2:node:PE=8"));
    sq_launch_env pbs_omp = {.pbs = 1, .pbs_nodes = 1, .pbs_slots = 2, .omp_num_threads = 3};
    sq_launch_suggest(&pbs_omp, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, "OMP_NUM_THREADS=3 "));
    /* A workstation: the cores as ranks x threads, at most 8 threads per rank. */
    const struct {
        int cores, ranks, threads;
    } ws[] = {{1, 1, 1}, {2, 1, 2}, {6, 1, 6}, {12, 2, 6}, {16, 2, 8}, {7, 1, 7}, {11, 11, 1}};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; ++i) {
        sq_launch_env w = {.cores = ws[i].cores};
        sq_launch_suggest(&w, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
        char want[96];
        snprintf(want, sizeof want, "OMP_NUM_THREADS=%d ", ws[i].threads);
        CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, want));
        snprintf(want, sizeof want, "mpirun -np %d --map-by ppr:%d:node:PE=%d", ws[i].ranks,
                 ws[i].ranks, ws[i].threads);
        CU_ASSERT_PTR_NOT_NULL(strstr(mpirun, want));
        CU_ASSERT_EQUAL(ws[i].ranks * ws[i].threads, ws[i].cores);
    }
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"CPU list: format", test_cpulist_format},
        {"CPU list: parse and round trip", test_cpulist_parse},
        {"placement checks on hand-made tables", test_check},
        {"rows of this process", test_collect},
        {"suggested launch lines", test_launch},
    };
    return sq_unit_run("affinity", tests, sizeof tests / sizeof tests[0]);
}
