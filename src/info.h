/*
 * info.h - sqcube info: a summary of a result file, printed by rank 0.
 */
#ifndef SQCUBE_INFO_H
#define SQCUBE_INFO_H

#include "error.h"
#include "options.h"
#include "parallel.h"

/* Collective (only rank 0 reads the file). */
int sq_info(const sq_options *opt, const sq_par *par, sq_error *err);

#endif
