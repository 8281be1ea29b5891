/*
 * progress.h - the progress display of a run, as pure functions of (elements done, time now).
 *
 * Rank 0 shows one of two displays on stderr:
 *   - a bar, when stderr is a terminal: redrawn in place ('\r') at most every
 *     SQ_PROGRESS_BAR_SECONDS, ended by a newline when the run finishes;
 *   - plain lines, when it is not (a batch log): one line every --progress-interval seconds and a
 *     final line at 100%, with no control characters.
 * Each shows the elements done (counted over all ranks by the caller), the percentage, the current
 * rate in GB/s (bytes moved since the previous display over the time since), the elapsed time and
 * the ETA (remaining elements at the average rate so far, which is steadier than the current rate).
 * This module decides when to show and formats; it never reads a clock, calls MPI or prints: the
 * caller hands in the time and writes the text (src/meter.c).
 */
#ifndef SQCUBE_PROGRESS_H
#define SQCUBE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sq_progress_mode {
    SQ_PROGRESS_OFF = 0,   /* --quiet, or plain lines with --progress-interval 0 */
    SQ_PROGRESS_BAR = 1,   /* stderr is a terminal */
    SQ_PROGRESS_LINES = 2, /* stderr is a file or a pipe */
    SQ_PROGRESS_AUTO = 3,  /* only as a request (--progress auto): BAR or LINES, by the terminal */
} sq_progress_mode;

/* The bar is redrawn at most this often (seconds): a few times a second, never a cost. */
#define SQ_PROGRESS_BAR_SECONDS 0.25
/* Room for one display (bar or line) with its terminating NUL. */
#define SQ_PROGRESS_TEXT_MAX 256

typedef struct sq_progress {
    sq_progress_mode mode;
    int64_t total;            /* elements of the run (n) */
    int64_t before;           /* of them, done by earlier sessions (a resumed run; else 0) */
    double bytes_per_element; /* bytes moved per element, for GB/s (24: 8 read, 16 written) */
    double interval;          /* seconds between displays: the bar's or --progress-interval */
    double start;             /* time the run started (seconds, the caller's clock) */
    double last_time;         /* time of the previous display (start before the first) */
    int64_t last_done;        /* elements done at the previous display */
    double rate;              /* current rate at the last display, elements per second */
    int shown;                /* displays so far */
} sq_progress;

/* The display for a run from the request (--progress): OFF when quiet; AUTO gives BAR on a
 * terminal and LINES otherwise; LINES with interval 0 is OFF (the bar does not depend on it). */
sq_progress_mode sq_progress_choose(sq_progress_mode request, bool quiet, bool stderr_is_tty,
                                    double interval);

/* Starts the display at time now for total elements. interval: --progress-interval (LINES). */
void sq_progress_init(sq_progress *p, sq_progress_mode mode, int64_t total,
                      double bytes_per_element, double interval, double now);

/* Whether a display is due at time now (never when OFF). Cheap: the caller asks this after every
 * chunk and only counts the elements done (an MPI read) when it says yes. */
bool sq_progress_due(const sq_progress *p, double now);

/* Marks a resumed run: before of the total elements were done by earlier sessions. The display
 * then counts them in (done + before of total, the percentage and the ETA of the whole file) and
 * says so (LINES: ", resumed at BEFORE"; BAR: " resumed"); the rate counts this session alone. */
void sq_progress_resumed(sq_progress *p, int64_t before);

/* Records done elements (of this session) at time now and formats the display into buf (BAR: starts
 * with '\r', no newline; LINES: one line ending in '\n'); updates the rate and the time of the last
 * display. final marks the end of the run: the bar then ends with '\n'. Returns the length written
 * (0 when OFF). done is clamped to [0, total - before]. */
size_t sq_progress_show(sq_progress *p, int64_t done, double now, bool final, char *buf,
                        size_t len);

/* Formats seconds as "42s", "3m07s" or "2h05m" (negative or non-finite: "--"). */
void sq_progress_duration(double seconds, char *buf, size_t len);

#endif
