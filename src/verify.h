/*
 * verify.h - sqcube verify.
 *
 * verify re-reads a result file and its input (from the recorded source, or regenerated from the
 * recorded spec), recomputes every element and every reduction with its own scalar code (not the
 * OpenMP kernels), and compares. It runs under mpirun with any rank count.
 */
#ifndef SQCUBE_VERIFY_H
#define SQCUBE_VERIFY_H

#include "error.h"
#include "options.h"
#include "parallel.h"

/* Returns 0 when everything matches, SQ_ERR_MISMATCH (err says the first difference) or another
 * status. Collective. */
int sq_verify(const sq_options *opt, const sq_par *par, sq_error *err);

#endif
