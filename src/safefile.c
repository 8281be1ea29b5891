/*
 * safefile.c - files in shared directories, never written through a planted link. See safefile.h.
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What an existing name is, for a message: "a symbolic link to 'T'", "a file of uid N", ... */
static void describe(const char *path, const struct stat *st, char *buf, size_t len) {
    if (S_ISLNK(st->st_mode)) {
        char target[512];
        const ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        snprintf(buf, len, "a symbolic link to '%s' (owner uid %u)", target, (unsigned)st->st_uid);
    } else if (!S_ISREG(st->st_mode)) {
        snprintf(buf, len, "not a regular file (owner uid %u)", (unsigned)st->st_uid);
    } else {
        snprintf(buf, len, "a file of uid %u, not yours (uid %u)", (unsigned)st->st_uid,
                 (unsigned)getuid());
    }
}

/* Whether st is something this user may write into: a regular file owned by getuid(). */
static int own_regular(const struct stat *st) {
    return S_ISREG(st->st_mode) && st->st_uid == getuid();
}

int sq_safe_remove_stale(const char *path, const char *what, sq_error *err) {
    if (unlink(path) == 0 || errno == ENOENT)
        return SQ_OK;
    const int e = errno;
    struct stat st;
    char kind[640] = "";
    if (lstat(path, &st) == 0)
        describe(path, &st, kind, sizeof kind);
    return sq_fail(err, SQ_ERR_RUNTIME,
                   "%s: cannot remove the stale '%s'%s%s (%s); sqcube creates this name afresh "
                   "and never writes into an existing one: remove it, or choose another name",
                   what, path, kind[0] ? ", " : "", kind, strerror(e));
}

int sq_safe_appeared(const char *path, const char *what, sq_error *err) {
    struct stat st;
    if (lstat(path, &st) != 0 || own_regular(&st))
        return SQ_OK;
    char kind[640];
    describe(path, &st, kind, sizeof kind);
    return sq_fail(err, SQ_ERR_RUNTIME,
                   "%s: '%s' was created by someone else while sqcube was creating it: it is now "
                   "%s; nothing was written through it: choose an output directory only you can "
                   "write",
                   what, path, kind);
}

int sq_safe_check_own(const char *path, const char *what, int *exists, sq_file_id *id,
                      sq_error *err) {
    struct stat st;
    *exists = 0;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return SQ_OK;
        return sq_fail(err, SQ_ERR_RUNTIME, "%s: cannot examine '%s' (%s)", what, path,
                       strerror(errno));
    }
    *exists = 1;
    if (!own_regular(&st)) {
        char kind[640];
        describe(path, &st, kind, sizeof kind);
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "%s: '%s' is %s; sqcube writes only into regular files of yours, never "
                       "through a link: remove it, or choose another name",
                       what, path, kind);
    }
    if (id != NULL) {
        id->dev = (unsigned long long)st.st_dev;
        id->ino = (unsigned long long)st.st_ino;
    }
    return SQ_OK;
}

int sq_safe_check_same(const char *path, const char *what, const sq_file_id *id, sq_error *err) {
    struct stat st;
    if (lstat(path, &st) == 0 && own_regular(&st) && (unsigned long long)st.st_dev == id->dev &&
        (unsigned long long)st.st_ino == id->ino)
        return SQ_OK;
    return sq_fail(err, SQ_ERR_RUNTIME,
                   "%s: '%s' was replaced by another file while sqcube opened it; someone else "
                   "can rename files in its directory: move the file to a directory only you "
                   "can write and run again",
                   what, path);
}

/* sq_fail for functions that return a descriptor: -1. */
static int fail_fd(sq_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_fd(sq_error *err, int status, const char *fmt, ...) {
    char msg[SQ_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    sq_fail(err, status, "%s", msg);
    return -1;
}

int sq_safe_open_append(const char *path, const char *what, mode_t mode, sq_error *err) {
    /* O_NONBLOCK: a FIFO planted at path must not block the open (it is refused below). */
    const int fd =
        open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
    if (fd < 0) {
        const int e = errno;
        struct stat st;
        if (e == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            char kind[640];
            describe(path, &st, kind, sizeof kind);
            return fail_fd(err, SQ_ERR_RUNTIME,
                           "%s: '%s' is %s; sqcube never appends through a symbolic link: give "
                           "the file's own path (readlink -f '%s')",
                           what, path, kind, path);
        }
        return fail_fd(err, SQ_ERR_RUNTIME, "%s: cannot open '%s' (%s)", what, path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !own_regular(&st)) {
        char kind[640] = "not readable";
        if (fstat(fd, &st) == 0)
            describe(path, &st, kind, sizeof kind);
        close(fd);
        return fail_fd(err, SQ_ERR_RUNTIME,
                       "%s: '%s' is %s; sqcube appends only to a regular file of yours: choose "
                       "another name",
                       what, path, kind);
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        const int e = errno;
        close(fd);
        return fail_fd(err, SQ_ERR_RUNTIME, "%s: cannot set up '%s' (%s)", what, path, strerror(e));
    }
    return fd;
}

mode_t sq_safe_umask(void) {
    /* Linux 4.7+ shows it in /proc; else set and restore it (for those two calls another thread's
     * new file would get umask 077: sqcube calls this on one thread only). */
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "Umask:", 6) != 0)
                continue;
            char *end = line + 6;
            const unsigned long mask = strtoul(line + 6, &end, 8);
            if (end != line + 6 && mask <= 0777) {
                fclose(f);
                return (mode_t)mask;
            }
        }
        fclose(f);
    }
    const mode_t mask = umask(077);
    umask(mask);
    return mask;
}

FILE *sq_safe_replace_begin(const char *path, const char *what, char *tmp, size_t tmp_len,
                            sq_error *err) {
    char dir_buf[4096], base_buf[4096];
    snprintf(dir_buf, sizeof dir_buf, "%s", path);
    snprintf(base_buf, sizeof base_buf, "%s", path);
    const int n = snprintf(tmp, tmp_len, "%s/.%s.XXXXXX", dirname(dir_buf), basename(base_buf));
    if (n < 0 || (size_t)n >= tmp_len) {
        sq_fail(err, SQ_ERR_RUNTIME, "%s: the name '%s' is too long", what, path);
        return NULL;
    }
    const int fd = mkstemp(tmp); /* O_CREAT|O_EXCL, mode 0600 */
    if (fd < 0) {
        sq_fail(err, SQ_ERR_RUNTIME, "%s: cannot create a temporary file beside '%s' (%s)", what,
                path, strerror(errno));
        return NULL;
    }
    FILE *f = NULL;
    if (fchmod(fd, 0666 & ~sq_safe_umask()) != 0 || (f = fdopen(fd, "w")) == NULL) {
        const int e = errno;
        close(fd);
        unlink(tmp);
        sq_fail(err, SQ_ERR_RUNTIME, "%s: cannot set up the temporary file '%s' (%s)", what, tmp,
                strerror(e));
        return NULL;
    }
    return f;
}

int sq_safe_replace_commit(FILE *f, const char *tmp, const char *path, const char *what,
                           sq_error *err) {
    const int bad = fflush(f) != 0 || ferror(f);
    const int e = errno;
    if (fclose(f) != 0 || bad) {
        const int e2 = bad ? e : errno;
        unlink(tmp);
        return sq_fail(err, SQ_ERR_RUNTIME, "%s: writing '%s' failed (%s)", what, tmp,
                       strerror(e2));
    }
    if (rename(tmp, path) != 0) {
        const int e2 = errno;
        unlink(tmp);
        return sq_fail(err, SQ_ERR_RUNTIME, "%s: cannot rename '%s' to '%s' (%s)", what, tmp, path,
                       strerror(e2));
    }
    return SQ_OK;
}

int sq_safe_truncate(const char *path) {
    const int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0)
        rc = -1;
    else if (!S_ISREG(st.st_mode))
        errno = EINVAL;
    else if (st.st_uid != getuid())
        errno = EPERM;
    else
        rc = ftruncate(fd, 0);
    const int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int sq_safe_private_dir(const char *dir, const char *prefix, char *out, size_t out_len) {
    const int n = snprintf(out, out_len, "%s/%sXXXXXX", dir, prefix);
    if (n < 0 || (size_t)n >= out_len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(out) == NULL ? -1 : 0;
}
