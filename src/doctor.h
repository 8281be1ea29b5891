/*
 * doctor.h - sqcube doctor: pre-flight checks of the setup a run depends on, each with a verdict.
 *
 * Parallel HDF5, the MPI thread level, OpenMP threads against the affinity masks (threads piled
 * onto too few cores), file locking and a parallel HDF5 create in the output's directory, free
 * space against the expected output size, and launch lines for the allocation. Uses the MPI and
 * HDF5 edges (parallel.h, h5io.h) and the pure affinity and launch modules.
 */
#ifndef SQCUBE_DOCTOR_H
#define SQCUBE_DOCTOR_H

#include "error.h"
#include "options.h"
#include "parallel.h"

/* Runs every check and prints the report on rank 0. Collective. Returns SQ_OK, or SQ_ERR_RUNTIME
 * (err filled, the same on every rank) when a check failed. */
int sq_doctor(const sq_options *opt, const sq_par *par, sq_error *err);

#endif
