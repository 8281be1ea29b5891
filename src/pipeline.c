/*
 * pipeline.c - the chunk loop.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "generate.h"
#include "h5io_chunkrec.h"
#include "kernel.h"
#include "meter.h"
#include "stop.h"

/* A 64-byte aligned buffer of n 8-byte elements, first touched by the OpenMP threads in the same
 * static pattern the kernels use, so that pages land near the threads that use them. */
static void *alloc_buffer(int64_t n) {
    const size_t bytes = ((size_t)(n > 0 ? n : 1) * 8 + 63) & ~(size_t)63;
    char *p = aligned_alloc(64, bytes);
    if (p != NULL) {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < bytes; i += 4096)
            p[i] = 0;
    }
    return p;
}

/* Computes one chunk; for int64 output an element whose cube does not fit is an error. */
static int compute_chunk(const sq_job *job, const sq_par *par, int64_t offset, int64_t count,
                         const void *x, void *sq, void *cu, sq_stats *local, sq_error *err) {
    if (job->in_type == SQ_DTYPE_FLOAT64) {
        sq_kernel_float64(x, count, sq, cu, local);
    } else if (job->out_type == SQ_DTYPE_FLOAT64) {
        sq_kernel_int64_to_float64(x, count, sq, cu, local);
    } else {
        const int64_t bad = sq_kernel_int64(x, count, sq, cu, local);
        if (bad >= 0)
            return sq_fail(err, SQ_ERR_RUNTIME,
                           "integer overflow at element %lld (rank %d): x = %lld, and x^3 does not "
                           "fit int64 (int64 output needs -2097152 <= x <= 2097151); rerun with "
                           "--output-type float64 to store rounded float64 squares and cubes",
                           (long long)(offset + bad), par->rank,
                           (long long)((const int64_t *)x)[bad]);
    }
    return SQ_OK;
}

/* uint64 input is read as is; values of 2^63 and above do not fit the int64 computation. The
 * buffer is then read as int64, bit for bit the same for the values that pass. */
static int check_uint64(const sq_job *job, const sq_par *par, int64_t offset, int64_t count,
                        const void *x, sq_error *err) {
    const uint64_t *u = x;
    int64_t big = 0;
#pragma omp parallel for simd reduction(+ : big)
    for (int64_t i = 0; i < count; ++i)
        big += (int64_t)(u[i] >> 63);
    if (big == 0)
        return SQ_OK;
    int64_t i = 0;
    while (u[i] >> 63 == 0)
        ++i;
    return sq_fail(
        err, SQ_ERR_RUNTIME,
        "value out of range at element %lld (rank %d) of '%s:%s': x = %llu is above the "
        "int64 range that integer input is computed in; rerun with --output-type float64 "
        "(uint64 input is then read as float64)",
        (long long)(offset + i), par->rank, job->input_file, job->input.dataset,
        (unsigned long long)u[i]);
}

int sq_pipeline_overlaps(int threads) {
    const char *off = getenv("SQCUBE_NO_OVERLAP");
    return threads >= 2 && !(off != NULL && strcmp(off, "1") == 0);
}

/* The compute side of one chunk: generate x when the input is generated (gen != 0), check uint64
 * input, compute the square, cube and the chunk's partial reductions into *chunk (its checkpoint
 * record), merged into *local. Runs on the calling thread's OpenMP team; makes no MPI or HDF5
 * call. */
static int compute_side(const sq_job *job, const sq_par *par, int gen, int64_t offset,
                        int64_t count, void *x, void *sq, void *cu, sq_stats *chunk,
                        sq_stats *local, sq_timers *timers, sq_error *err) {
    if (count == 0)
        return SQ_OK;
    sq_stats_init(chunk, job->in_type);
    if (gen) {
        sq_timer_start(timers, SQ_PHASE_READ);
        sq_generate(&job->gen, offset, count, x);
        sq_timer_stop(timers, SQ_PHASE_READ);
    }
    sq_timer_start(timers, SQ_PHASE_COMPUTE);
    if (job->input.read_as == SQ_READ_UINT64)
        check_uint64(job, par, offset, count, x, err);
    if (err->status == SQ_OK)
        compute_chunk(job, par, offset, count, x, sq, cu, chunk, err);
    if (err->status == SQ_OK)
        sq_stats_merge(local, chunk);
    sq_timer_stop(timers, SQ_PHASE_COMPUTE);
    return err->status;
}

/* Writes a computed chunk (count may be 0: an empty selection; collective with --io collective),
 * then its record of reductions (cst), then flags chunk k as done by this session: the flag follows
 * the data and the record, so a chunk flagged done is in the file, with its reductions, even when
 * the run is killed right after. */
static void write_side(const sq_job *job, sq_h5_writer *out, int64_t k, sq_range e, const void *sq,
                       const void *cu, const sq_stats *cst, sq_timers *timers,
                       sq_pipeline_result *done, sq_error *err) {
    sq_timer_start(timers, SQ_PHASE_WRITE);
    const int64_t count = e.end - e.begin;
    if (sq_h5_writer_write(out, e.begin, count, sq, cu, err) == SQ_OK && count > 0 &&
        sq_h5_writer_record(out, k, job->resume.session, cst, err) == SQ_OK &&
        sq_h5_writer_mark_done(out, k, job->resume.session, err) == SQ_OK) {
        done->chunks_done += 1;
        done->elements_done += count;
    }
    sq_timer_stop(timers, SQ_PHASE_WRITE);
}

/* The done flags of a window of chunks, read ahead from the checkpoint of a resumed run. */
#define DONE_WINDOW 4096
typedef struct done_window {
    int64_t first, count;
    int32_t flags[DONE_WINDOW];
} done_window;

/* Whether chunk k was done by a session of the checkpoint (always 0 for a fresh output). */
static int chunk_done(const sq_job *job, sq_h5_writer *out, done_window *win, int64_t k,
                      sq_error *err) {
    if (job->resume.chunks_done == 0)
        return 0;
    if (k < win->first || k >= win->first + win->count) {
        const int64_t left = job->plan.nchunks - k;
        win->first = k;
        win->count = left < DONE_WINDOW ? left : DONE_WINDOW;
        if (sq_h5_writer_read_done(out, k, win->count, win->flags, err)) {
            win->count = 0;
            return 0;
        }
    }
    return sq_resume_chunk_done(&job->resume, win->flags[k - win->first]);
}

/* The next chunk this rank works on, skipping the checkpoint's done chunks, or -1 when it has no
 * more: static, the next of its own block after *cursor; dynamic, the next from the work queue. */
static int64_t next_chunk(const sq_job *job, const sq_par *par, sq_h5_writer *out,
                          sq_counter *queue, int64_t *cursor, int64_t end, done_window *win,
                          sq_error *err) {
    for (;;) {
        int64_t k;
        if (job->schedule == SQ_SCHEDULE_DYNAMIC) {
            if (*cursor < 0)
                return -1; /* the queue was found empty before */
            k = sq_par_counter_next(par, queue);
            if (k >= job->plan.nchunks) {
                *cursor = -1;
                return -1;
            }
        } else {
            if (*cursor >= end)
                return -1;
            k = (*cursor)++;
        }
        if (!chunk_done(job, out, win, k, err) || err->status != SQ_OK)
            return err->status == SQ_OK ? k : -1;
    }
}

/* The chunk loop's state: what it was given, how it runs, its buffers and where it is. */
typedef struct loop_state {
    const sq_job *job;
    const sq_par *par;
    sq_h5_reader *in; /* NULL: generated input */
    sq_h5_writer *out;
    sq_stats *local;
    sq_timers *timers;
    sq_pipeline_result *result;
    int threads;             /* OpenMP threads of this rank */
    int overlap;             /* writes overlap computing (double-buffered results) */
    int dynamic;             /* --schedule dynamic: chunks from the shared counter */
    int lockstep;            /* --io collective: every rank in every round */
    int fixed_rounds;        /* a fresh static run: exactly max_rounds rounds */
    int saved_levels;        /* the OpenMP max active levels to restore */
    sq_range mine;           /* static: this rank's block of chunks */
    int64_t cursor;          /* static: the next chunk of the block to look at */
    int stop_sig;            /* the stop asked for (0: none) */
    sq_counter *queue;       /* dynamic: the work queue */
    sq_meter meter;          /* the progress display */
    void *x, *sq[2], *cu[2]; /* one chunk of input; results, doubled with overlap */
    sq_stats cst[2];         /* the reductions of the chunks in the result buffers */
    done_window *win;        /* the checkpoint's done flags read ahead */
    int slot;                /* overlap: the result buffers this round computes into */
    sq_range pending;        /* overlap: computed last round, written this round */
    int64_t pending_k;       /* its chunk */
} loop_state;

/* The chunk buffers, touched by the threads that use them; fails on every rank alike. Collective.
 */
static int alloc_buffers(loop_state *L, sq_error *err) {
    const int64_t bufn = sq_plan_buffer_elements(&L->job->plan);
    L->x = alloc_buffer(bufn);
    L->sq[0] = alloc_buffer(bufn);
    L->cu[0] = alloc_buffer(bufn);
    L->win = calloc(1, sizeof *L->win);
    if (L->overlap) {
        L->sq[1] = alloc_buffer(bufn);
        L->cu[1] = alloc_buffer(bufn);
    }
    if (L->x == NULL || L->sq[0] == NULL || L->cu[0] == NULL || L->win == NULL ||
        (L->overlap && (L->sq[1] == NULL || L->cu[1] == NULL)))
        sq_fail(err, SQ_ERR_RUNTIME,
                "cannot allocate %d buffers of %lld elements (%.1f MiB) on rank %d; lower --chunk",
                L->overlap ? 5 : 3, (long long)bufn,
                (L->overlap ? 40.0 : 24.0) * (double)bufn / 1048576.0, L->par->rank);
    return sq_par_agree(L->par, err);
}

/* One round with overlap: thread 0 writes last round's chunk while the others compute chunk k
 * (elements e). The write happens even when this round's read failed: it is collective, and its
 * data is good. */
static void overlapped_round(loop_state *L, int64_t round, int64_t k, sq_range e, sq_error *err) {
    const int64_t count = e.end - e.begin;
    sq_error werr, cerr;
    sq_error_clear(&werr);
    sq_error_clear(&cerr);
    const int compute = err->status == SQ_OK && count > 0;
    const int write = round > 0;
    const int slot = L->slot;
#pragma omp parallel num_threads(2)
    {
        /* The runtime may give a team of one (OMP_THREAD_LIMIT, OMP_DYNAMIC): then thread 0 does
         * both, one after the other. */
        const int me = omp_get_thread_num(), team = omp_get_num_threads();
        if (me == 0 && write)
            write_side(L->job, L->out, L->pending_k, L->pending, L->sq[!slot], L->cu[!slot],
                       &L->cst[!slot], L->timers, L->result, &werr);
        if ((me == 1 || team == 1) && compute) {
            if (team > 1)
                omp_set_num_threads(L->threads - 1);
            compute_side(L->job, L->par, L->in == NULL, e.begin, count, L->x, L->sq[slot],
                         L->cu[slot], &L->cst[slot], L->local, L->timers, &cerr);
        }
    }
    if (err->status == SQ_OK)
        *err = werr.status != SQ_OK ? werr : cerr;
    if (write && werr.status == SQ_OK)
        sq_meter_add(&L->meter, L->par, L->pending.end - L->pending.begin);
    L->pending = err->status == SQ_OK ? e : (sq_range){0, 0};
    L->pending_k = k;
    L->slot = !slot;
}

/* One round step by step: compute chunk k (elements e), then write it. */
static void stepwise_round(loop_state *L, int64_t k, sq_range e, sq_error *err) {
    if (err->status == SQ_OK)
        compute_side(L->job, L->par, L->in == NULL, e.begin, e.end - e.begin, L->x, L->sq[0],
                     L->cu[0], &L->cst[0], L->local, L->timers, err);
    /* The write is collective: a rank that failed still takes part, writing nothing. */
    const sq_range w = err->status == SQ_OK ? e : (sq_range){e.begin, e.begin};
    sq_error werr;
    sq_error_clear(&werr);
    write_side(L->job, L->out, k, w, L->sq[0], L->cu[0], &L->cst[0], L->timers, L->result, &werr);
    if (err->status == SQ_OK)
        *err = werr;
    if (err->status == SQ_OK)
        sq_meter_add(&L->meter, L->par, e.end - e.begin);
}

/* Whether the loop ends after this round (k: this rank's chunk, -1 for none). Lock-step ranks
 * agree on errors, a stop and whether any rank had work; free-running ones each stop at their
 * next chunk boundary. */
static int round_ends(loop_state *L, int64_t k, sq_error *err) {
    if (!L->lockstep) {
        if (err->status != SQ_OK || k < 0)
            return 1; /* this rank's work is done; the ranks agree after the loop */
        return (L->stop_sig = sq_stop_requested()) != 0;
    }
    int any_work = 0;
    if (sq_par_agree_round(L->par, err, sq_stop_requested(), k >= 0, &L->stop_sig, &any_work))
        return 1;
    return L->stop_sig != 0 || (!L->fixed_rounds && !any_work);
}

/* Rounds. With collective I/O (lock-step) every rank takes part in every round, with an empty
 * transfer when it has no chunk: a fresh static run has max_rounds of them; dynamic and resumed
 * runs go on until no rank had a chunk. With independent I/O the ranks do not meet each round:
 * each goes until its own work runs out, and they agree after the loop. Then the last computed
 * chunk is written (with lock-step rounds every rank has one, maybe empty, and no rank failed:
 * they agreed on it). */
static void run_rounds(loop_state *L, sq_error *err) {
    const sq_plan *plan = &L->job->plan;
    for (int64_t round = 0; !L->fixed_rounds || round < plan->max_rounds; ++round) {
        const int64_t k = err->status == SQ_OK ? next_chunk(L->job, L->par, L->out, L->queue,
                                                            &L->cursor, L->mine.end, L->win, err)
                                               : -1;
        const sq_range e = sq_plan_chunk_elements(plan, k); /* empty when k == -1 */
        if (L->in != NULL) { /* HDF5 reads stay on this (the MPI) thread */
            sq_timer_start(L->timers, SQ_PHASE_READ);
            sq_h5_reader_read(L->in, e.begin, e.end - e.begin, L->x, err);
            sq_timer_stop(L->timers, SQ_PHASE_READ);
        }
        if (L->overlap)
            overlapped_round(L, round, k, e, err);
        else
            stepwise_round(L, k, e, err);
        if (round_ends(L, k, err))
            break;
    }
    if (L->overlap && err->status == SQ_OK) {
        write_side(L->job, L->out, L->pending_k, L->pending, L->sq[!L->slot], L->cu[!L->slot],
                   &L->cst[!L->slot], L->timers, L->result, err);
        if (err->status == SQ_OK)
            sq_meter_add(&L->meter, L->par, L->pending.end - L->pending.begin);
    }
}

int sq_pipeline_run(const sq_job *job, const sq_par *par, sq_h5_reader *in, sq_h5_writer *out,
                    sq_stats *local, sq_timers *timers, sq_pipeline_result *result, sq_error *err) {
    loop_state L;
    memset(&L, 0, sizeof L);
    memset(result, 0, sizeof *result);
    L.job = job, L.par = par, L.in = in, L.out = out;
    L.local = local, L.timers = timers, L.result = result;
    /* With two or more threads, writing chunk k (thread 0, the thread that initialised MPI, as
     * MPI_THREAD_FUNNELED requires) overlaps computing chunk k + 1 (the other threads, as a nested
     * team): the results are double-buffered. With one thread, or SQCUBE_NO_OVERLAP=1, the loop
     * runs step by step. */
    L.threads = omp_get_max_threads();
    L.overlap = sq_pipeline_overlaps(L.threads);
    L.dynamic = job->schedule == SQ_SCHEDULE_DYNAMIC;
    L.lockstep = job->io == SQ_IO_COLLECTIVE;
    L.fixed_rounds = !L.dynamic && job->resume.chunks_done == 0;
    L.mine = sq_plan_rank_chunks(&job->plan, par->rank);
    L.cursor = L.dynamic ? 0 : L.mine.begin;
    L.pending_k = -1;

    if (alloc_buffers(&L, err))
        goto out_free_buffers;
    L.saved_levels = omp_get_max_active_levels();
    if (L.overlap && L.saved_levels < 2)
        omp_set_max_active_levels(2);
    if (L.dynamic) {
        sq_par_counter_create(par, &L.queue, err);
        if (sq_par_agree(par, err))
            goto out_restore_levels; /* no window to free: creating it failed */
    }
    /* Progress: every rank counts what it has written into rank 0's window (src/meter.h); a
     * resumed run shows the whole file, the earlier sessions' elements counted in. */
    sq_meter_start(&L.meter, par, job->progress, job->plan.n, job->resume.elements_done,
                   job->progress_interval);
    run_rounds(&L, err);
    if (sq_par_agree(par, err) == SQ_OK)
        result->stop_signal = (int)sq_par_max_i64(par, L.stop_sig);
    sq_meter_finish(&L.meter, par, err->status == SQ_OK);
    sq_par_counter_free(L.queue); /* NULL-safe: static schedule */
out_restore_levels:
    if (L.overlap && L.saved_levels < 2)
        omp_set_max_active_levels(L.saved_levels);
out_free_buffers:
    free(L.win);
    free(L.cu[1]);
    free(L.sq[1]);
    free(L.cu[0]);
    free(L.sq[0]);
    free(L.x);
    return err->status;
}
