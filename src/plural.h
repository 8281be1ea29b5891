/*
 * plural.h - the plural ending of a counted noun in console text: "1 rank", "2 ranks". Pure.
 */
#ifndef SQCUBE_PLURAL_H
#define SQCUBE_PLURAL_H

/* "" when n is 1, else "s": printf("%lld rank%s", n, sq_s(n)). */
static inline const char *sq_s(long long n) {
    return n == 1 ? "" : "s";
}

#endif
