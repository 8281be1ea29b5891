/*
 * units.c - units of a power of a quantity, in UDUNITS-2 syntax (see units.h).
 */
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FACTORS 16
#define MAX_NAME 64

typedef struct factor {
    char name[MAX_NAME];
    long exponent;
} factor;

static int is_name_char(int c) {
    return isalpha(c) || c == '_' || c == '%';
}

/* Splits a product of named units into factors. Returns the count, or -1 when the text is not
 * such a product (a number, parentheses, an offset "@", a time reference). */
static int parse_product(const char *s, factor *f) {
    int n = 0, divide = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ')
            ++p;
        if (*p == '\0')
            break;
        if (n > 0 && (*p == '.' || *p == '*' || *p == '/')) {
            divide = *p == '/';
            ++p;
            while (*p == ' ')
                ++p;
        }
        if (!is_name_char((unsigned char)*p) || n == MAX_FACTORS)
            return -1;
        size_t len = 0;
        while (is_name_char((unsigned char)p[len]))
            ++len;
        if (len >= MAX_NAME)
            return -1;
        memcpy(f[n].name, p, len);
        f[n].name[len] = '\0';
        p += len;
        if (*p == '^')
            ++p;
        else if (p[0] == '*' && p[1] == '*')
            p += 2;
        long e = 1;
        if (*p == '-' || *p == '+' || isdigit((unsigned char)*p)) {
            char *end;
            e = strtol(p, &end, 10);
            if (end == p || (end == p + 1 && !isdigit((unsigned char)*p)))
                return -1;
            p = end;
        }
        if (e < -1000 || e > 1000)
            return -1;
        f[n].exponent = divide ? -e : e;
        divide = 0;
        ++n;
        if (*p != '\0' && *p != ' ' && *p != '.' && *p != '*' && *p != '/')
            return -1;
    }
    return n;
}

/* Is the whole text one parenthesised group, "(...)"? */
static int wrapped(const char *s) {
    if (s[0] != '(')
        return 0;
    int depth = 0;
    for (const char *p = s; *p; ++p) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (depth == 0)
            return p[1] == '\0';
    }
    return 0;
}

int sq_units_power(const char *units, int power, char *out, size_t len) {
    char text[256];
    if (len > 0)
        out[0] = '\0';
    while (*units == ' ')
        ++units;
    size_t n = strlen(units);
    while (n > 0 && units[n - 1] == ' ')
        --n;
    if (n == 0 || n >= sizeof text || len == 0)
        return -1;
    memcpy(text, units, n);
    text[n] = '\0';
    if (strstr(text, " since ") != NULL || strstr(text, " since") != NULL)
        return -1;
    int used;
    if (strcmp(text, "1") == 0) {
        used = snprintf(out, len, "1");
    } else {
        factor f[MAX_FACTORS];
        const int count = parse_product(text, f);
        if (count > 0) {
            used = 0;
            for (int i = 0; i < count && used >= 0 && (size_t)used < len; ++i) {
                const long e = f[i].exponent * power;
                used += e == 1 ? snprintf(out + used, len - (size_t)used, "%s%s", i ? " " : "",
                                          f[i].name)
                               : snprintf(out + used, len - (size_t)used, "%s%s%ld", i ? " " : "",
                                          f[i].name, e);
            }
        } else {
            used = snprintf(out, len, wrapped(text) ? "%s%d" : "(%s)%d", text, power);
        }
    }
    if (used < 0 || (size_t)used >= len) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
