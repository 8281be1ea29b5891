/*
 * startup.h - what sqcube does before MPI starts, so that the plain launch line is fast (the
 * decisions are src/tune.c's; this module reads the environment and acts on them):
 *
 *  - re-executes the process once (same PID, arguments and environment, plus
 *    OMP_WAIT_POLICY=passive and the guard SQCUBE_REEXEC) when its OpenMP threads may outnumber
 *    the CPUs of the host: the OpenMP runtime reads its wait policy only when it is loaded;
 *  - sets OMPI_MCA_pml=ob1 (Open MPI's single-node transport) when every rank is on one host and
 *    nobody chose a transport;
 *  - sets OMPI_MCA_sharedfp=^lockedfile (Open MPI) unless the user set it: that component's probe
 *    opens OUTPUT.partial[.creating].locktest.RANK without O_EXCL, through a link planted there.
 *
 * Opt-outs: SQCUBE_WAIT_POLICY=keep, SQCUBE_TRANSPORT=keep (docs/cli.md, Environment). Reads the
 * environment, MCA parameter files and affinity masks; calls no MPI function (parallel.c's
 * sq_par_is_open_mpi, known at build time, tells which MPI it is).
 */
#ifndef SQCUBE_STARTUP_H
#define SQCUBE_STARTUP_H

/* What startup decided, for /provenance and the oversubscription warning. */
typedef struct sq_startup_info {
    char transport[256];     /* /provenance/mpi_transport */
    char wait_policy[256];   /* /provenance/omp_wait_policy */
    int wait_passive_by_us;  /* 1 when this process runs with OMP_WAIT_POLICY=passive set by sqcube
                              */
    int omp_num_threads_set; /* OMP_NUM_THREADS was set */
} sq_startup_info;

/* Call first in main, before MPI_Init: may re-execute the process (then it does not return) and
 * may set OMPI_MCA_pml and OMPI_MCA_sharedfp. argv must be main's, NULL-terminated. */
void sq_startup_prepare(int argc, char **argv);

/* What sq_startup_prepare decided. */
const sq_startup_info *sq_startup_get(void);

#endif
