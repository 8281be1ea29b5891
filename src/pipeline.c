/*
 * pipeline.c - the chunk loop.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "kernel.h"

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
        big += u[i] >> 63;
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

int sq_pipeline_run(const sq_job *job, const sq_par *par, sq_h5_reader *in, sq_h5_writer *out,
                    sq_stats *local, sq_timers *timers, sq_error *err) {
    const sq_plan *plan = &job->plan;
    const int64_t bufn = sq_plan_buffer_elements(plan);
    void *x = alloc_buffer(bufn), *sq = alloc_buffer(bufn), *cu = alloc_buffer(bufn);
    if (x == NULL || sq == NULL || cu == NULL)
        sq_fail(err, SQ_ERR_RUNTIME,
                "cannot allocate 3 buffers of %lld elements (%.1f MiB) on rank %d; lower --chunk",
                (long long)bufn, 24.0 * (double)bufn / 1048576.0, par->rank);
    if (sq_par_agree(par, err))
        goto out_free;

    /* Rounds: static runs max_rounds of them; dynamic goes on until no rank took a chunk. With
     * independent I/O the ranks do not meet each round: each goes until its own work runs out. */
    const int dynamic = job->schedule == SQ_SCHEDULE_DYNAMIC;
    const int lockstep = job->io == SQ_IO_COLLECTIVE;
    sq_counter queue;
    if (dynamic)
        sq_par_counter_create(par, &queue);
    int queue_empty = 0;
    for (int64_t round = 0; dynamic || round < plan->max_rounds; ++round) {
        int64_t k = -1;
        if (!dynamic) {
            k = sq_plan_chunk_in_round(plan, par->rank, round);
        } else if (!queue_empty) {
            k = sq_par_counter_next(par, &queue);
            if (k >= plan->nchunks) {
                k = -1;
                queue_empty = 1;
            }
        }
        const sq_range e = sq_plan_chunk_elements(plan, k); /* empty when k == -1 */
        int64_t count = e.end - e.begin;

        sq_timer_start(timers, SQ_PHASE_READ);
        if (in != NULL)
            sq_h5_reader_read(in, e.begin, count, x, err);
        else if (count > 0)
            sq_generate(&job->gen, e.begin, count, x);
        sq_timer_stop(timers, SQ_PHASE_READ);

        sq_timer_start(timers, SQ_PHASE_COMPUTE);
        if (err->status == SQ_OK && count > 0 && job->input.read_as == SQ_READ_UINT64)
            check_uint64(job, par, e.begin, count, x, err);
        if (err->status == SQ_OK && count > 0)
            compute_chunk(job, par, e.begin, count, x, sq, cu, local, err);
        sq_timer_stop(timers, SQ_PHASE_COMPUTE);

        /* The write is collective: a rank that failed still takes part, writing nothing. */
        if (err->status != SQ_OK)
            count = 0;
        sq_timer_start(timers, SQ_PHASE_WRITE);
        if (err->status == SQ_OK || count == 0) {
            sq_error write_err;
            sq_error_clear(&write_err);
            sq_h5_writer_write(out, e.begin, count, sq, cu, &write_err);
            if (write_err.status != SQ_OK && err->status == SQ_OK)
                *err = write_err;
        }
        sq_timer_stop(timers, SQ_PHASE_WRITE);

        if (!lockstep) {
            if (err->status != SQ_OK || k < 0)
                break; /* this rank's work is done; the ranks agree after the loop */
            continue;
        }
        if (sq_par_agree(par, err))
            break;
        if (dynamic && !sq_par_any(par, k >= 0))
            break;
    }
    if (!lockstep)
        sq_par_agree(par, err);
    if (dynamic)
        sq_par_counter_free(&queue);
out_free:
    free(cu);
    free(sq);
    free(x);
    return err->status;
}
