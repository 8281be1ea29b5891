/*
 * test_tune.c - CUnit suite for src/tune.h: when sqcube chooses Open MPI's single-node transport
 * and when it leaves the transport alone (user settings, parameter files, several hosts, srun),
 * the MCA parameter file reader, when a process re-executes itself with a passive wait policy,
 * and the oversubscription warning on hand-made placement tables.
 *
 * Every expected decision and text is written out by hand from the inputs.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <stdio.h>
#include <string.h>

#include "tune.h"
#include "unit.h"

static int has(const char *text, const char *part) {
    const int ok = strstr(text, part) != NULL;
    if (!ok)
        fprintf(stderr, "\n  '%s' not in '%s'\n", part, text);
    return ok;
}

static void test_transport(void) {
    char why[512];
    /* mpirun -np 2 on one host, nothing chosen: ob1. */
    sq_tune_transport_env e = {.open_mpi = 1, .world_size = 2, .local_size = 2};
    CU_ASSERT_EQUAL(sq_tune_transport(&e, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "pml ob1, chosen by sqcube: all 2 ranks on one host");
    /* Two hosts: 4 ranks, 2 here. */
    sq_tune_transport_env two = {.open_mpi = 1, .world_size = 4, .local_size = 2};
    CU_ASSERT_EQUAL(sq_tune_transport(&two, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why,
                           "as configured: the 4 ranks span more than one host (2 on this one)");
    /* The user's choices win: any OMPI_MCA_pml (an exclusion too), an mtl, the opt-out. */
    sq_tune_transport_env u = e;
    u.pml = "ob1";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: OMPI_MCA_pml=ob1");
    u.pml = "^ucx";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: OMPI_MCA_pml=^ucx");
    u = e;
    u.mtl = "psm2";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: OMPI_MCA_mtl=psm2");
    u = e;
    u.keep = "keep";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: SQCUBE_TRANSPORT=keep");
    u.keep = "auto"; /* the default, spelled out */
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 1);
    u = e;
    u.files_env = "OMPI_MCA_mca_base_param_files=/x.conf";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: OMPI_MCA_mca_base_param_files=/x.conf");
    /* Parameter files: Debian's exclusion leaves ob1 allowed; a choice or an exclusion of ob1
     * does not. */
    u = e;
    u.file = "/etc/openmpi/openmpi-mca-params.conf";
    u.file_key = "pml = ^ucx";
    u.file_pml = "^ucx";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 1);
    u.file_key = "pml = ucx";
    u.file_pml = "ucx";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: pml = ucx in /etc/openmpi/openmpi-mca-params.conf");
    u.file_key = "pml = ^cm,ob1";
    u.file_pml = "^cm,ob1";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    u.file_key = "pml = ^ob1x"; /* a name that only starts like ob1 */
    u.file_pml = "^ob1x";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 1);
    u.file_key = "mtl = ^ofi";
    u.file_pml = NULL;
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 1);
    u.file_key = "mtl = psm2";
    CU_ASSERT_EQUAL(sq_tune_transport(&u, why, sizeof why), 0);
    /* srun: one node, or several. */
    sq_tune_transport_env s = {.open_mpi = 1, .slurm_step_nodes = 1, .slurm_step_tasks = 3};
    CU_ASSERT_EQUAL(sq_tune_transport(&s, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why,
                           "pml ob1, chosen by sqcube: all 3 ranks of the srun step on one node");
    s.slurm_step_nodes = 2;
    CU_ASSERT_EQUAL(sq_tune_transport(&s, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: the srun step spans 2 nodes");
    /* A singleton, and another MPI. */
    sq_tune_transport_env one = {.open_mpi = 1};
    CU_ASSERT_EQUAL(sq_tune_transport(&one, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "pml ob1, chosen by sqcube: one rank, started without mpirun");
    sq_tune_transport_env mpich = {.open_mpi = 0, .world_size = 2, .local_size = 2};
    CU_ASSERT_EQUAL(sq_tune_transport(&mpich, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: the MPI library is not Open MPI");
}

static void test_mca_file(void) {
    char pml[64], mtl[64];
    const char *debian = "# comment = not a key\n"
                         "btl_base_warn_component_unused=0\n"
                         "mtl = ^ofi\n"
                         "btl = ^uct,openib,ofi\n"
                         "pml = ^ucx   # trailing comment\n"
                         "osc = ^ucx,pt2pt\n";
    CU_ASSERT_EQUAL(sq_tune_parse_mca_file(debian, pml, sizeof pml, mtl, sizeof mtl), 1);
    CU_ASSERT_STRING_EQUAL(pml, "^ucx");
    CU_ASSERT_STRING_EQUAL(mtl, "^ofi");
    CU_ASSERT_EQUAL(sq_tune_parse_mca_file("btl=self,vader\n#pml=ucx\npml_ob1_x = 1", pml,
                                           sizeof pml, mtl, sizeof mtl),
                    0);
    CU_ASSERT_STRING_EQUAL(pml, "");
    CU_ASSERT_STRING_EQUAL(mtl, "");
    /* The last setting wins, and a file without a final newline is read to its end. */
    CU_ASSERT_EQUAL(
        sq_tune_parse_mca_file("pml=cm\n  pml\t=\tucx", pml, sizeof pml, mtl, sizeof mtl), 1);
    CU_ASSERT_STRING_EQUAL(pml, "ucx");
    CU_ASSERT_EQUAL(sq_tune_parse_mca_file("", pml, sizeof pml, mtl, sizeof mtl), 0);
}

static void test_wait_policy(void) {
    char why[512];
    /* 2 ranks x 2 threads, unbound, on 2 CPUs: passive. */
    sq_tune_cpu_env e = {.threads = 2, .mask_cpus = 2, .local_ranks = 2};
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&e, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "2 rank(s) x 2 threads on 2 CPU(s) of this host");
    /* 2 x 1 unbound, 1 x 2 unbound: they fit. */
    sq_tune_cpu_env f = {.threads = 1, .mask_cpus = 2, .local_ranks = 2};
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&f, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "default");
    f.threads = 2;
    f.local_ranks = 1;
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&f, why, sizeof why), 0);
    /* Many ranks of one thread each: no OpenMP threads to wait, nothing to change. */
    sq_tune_cpu_env many = {.threads = 1, .mask_cpus = 2, .local_ranks = 32};
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&many, why, sizeof why), 0);
    /* Bound: the rank's own CPUs count, not the host's ranks. */
    sq_tune_cpu_env b = {.threads = 2, .mask_cpus = 1, .local_ranks = 2, .bound = 1};
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&b, why, sizeof why), 1);
    CU_ASSERT_STRING_EQUAL(why, "2 threads of a rank bound to 1 CPU(s)");
    b.mask_cpus = 2; /* 2 ranks bound to 2 cores each, 2 threads: fits */
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&b, why, sizeof why), 0);
    /* The user's settings, the opt-out, valgrind, and the re-executed process itself. */
    sq_tune_cpu_env u = e;
    u.wait_policy = "active";
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: OMP_WAIT_POLICY=active");
    u = e;
    u.spincount = "1000";
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: GOMP_SPINCOUNT=1000");
    u = e;
    u.blocktime = "0";
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: KMP_BLOCKTIME=0");
    u = e;
    u.keep = "keep";
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "as configured: SQCUBE_WAIT_POLICY=keep");
    u = e;
    u.under_tool = 1;
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(why, "default (left alone under valgrind or an OpenMP tool)");
    u = e;
    u.done = "2 rank(s) x 2 threads on 2 CPU(s) of this host";
    u.wait_policy = "passive";
    CU_ASSERT_EQUAL(sq_tune_wait_policy(&u, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(
        why, "passive, set by sqcube: 2 rank(s) x 2 threads on 2 CPU(s) of this host");
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

static void test_oversubscribed(void) {
    char msg[2048];
    /* 2 x 2 unbound on a 2-CPU host: 4 threads on 2 CPUs; 1 thread each would fit. */
    sq_affinity_row unbound[] = {row(0, 0, 2, "h", "0-1", 2), row(0, 1, 2, "h", "0-1", 2),
                                 row(1, 0, 2, "h", "0-1", 2), row(1, 1, 2, "h", "0-1", 2)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(unbound, 4, 2, 0, "", msg, sizeof msg), 1);
    CU_ASSERT(has(msg, "h runs 4 threads (2 rank(s) x 2) on 2 CPU(s)"));
    CU_ASSERT(has(msg, "OMP_NUM_THREADS is unset"));
    CU_ASSERT(has(msg, "OMP_NUM_THREADS=1 mpirun -np 2 --map-by slot:PE=1 --bind-to core"));
    CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(unbound, 4, 2, 1, "note", msg, sizeof msg), 1);
    CU_ASSERT_PTR_NULL(strstr(msg, "unset"));
    CU_ASSERT(has(msg, "; note"));
    /* 1 rank bound to one core with 2 threads. */
    sq_affinity_row piled[] = {row(0, 0, 2, "h", "0", 1), row(0, 1, 2, "h", "0", 1)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(piled, 2, 1, 1, "", msg, sizeof msg), 1);
    CU_ASSERT(has(msg, "rank 0 on h runs 2 threads on the 1 CPU(s) it is bound to (0)"));
    CU_ASSERT(has(msg, "OMP_NUM_THREADS=2 mpirun -np 1 --map-by slot:PE=2 --bind-to core"));
    /* Threads each bound to one CPU of the rank's two (OMP_PLACES=cores): fits. */
    sq_affinity_row places[] = {row(0, 0, 2, "h", "0", 1), row(0, 1, 2, "h", "1", 1),
                                row(1, 0, 2, "h", "2", 1), row(1, 1, 2, "h", "3", 1)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(places, 4, 2, 1, "", msg, sizeof msg), 0);
    CU_ASSERT_STRING_EQUAL(msg, "");
    /* 2 x 1 bound, 2 x 1 unbound: fit. */
    sq_affinity_row bound21[] = {row(0, 0, 1, "h", "0", 1), row(1, 0, 1, "h", "1", 1)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(bound21, 2, 2, 1, "", msg, sizeof msg), 0);
    sq_affinity_row unbound21[] = {row(1, 0, 1, "h", "0-1", 2), row(0, 0, 1, "h", "0-1", 2)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(unbound21, 2, 2, 1, "", msg, sizeof msg), 0);
    /* Two hosts of 2 CPUs, 2 x 1 each: fits; the same names on one host would not. */
    sq_affinity_row two[] = {row(0, 0, 2, "a", "0-1", 2), row(0, 1, 2, "a", "0-1", 2),
                             row(1, 0, 2, "b", "0-1", 2), row(1, 1, 2, "b", "0-1", 2)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(two, 4, 2, 1, "", msg, sizeof msg), 0);
    /* 3 ranks of 1 thread on 2 CPUs: too many ranks; advice on ranks, not threads. */
    sq_affinity_row three[] = {row(0, 0, 1, "h", "0-1", 2), row(1, 0, 1, "h", "0-1", 2),
                               row(2, 0, 1, "h", "0-1", 2)};
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(three, 3, 3, 1, "", msg, sizeof msg), 1);
    CU_ASSERT(has(msg, "h runs 3 ranks on 2 CPU(s)"));
    CU_ASSERT(has(msg, "at most 2 rank(s) per host"));
    /* A message cut to fit its buffer stays a string. */
    char small[40];
    CU_ASSERT_EQUAL(sq_tune_oversubscribed(unbound, 4, 2, 0, "a note", small, sizeof small), 1);
    CU_ASSERT_TRUE(strlen(small) < sizeof small);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"transport: chosen or left alone", test_transport},
        {"MCA parameter files", test_mca_file},
        {"wait policy: when to re-execute", test_wait_policy},
        {"oversubscription warning on hand-made tables", test_oversubscribed},
    };
    return sq_unit_run("tune", tests, sizeof tests / sizeof tests[0]);
}
