/*
 * stop.c - the stop-request signal handlers. See stop.h.
 */
#include "stop.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_signal = 0;
static long polls_left = -1; /* SQCUBE_STOP_AFTER: polls until a simulated SIGUSR1 */

static void on_stop_signal(int sig) {
    if (stop_signal == 0)
        stop_signal = sig;
}

int sq_stop_install(void) {
    static const int signals[] = {SIGTERM, SIGINT, SIGUSR1};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* I/O in progress goes on; the loop polls between chunks */
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; ++i)
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    const char *after = getenv("SQCUBE_STOP_AFTER");
    if (after != NULL && after[0] != '\0') {
        char *end = NULL;
        const long k = strtol(after, &end, 10);
        if (*end == '\0' && k >= 0)
            polls_left = k;
    }
    return 0;
}

int sq_stop_requested(void) {
    if (polls_left >= 0 && polls_left-- == 0 && stop_signal == 0)
        stop_signal = SIGUSR1;
    return stop_signal;
}

const char *sq_stop_signal_name(int sig) {
    switch (sig) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "a signal";
    }
}
