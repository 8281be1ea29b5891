/*
 * parallel.c - the only compilation unit in sqcube that directly calls MPI functions.
 */
#include "parallel.h"

#include "parallel_mpi.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MPI errors return (MPI_ERRORS_RETURN) and land here: one line, then the whole job stops. There is
 * no sound way to continue once a collective failed on some ranks. */
static void check_mpi(int rc, const char *call, const char *where) {
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, text, &len);
    int rank = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    fprintf(stderr,
            "sqcube: error: %s failed in %s on rank %d: %s; the MPI job cannot continue (check the "
            "MPI installation, the launcher and the network)\n",
            call, where, rank, text);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, SQ_ERR_RUNTIME);
}
#define CHECK_MPI(call) check_mpi((call), #call, __func__)

/* The job's communicator, behind sq_par's opaque handle. */
static sq_comm job_comm;

MPI_Comm sq_par_mpi_comm(const sq_par *par) {
    return par != NULL ? par->comm->mpi : MPI_COMM_SELF;
}

/* The RMA window of the --schedule dynamic counter and the progress meter. */
struct sq_counter {
    MPI_Win win;   /* the window: one int64 on rank 0, nothing elsewhere */
    int64_t *base; /* rank 0's counter (unused elsewhere) */
};

const char *sq_par_thread_level_name(int level) {
    switch (level) {
    case MPI_THREAD_SINGLE:
        return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
        return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
        return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE:
        return "MPI_THREAD_MULTIPLE";
    default:
        return "unknown";
    }
}

int sq_par_init(int *argc, char ***argv, sq_par *par, sq_error *err) {
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "MPI_Init_thread failed; check that sqcube is started by mpirun or srun of "
                       "the MPI it was built with");
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    job_comm.mpi = MPI_COMM_WORLD;
    par->comm = &job_comm;
    CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &par->rank));
    CHECK_MPI(MPI_Comm_size(MPI_COMM_WORLD, &par->size));
    par->thread_level = provided;
    if (provided < MPI_THREAD_FUNNELED)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "the MPI library provides %s, but sqcube needs MPI_THREAD_FUNNELED (OpenMP "
                       "threads inside MPI ranks); use an MPI built with thread support",
                       sq_par_thread_level_name(provided));
    return SQ_OK;
}

void sq_par_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Finalize();
}

int sq_par_agree(const sq_par *par, sq_error *err) {
    /* MINLOC over (has no error, rank): the minimum is (0, lowest failing rank) if any failed. */
    struct {
        int ok;
        int rank;
    } mine = {err->status == SQ_OK, par->rank}, first;
    CHECK_MPI(MPI_Allreduce(&mine, &first, 1, MPI_2INT, MPI_MINLOC, par->comm->mpi));
    if (first.ok)
        return SQ_OK;
    CHECK_MPI(MPI_Bcast(err, (int)sizeof *err, MPI_BYTE, first.rank, par->comm->mpi));
    return err->status;
}

int sq_par_agree_round(const sq_par *par, sq_error *err, int stop_sig, int had_work, int *stop_any,
                       int *any_work) {
    const int mine[3] = {err->status != SQ_OK, stop_sig, had_work != 0};
    int all[3];
    CHECK_MPI(MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MAX, par->comm->mpi));
    *stop_any = all[1];
    *any_work = all[2];
    return all[0] ? sq_par_agree(par, err) : SQ_OK;
}

void sq_par_bcast(const sq_par *par, void *buf, size_t bytes) {
    /* Split into pieces below INT_MAX bytes: MPI counts are int. */
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; done < bytes; done += piece) {
        const size_t n = bytes - done < piece ? bytes - done : piece;
        CHECK_MPI(MPI_Bcast((char *)buf + done, (int)n, MPI_BYTE, 0, par->comm->mpi));
    }
}

/* The MPI reduction operator: merges sq_stats records carried as bytes. */
static void merge_stats_op(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const sq_stats *a = in;
    sq_stats *b = inout;
    for (int i = 0; i < *len; ++i)
        sq_stats_merge(&b[i], &a[i]);
}

void sq_par_reduce_stats(const sq_par *par, sq_stats *st) {
    MPI_Datatype type;
    MPI_Op op;
    CHECK_MPI(MPI_Type_contiguous((int)sizeof *st, MPI_BYTE, &type));
    CHECK_MPI(MPI_Type_commit(&type));
    CHECK_MPI(MPI_Op_create(merge_stats_op, 1, &op));
    sq_stats merged = *st;
    /* Reduce to rank 0 and broadcast: every rank holds the bits rank 0 computed, which an
     * MPI_Allreduce of a non-associative (float) merge would not promise. */
    CHECK_MPI(MPI_Reduce(st, &merged, 1, type, op, 0, par->comm->mpi));
    CHECK_MPI(MPI_Bcast(&merged, 1, type, 0, par->comm->mpi));
    *st = merged;
    CHECK_MPI(MPI_Op_free(&op));
    CHECK_MPI(MPI_Type_free(&type));
}

int64_t sq_par_sum_i64(const sq_par *par, int64_t v) {
    int64_t r = 0;
    CHECK_MPI(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_SUM, par->comm->mpi));
    return r;
}

int64_t sq_par_max_i64(const sq_par *par, int64_t v) {
    int64_t r = 0;
    CHECK_MPI(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MAX, par->comm->mpi));
    return r;
}

int64_t sq_par_min_i64(const sq_par *par, int64_t v) {
    int64_t r = 0;
    CHECK_MPI(MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MIN, par->comm->mpi));
    return r;
}

void sq_par_phase_stats(const sq_par *par, const sq_timers *t, double min[SQ_NPHASES],
                        double avg[SQ_NPHASES], double max[SQ_NPHASES]) {
    CHECK_MPI(MPI_Allreduce(t->seconds, min, SQ_NPHASES, MPI_DOUBLE, MPI_MIN, par->comm->mpi));
    CHECK_MPI(MPI_Allreduce(t->seconds, max, SQ_NPHASES, MPI_DOUBLE, MPI_MAX, par->comm->mpi));
    CHECK_MPI(MPI_Allreduce(t->seconds, avg, SQ_NPHASES, MPI_DOUBLE, MPI_SUM, par->comm->mpi));
    for (int p = 0; p < SQ_NPHASES; ++p)
        avg[p] /= par->size;
}

int sq_par_gather_records(const sq_par *par, const void *mine, int count, size_t bytes, void **all,
                          int *total) {
    *all = NULL;
    *total = 0;
    int *counts = NULL, *displs = NULL;
    int ok = 1;
    if (par->rank == 0) {
        counts = malloc(sizeof *counts * (size_t)par->size);
        displs = malloc(sizeof *displs * (size_t)par->size);
        ok = counts != NULL && displs != NULL;
    }
    /* Every rank must take part in the gathers even when rank 0 is short of memory. */
    CHECK_MPI(MPI_Bcast(&ok, 1, MPI_INT, 0, par->comm->mpi));
    if (!ok) {
        free(counts);
        free(displs);
        return -1;
    }
    const int mine_bytes = (int)((size_t)count * bytes);
    CHECK_MPI(MPI_Gather(&mine_bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, par->comm->mpi));
    char *buf = NULL;
    if (par->rank == 0) {
        int64_t sum = 0;
        for (int r = 0; r < par->size; ++r) {
            displs[r] = (int)sum;
            sum += counts[r];
        }
        buf = sum <= INT32_MAX ? malloc(sum > 0 ? (size_t)sum : 1) : NULL;
        ok = buf != NULL;
        *total = ok ? (int)(sum / (int64_t)bytes) : 0;
    }
    CHECK_MPI(MPI_Bcast(&ok, 1, MPI_INT, 0, par->comm->mpi));
    if (ok)
        CHECK_MPI(MPI_Gatherv(mine, mine_bytes, MPI_BYTE, buf, counts, displs, MPI_BYTE, 0,
                              par->comm->mpi));
    free(counts);
    free(displs);
    *all = buf;
    return ok ? 0 : -1;
}

int64_t sq_par_exscan_i64(const sq_par *par, int64_t v, int64_t *total) {
    int64_t below = 0;
    CHECK_MPI(MPI_Exscan(&v, &below, 1, MPI_INT64_T, MPI_SUM, par->comm->mpi));
    if (par->rank == 0)
        below = 0; /* MPI_Exscan leaves rank 0's result undefined */
    CHECK_MPI(MPI_Allreduce(&v, total, 1, MPI_INT64_T, MPI_SUM, par->comm->mpi));
    return below;
}

void sq_par_hosts(const sq_par *par, char *buf, size_t len) {
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    int nlen = 0;
    CHECK_MPI(MPI_Get_processor_name(name, &nlen));
    char *all = NULL;
    if (par->rank == 0) {
        all = calloc((size_t)par->size, MPI_MAX_PROCESSOR_NAME);
        if (all == NULL) {
            fprintf(stderr, "sqcube: error: out of memory gathering %d host names on rank 0\n",
                    par->size);
            MPI_Abort(par->comm->mpi, SQ_ERR_RUNTIME);
        }
    }
    CHECK_MPI(MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME,
                         MPI_CHAR, 0, par->comm->mpi));
    if (par->rank == 0) {
        /* Distinct names in rank order (sorted, not compared pairwise: 100,000 ranks are
         * normal); the list stays within len (", ..." marks a cut). */
        if (sq_distinct_names(all, par->size, MPI_MAX_PROCESSOR_NAME, buf, len) < 0)
            snprintf(buf, len, "(out of memory listing %d host names)", par->size);
        free(all);
    }
    sq_par_bcast(par, buf, len);
}

void sq_par_library(char *buf, size_t len) {
    char text[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0;
    MPI_Get_library_version(text, &n);
    text[strcspn(text, "\n")] = '\0';
    /* Open MPI's first line ends in ", package: ..." etc.; keep it whole but bounded. */
    snprintf(buf, len, "%s", text);
}

int sq_par_is_open_mpi(void) {
#ifdef OPEN_MPI
    return 1;
#else
    return 0;
#endif
}

void sq_par_barrier(const sq_par *par) {
    CHECK_MPI(MPI_Barrier(par->comm->mpi));
}

int sq_par_any(const sq_par *par, int flag) {
    int mine = flag != 0, any = 0;
    CHECK_MPI(MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, par->comm->mpi));
    return any;
}

int sq_par_counter_create(const sq_par *par, sq_counter **out, sq_error *err) {
    *out = NULL;
    sq_counter *c = calloc(1, sizeof *c);
    if (c == NULL)
        return sq_fail(err, SQ_ERR_RUNTIME, "out of memory for the shared counter on rank %d",
                       par->rank);
    const MPI_Aint bytes = par->rank == 0 ? (MPI_Aint)sizeof(int64_t) : 0;
    const int rc =
        MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, par->comm->mpi, &c->base, &c->win);
    if (rc != MPI_SUCCESS) {
        free(c);
        char text[MPI_MAX_ERROR_STRING] = "";
        int len = 0;
        MPI_Error_string(rc, text, &len);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "--schedule dynamic: the MPI library cannot create the work queue's "
                       "one-sided (RMA) window on rank %d (MPI_Win_allocate: %s); its transport "
                       "has no RMA support here. With Open MPI over TCP between hosts set "
                       "OMPI_MCA_osc=pt2pt; or use --schedule static",
                       par->rank, text);
    }
    CHECK_MPI(MPI_Win_lock_all(0, c->win));
    if (par->rank == 0) {
        /* Through the window (an atomic replace), not a plain store: the counter is only ever
         * touched by MPI's atomic operations. */
        const int64_t zero = 0;
        CHECK_MPI(MPI_Accumulate(&zero, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, MPI_REPLACE, c->win));
        CHECK_MPI(MPI_Win_flush(0, c->win));
    }
    CHECK_MPI(MPI_Barrier(par->comm->mpi));
    *out = c;
    return SQ_OK;
}

int64_t sq_par_counter_next(const sq_par *par, sq_counter *c) {
    (void)par;
    const int64_t one = 1;
    int64_t taken = 0;
    CHECK_MPI(MPI_Fetch_and_op(&one, &taken, MPI_INT64_T, 0, 0, MPI_SUM, c->win));
    CHECK_MPI(MPI_Win_flush(0, c->win));
    return taken;
}

void sq_par_counter_post(const sq_par *par, sq_counter *c, int64_t v) {
    (void)par;
    CHECK_MPI(MPI_Accumulate(&v, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, MPI_SUM, c->win));
    CHECK_MPI(MPI_Win_flush_local(0, c->win));
}

void sq_par_counter_add(const sq_par *par, sq_counter *c, int64_t v) {
    (void)par;
    CHECK_MPI(MPI_Accumulate(&v, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, MPI_SUM, c->win));
    CHECK_MPI(MPI_Win_flush(0, c->win));
}

int64_t sq_par_counter_read(const sq_par *par, sq_counter *c) {
    (void)par;
    int64_t value = 0;
    CHECK_MPI(MPI_Fetch_and_op(NULL, &value, MPI_INT64_T, 0, 0, MPI_NO_OP, c->win));
    CHECK_MPI(MPI_Win_flush(0, c->win));
    return value;
}

void sq_par_counter_free(sq_counter *c) {
    if (c == NULL)
        return;
    CHECK_MPI(MPI_Win_unlock_all(c->win));
    CHECK_MPI(MPI_Win_free(&c->win));
    free(c);
}

MPI_Info sq_par_info_create(const char *hints) {
    if (hints == NULL || hints[0] == '\0')
        return MPI_INFO_NULL;
    MPI_Info info;
    CHECK_MPI(MPI_Info_create(&info));
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", hints);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL)
            continue; /* the option parser accepts KEY=VALUE only */
        *eq = '\0';
        CHECK_MPI(MPI_Info_set(info, kv, eq + 1));
    }
    return info;
}

void sq_par_info_free(MPI_Info *info) {
    if (*info != MPI_INFO_NULL)
        CHECK_MPI(MPI_Info_free(info));
}

void sq_par_file_hints(const void *mpi_file, char *buf, size_t len) {
    buf[0] = '\0';
    if (mpi_file == NULL)
        return;
    MPI_Info info;
    if (MPI_File_get_info(*(const MPI_File *)mpi_file, &info) != MPI_SUCCESS)
        return;
    int nkeys = 0;
    MPI_Info_get_nkeys(info, &nkeys);
    size_t used = 0;
    for (int i = 0; i < nkeys; ++i) {
        char key[MPI_MAX_INFO_KEY + 1], value[256];
        int flag = 0;
        if (MPI_Info_get_nthkey(info, i, key) != MPI_SUCCESS)
            continue;
        MPI_Info_get(info, key, (int)sizeof value - 1, value, &flag);
        if (flag && used < len)
            used +=
                (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? ";" : "", key, value);
    }
    MPI_Info_free(&info);
}
