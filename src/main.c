/*
 * main.c - sqcube's command line: set up MPI and HDF5, parse, agree, dispatch to the command, and
 * print the one error line. The commands: run.c (run), verify.c (verify), info.c (info),
 * affinity_cmd.c (affinity), doctor.c (doctor); docs/architecture.md draws how they fit.
 */
#include <stdio.h>

#include "affinity_cmd.h"
#include "doctor.h"
#include "error.h"
#include "h5io.h"
#include "info.h"
#include "options.h"
#include "parallel.h"
#include "run.h"
#include "sqcube_buildinfo.h"
#include "startup.h"
#include "verify.h"

int main(int argc, char **argv) {
    sq_par par = {0};
    sq_error err;
    sq_options opt;
    sq_error_clear(&err);

    /* Phase: setup. Before MPI starts: the transport and the OpenMP wait policy (may re-execute
     * the process). Without MPI there is nobody to agree with: report and stop. */
    sq_startup_prepare(argc, argv);
    if (sq_par_init(&argc, &argv, &par, &err) != SQ_OK && par.size == 0) {
        sq_error_print(&err);
        sq_par_finalize();
        return err.status;
    }
    if (err.status == SQ_OK)
        sq_h5_init(&err);
    if (err.status == SQ_OK)
        sq_options_parse(argc, argv, &opt, &err);
    int status = sq_par_agree(&par, &err);

    /* Phase: dispatch. */
    if (status == SQ_OK) {
        switch (opt.command) {
        case SQ_CMD_HELP:
            if (par.rank == 0)
                sq_options_print_help(stdout, opt.help_command);
            break;
        case SQ_CMD_VERSION:
            if (par.rank == 0) {
                char h5[32], mpi[256];
                sq_h5_version(h5, sizeof h5);
                sq_par_library(mpi, sizeof mpi);
                printf("sqcube %s (git %s, %s build, %s)\nHDF5 %s (parallel)\n%s\n", SQCUBE_VERSION,
                       SQCUBE_GIT_COMMIT, SQCUBE_BUILD_TYPE, SQCUBE_COMPILER, h5, mpi);
            }
            break;
        case SQ_CMD_RUN:
            status = sq_run_command(&opt, &par, argc, argv, &err);
            break;
        case SQ_CMD_VERIFY:
            status = sq_verify(&opt, &par, &err);
            break;
        case SQ_CMD_INFO:
            status = sq_info(&opt, &par, &err);
            break;
        case SQ_CMD_AFFINITY:
            status = sq_affinity_command(&par, &err);
            break;
        case SQ_CMD_DOCTOR:
            status = sq_doctor(&opt, &par, &err);
            break;
        }
    }
    if (status != SQ_OK && par.rank == 0)
        sq_error_print(&err);
    sq_par_finalize();
    return status;
}
