/*
 * checkpoint.c - the settings text of a checkpoint, its comparison and hash, and the fresh resume
 * record. See checkpoint.h.
 */
#include "checkpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sq_ckpt_settings_add(char *buf, size_t len, const char *key, const char *fmt, ...) {
    const size_t used = strlen(buf);
    int n = snprintf(buf + used, len - used, "%s%s=", used ? ";" : "", key);
    if (n < 0 || (size_t)n >= len - used) {
        buf[used] = '\0';
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    /* clang-tidy 14 misses the va_start above (a known analyzer false positive). */
    const size_t at = used + (size_t)n;
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    const int m = vsnprintf(buf + at, len - at, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)m >= len - used - (size_t)n) {
        buf[used] = '\0';
        return -1;
    }
    return 0;
}

/* The value of key in a settings text, as a pointer and a length; NULL when key is absent. */
static const char *find_value(const char *text, const char *key, size_t key_len, size_t *len) {
    for (const char *p = text; *p;) {
        const char *end = strchr(p, ';');
        const size_t item = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', item);
        if (eq && (size_t)(eq - p) == key_len && strncmp(p, key, key_len) == 0) {
            *len = item - key_len - 1;
            return eq + 1;
        }
        p += item + (end != NULL);
    }
    return NULL;
}

static void copy_value(char *dst, size_t dst_len, const char *v, size_t v_len) {
    if (v == NULL)
        snprintf(dst, dst_len, "(none)");
    else
        snprintf(dst, dst_len, "%.*s", (int)v_len, v);
}

/* Checks every key of a against b; fills the first mismatch. */
static int diff_one_way(const char *a, const char *b, int a_is_recorded, char *key, size_t key_len,
                        char *then, size_t then_len, char *now, size_t now_len) {
    for (const char *p = a; *p;) {
        const char *end = strchr(p, ';');
        const size_t item = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', item);
        const size_t klen = eq ? (size_t)(eq - p) : item;
        size_t alen = 0, blen = 0;
        const char *av = find_value(a, p, klen, &alen);
        const char *bv = find_value(b, p, klen, &blen);
        if (bv == NULL || alen != blen || strncmp(av, bv, alen) != 0) {
            snprintf(key, key_len, "%.*s", (int)klen, p);
            copy_value(a_is_recorded ? then : now, a_is_recorded ? then_len : now_len, av, alen);
            copy_value(a_is_recorded ? now : then, a_is_recorded ? now_len : then_len, bv, blen);
            return 1;
        }
        p += item + (end != NULL);
    }
    return 0;
}

int sq_ckpt_settings_diff(const char *recorded, const char *current, char *key, size_t key_len,
                          char *then, size_t then_len, char *now, size_t now_len) {
    return diff_one_way(recorded, current, 1, key, key_len, then, then_len, now, now_len) ||
           diff_one_way(current, recorded, 0, key, key_len, then, then_len, now, now_len);
}

uint64_t sq_ckpt_hash(const char *text) {
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

void sq_resume_fresh(sq_resume *r, sq_dtype type) {
    memset(r, 0, sizeof *r);
    r->session = 1;
    sq_stats_init(&r->prev, type);
}
