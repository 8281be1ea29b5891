/*
 * stop.h - stop requests: SIGTERM, SIGINT and SIGUSR1 ask a run to stop at the next chunk boundary
 * and leave a checkpoint (see checkpoint.h) instead of dying mid-write.
 *
 * The handler only records the signal (async-signal-safe); the chunk loop polls it between chunks,
 * the ranks agree, and sqcube exits with SQ_STOPPED. Batch systems send these ahead of a time limit
 * (Slurm --signal, scancel; PBS qdel sends SIGTERM), mpirun forwards SIGUSR1 and turns SIGTERM and
 * SIGINT into SIGTERM to every rank. Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_STOP_H
#define SQCUBE_STOP_H

/* Installs the handlers (idempotent). Returns 0, or -1 when sigaction fails. */
int sq_stop_install(void);

/* The signal that asked to stop (SIGTERM, SIGINT, SIGUSR1), or 0 when none did. SQCUBE_STOP_AFTER=K
 * in the environment requests a stop (as SIGUSR1) after K polls, for tests. */
int sq_stop_requested(void);

/* "SIGTERM", "SIGINT", "SIGUSR1", or "a signal". */
const char *sq_stop_signal_name(int sig);

#endif
