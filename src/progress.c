/*
 * progress.c - when to show the progress of a run and how it reads (bar or plain line).
 */
#include "progress.h"

#include <math.h>
#include <stdio.h>

/* Characters of the bar between its brackets. */
#define BAR_WIDTH 20
/* The bar is padded to this many columns so that a shorter redraw erases a longer one. */
#define BAR_COLUMNS 79

sq_progress_mode sq_progress_choose(sq_progress_mode request, bool quiet, bool stderr_is_tty,
                                    double interval) {
    if (quiet || request == SQ_PROGRESS_OFF)
        return SQ_PROGRESS_OFF;
    if (request == SQ_PROGRESS_AUTO)
        request = stderr_is_tty ? SQ_PROGRESS_BAR : SQ_PROGRESS_LINES;
    if (request == SQ_PROGRESS_LINES && !(interval > 0))
        return SQ_PROGRESS_OFF;
    return request;
}

void sq_progress_init(sq_progress *p, sq_progress_mode mode, int64_t total,
                      double bytes_per_element, double interval, double now) {
    p->mode = mode;
    p->total = total > 0 ? total : 0;
    p->before = 0;
    p->bytes_per_element = bytes_per_element;
    p->interval = mode == SQ_PROGRESS_BAR ? SQ_PROGRESS_BAR_SECONDS : interval;
    p->start = now;
    p->last_time = now;
    p->last_done = 0;
    p->rate = 0.0;
    p->shown = 0;
}

void sq_progress_resumed(sq_progress *p, int64_t before) {
    p->before = before < 0 ? 0 : before > p->total ? p->total : before;
}

bool sq_progress_due(const sq_progress *p, double now) {
    return p->mode != SQ_PROGRESS_OFF && now - p->last_time >= p->interval;
}

void sq_progress_duration(double seconds, char *buf, size_t len) {
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, len, "--");
        return;
    }
    const long long s = (long long)(seconds + 0.5);
    if (s < 60)
        snprintf(buf, len, "%llds", s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, len, "%lldh%02lldm", s / 3600, (s / 60) % 60);
}

size_t sq_progress_show(sq_progress *p, int64_t done, double now, bool final, char *buf,
                        size_t len) {
    if (p->mode == SQ_PROGRESS_OFF || len == 0)
        return 0;
    if (done < 0)
        done = 0;
    if (done > p->total - p->before)
        done = p->total - p->before;
    const int64_t all = p->before + done; /* of the whole file */
    /* Tenths of a percent, rounded down (99.96% must not read 100.0%), in 128 bits: done * 1000
     * passes int64 for n above 2^53. */
    const int permille =
        p->total > 0 ? (int)((__int128)all * 1000 / p->total) : 1000; /* nothing to do: done */
    const double dt = now - p->last_time;
    if (dt > 0)
        p->rate = (double)(done - p->last_done) / dt;
    const double gbps = p->rate * p->bytes_per_element / 1e9;
    const double elapsed = now - p->start;
    char el[16], eta[16];
    sq_progress_duration(elapsed, el, sizeof el);
    if (all >= p->total)
        sq_progress_duration(0.0, eta, sizeof eta);
    else if (done > 0 && elapsed > 0)
        sq_progress_duration((double)(p->total - all) * elapsed / (double)done, eta, sizeof eta);
    else
        sq_progress_duration(-1.0, eta, sizeof eta);
    p->last_time = now;
    p->last_done = done;
    p->shown++;

    int n;
    if (p->mode == SQ_PROGRESS_BAR) {
        char bar[BAR_WIDTH + 1];
        const int filled = permille * BAR_WIDTH / 1000;
        for (int i = 0; i < BAR_WIDTH; ++i)
            bar[i] = i < filled ? '#' : '-';
        bar[BAR_WIDTH] = '\0';
        /* tqdm's layout, which users know: [elapsed<remaining, rate]. */
        n = snprintf(buf, len, "\r[%s] %3d.%d%% %lld/%lld [%s<%s, %.2f GB/s]%s", bar, permille / 10,
                     permille % 10, (long long)all, (long long)p->total, el, eta, gbps,
                     p->before > 0 ? " resumed" : "");
        /* Pad with spaces to erase what a longer previous bar left, then end the final one. */
        while (n >= 0 && (size_t)n + 2 < len && n < BAR_COLUMNS + 1)
            buf[n++] = ' ';
        if (n >= 0 && final && (size_t)n + 1 < len)
            buf[n++] = '\n';
        if (n >= 0 && (size_t)n < len)
            buf[n] = '\0';
    } else {
        char resumed[48] = "";
        if (p->before > 0)
            snprintf(resumed, sizeof resumed, ", resumed at %lld", (long long)p->before);
        n = snprintf(buf, len,
                     "sqcube: progress %3d.%d%% (%lld of %lld elements%s), %.2f GB/s, elapsed %s, "
                     "ETA %s\n",
                     permille / 10, permille % 10, (long long)all, (long long)p->total, resumed,
                     gbps, el, eta);
    }
    if (n < 0)
        return 0;
    return (size_t)n < len ? (size_t)n : len - 1;
}
