/*
 * meter.c - counting a run's progress over all ranks and showing it on rank 0's stderr.
 */
#include "meter.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "timer.h"

/* Bytes each element moves: x read (or generated) and x^2, x^3 written, 8 bytes each. The same
 * figure as the run summary's effective bandwidth. */

/* Whether the launcher's stderr is a terminal: the parent process's descriptor 2, opened through
 * /proc (Linux). mpirun (and Open MPI's orted) hand their ranks' stderr a pipe and forward it, so
 * the rank's own stderr says nothing about where the text ends up. */
static bool launcher_on_terminal(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd/2", (long)getppid());
    /* Only a character device can be a terminal; nothing else is opened. */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode))
        return false;
    const int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    const bool tty = isatty(fd) == 1;
    close(fd);
    return tty;
}

sq_progress_mode sq_meter_choose(sq_progress_mode request, bool quiet, double interval) {
    bool tty = false;
    if (request == SQ_PROGRESS_AUTO && !quiet)
        tty = isatty(STDERR_FILENO) == 1 || launcher_on_terminal();
    return sq_progress_choose(request, quiet, tty, interval);
}

static void show(sq_meter *m, const sq_par *par, double now, bool final) {
    char text[SQ_PROGRESS_TEXT_MAX];
    const int64_t done = sq_par_counter_read(par, m->counter);
    const size_t n = sq_progress_show(&m->shown, done, now, final, text, sizeof text);
    if (n > 0) {
        fwrite(text, 1, n, stderr);
        fflush(stderr);
    }
}

void sq_meter_start(sq_meter *m, const sq_par *par, sq_progress_mode mode, int64_t total,
                    int64_t before, double interval) {
    m->on = false;
    m->counter = NULL;
    m->pending = 0;
    m->last_post = sq_now();
    if (mode == SQ_PROGRESS_OFF || mode == SQ_PROGRESS_AUTO)
        return;
    sq_error err;
    sq_error_clear(&err);
    sq_par_counter_create(par, &m->counter, &err);
    /* Window creation is collective and fails alike on every rank (the transport lacks RMA), the
     * same assumption as the work queue's; progress is a convenience, so the run goes on. */
    if (sq_par_any(par, err.status != SQ_OK)) {
        if (par->rank == 0)
            fprintf(stderr, "sqcube: note: no progress display: the MPI transport offers no "
                            "one-sided (RMA) window here (with Open MPI over TCP set "
                            "OMPI_MCA_osc=pt2pt); the run goes on\n");
        return;
    }
    m->on = true;
    if (par->rank == 0) {
        sq_progress_init(&m->shown, mode, total, SQ_BYTES_MOVED_PER_ELEMENT, interval, sq_now());
        sq_progress_resumed(&m->shown, before);
    }
}

void sq_meter_add(sq_meter *m, const sq_par *par, int64_t elements) {
    if (!m->on)
        return;
    m->pending += elements;
    const double now = sq_now();
    if (par->rank == 0) {
        if (!sq_progress_due(&m->shown, now))
            return;
        if (m->pending > 0) /* rank 0's own count: a local operation */
            sq_par_counter_post(par, m->counter, m->pending);
        m->pending = 0;
        show(m, par, now, false);
    } else if (m->pending > 0 && now - m->last_post >= SQ_METER_POST_SECONDS) {
        sq_par_counter_post(par, m->counter, m->pending);
        m->pending = 0;
        m->last_post = now;
    }
}

void sq_meter_finish(sq_meter *m, const sq_par *par, bool ok) {
    if (!m->on)
        return;
    /* Every count completed at rank 0 before rank 0 reads the total. */
    if (m->pending > 0)
        sq_par_counter_add(par, m->counter, m->pending);
    m->pending = 0;
    sq_par_barrier(par);
    if (par->rank == 0) {
        if (ok) {
            show(m, par, sq_now(), true);
        } else if (m->shown.mode == SQ_PROGRESS_BAR && m->shown.shown > 0) {
            fputc('\n', stderr); /* the error line must not start after the bar */
            fflush(stderr);
        }
    }
    sq_par_counter_free(m->counter);
    m->counter = NULL;
    m->on = false;
}
