/*
 * affinity.h - where each rank's OpenMP threads run: host, current CPU and affinity mask, and the
 * checks that catch the classic hybrid mistakes (threads piled onto fewer cores than threads,
 * ranks of one host sharing cores).
 *
 * Each rank collects its own rows (Linux sched_getcpu / sched_getaffinity from every thread of an
 * OpenMP team); parallel.c gathers them to rank 0 for the table and the checks, and h5io.c writes
 * every rank's rows to /provenance/affinity. Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_AFFINITY_H
#define SQCUBE_AFFINITY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SQ_AFFINITY_HOST_MAX 64
#define SQ_AFFINITY_MASK_MAX 256

/* One OpenMP thread of one rank. */
typedef struct sq_affinity_row {
    int32_t rank;                    /* MPI rank */
    int32_t thread;                  /* OpenMP thread number in the rank's team */
    int32_t nthreads;                /* the team's size */
    int32_t cpu;                     /* the CPU it ran on when asked (-1: unknown) */
    int32_t ncpus;                   /* CPUs in its affinity mask */
    char host[SQ_AFFINITY_HOST_MAX]; /* host name */
    char mask[SQ_AFFINITY_MASK_MAX]; /* its affinity mask as a CPU list, e.g. "0-3,8" */
} sq_affinity_row;

/* Fills rows[0 .. team) for the calling process as rank, from a parallel region of
 * omp_get_max_threads() threads; returns the team size (at most max_rows), or -1 if max_rows is
 * too small. */
int sq_affinity_collect(int rank, sq_affinity_row *rows, int max_rows);

/* Formats the CPUs set in the first nbits bits of bits (a cpu_set_t's bytes, CPU k = bit k % 8 of
 * byte k / 8) as a Linux CPU list: "0-3,8,10-11"; "" for none. A list that does not fit ends in
 * "...". Returns the number of CPUs set. */
int sq_cpulist_format(const unsigned char *bits, int nbits, char *buf, size_t len);

/* Parses a CPU list ("0-3,8") into bits (nbits bits, zeroed first). Returns the number of CPUs, or
 * -1 for a malformed list or a CPU at or above nbits. */
int sq_cpulist_parse(const char *list, unsigned char *bits, int nbits);

/* Prints the table: one line per row, rows sorted by rank then thread. */
void sq_affinity_print(FILE *out, const sq_affinity_row *rows, int n);

/* Verdicts on the placement of n rows (every thread of every rank): */
enum sq_affinity_verdict {
    SQ_AFFINITY_OK = 0,
    SQ_AFFINITY_WARN = 1, /* ranks of one host share CPUs, or threads share a CPU they were
                             bound to */
    SQ_AFFINITY_FAIL = 2, /* a rank has more threads than CPUs in its threads' masks: threads
                             piled onto too few cores */
};

/* "ok", "warn", "FAIL". */
const char *sq_affinity_verdict_name(int verdict);

/* Checks the placement; writes one line (the worst finding, naming the rank, its threads and CPUs,
 * and what to do) into msg. Returns the verdict. Threads per rank are checked for every rank,
 * cores shared between ranks for the first 1024 ranks. */
int sq_affinity_check(const sq_affinity_row *rows, int n, char *msg, size_t len);

#endif
