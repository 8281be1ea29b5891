/*
 * checkpoint.h - what makes a partial output resumable: the settings a resumed run must share with
 * the run that wrote the checkpoint, and the record of the runs ("sessions") that wrote it.
 *
 * A run writes into OUTPUT.partial. Every chunk it finishes gets its reductions recorded in
 * /checkpoint/records (chunkrec.h) and is then flagged in /checkpoint/done with the run's session
 * number, both right after the chunk's data. A session that stops cleanly (a signal: see stop.h)
 * also records its line of history in /checkpoint/sessions/<number>; a session killed outright
 * leaves only its flagged chunks. A resumed run takes over every flagged chunk whose record reads
 * back, of every earlier session, killed ones included (with --compress only those of sessions that
 * stopped cleanly: the chunk index of a compressed dataset is only on disk after a clean close),
 * starts its reductions from their merged records, and redoes the rest: the final file equals an
 * uninterrupted run's, on any number of ranks and threads.
 * Pure: no MPI, no HDF5 (h5io.c stores these records, parallel.c broadcasts them).
 */
#ifndef SQCUBE_CHECKPOINT_H
#define SQCUBE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Room for the settings text ("key=value;key=value;..."). */
#define SQ_CKPT_SETTINGS_MAX 8192
/* The most sessions (starts of a run) one output may have: bounds the per-session record. */
#define SQ_CKPT_MAX_SESSIONS 4096

/* Appends "key=value" (value printf-style) to the settings text buf (size len), ';'-separated.
 * Returns 0, or -1 when buf is full. */
int sq_ckpt_settings_add(char *buf, size_t len, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Compares two settings texts key by key. Returns 0 when equal; otherwise 1, with the first key
 * that differs (or is missing in one of them) in key and its two values in then and now ("(none)"
 * when missing). */
int sq_ckpt_settings_diff(const char *recorded, const char *current, char *key, size_t key_len,
                          char *then, size_t then_len, char *now, size_t now_len);

/* 64-bit FNV-1a of text: the settings hash recorded beside the text. */
uint64_t sq_ckpt_hash(const char *text);

/* What a run resumes from; filled on rank 0 from the partial file and broadcast. */
typedef struct sq_resume {
    int32_t session;                     /* this run's session number: 1 for a fresh output */
    int32_t resumed;                     /* 1 when a checkpoint was found and is being continued */
    uint8_t valid[SQ_CKPT_MAX_SESSIONS]; /* valid[s] = 1: the flagged chunks of session s count
                                            as done (their records are in prev) */
    int64_t chunks_done;                 /* chunks taken over */
    int64_t elements_done;               /* their elements */
    int64_t sessions_recorded;           /* how many sessions have chunks taken over */
    int64_t taken[SQ_CKPT_MAX_SESSIONS]; /* taken[s]: chunks taken over from session s */
    int64_t taken_elements[SQ_CKPT_MAX_SESSIONS]; /* their elements */
    sq_stats prev;                                /* the merged records of those chunks */
} sq_resume;

/* A fresh output: session 1, nothing done, prev empty of the given type. */
void sq_resume_fresh(sq_resume *r, sq_dtype type);

/* Whether a chunk flagged with session number flag (0: never done) is done for this run. */
static inline int sq_resume_chunk_done(const sq_resume *r, int32_t flag) {
    return flag > 0 && flag < SQ_CKPT_MAX_SESSIONS && r->valid[flag];
}

#endif
