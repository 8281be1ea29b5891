/*
 * test_safefile.c - CUnit suite for src/safefile.h: no file is ever written through a symbolic
 * link planted at its name, reopened files must be the user's own regular files, and new files
 * honour the umask.
 *
 * Every test works in a fresh private directory under $TMPDIR (or /tmp) and checks the file
 * system itself afterwards (lstat, the bytes of a "victim" file a link points at), not the
 * functions' return values alone. The test with another owner needs root (chown) and says so.
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "unit.h"

static char dir[512]; /* this test's private directory */

static void make_dir(void) {
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/sqcube-test-safefile.XXXXXX", t && t[0] ? t : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

static const char *in_dir(const char *name, char *buf, size_t len) {
    snprintf(buf, len, "%s/%s", dir, name);
    return buf;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

/* The whole file, or "" when it cannot be read (static buffer). */
static const char *get(const char *path) {
    static char buf[4096];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return buf;
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int entries(void) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static int is_link(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int is_regular(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void test_remove_stale(void) {
    char victim[600], name[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("out.h5.partial", name, sizeof name);
    put(victim, "precious data\n");
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_safe_remove_stale(name, "--output", &err), SQ_OK); /* absent: fine */
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    CU_ASSERT_EQUAL(sq_safe_remove_stale(name, "--output", &err), SQ_OK);
    struct stat st;
    CU_ASSERT_EQUAL(lstat(name, &st), -1);                  /* the link is gone ... */
    CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n"); /* ... and its target untouched */
    put(name, "stale");
    CU_ASSERT_EQUAL(sq_safe_remove_stale(name, "--output", &err), SQ_OK);
    CU_ASSERT_EQUAL(lstat(name, &st), -1);
    CU_ASSERT_EQUAL(entries(), 1);
    CU_ASSERT_EQUAL(err.status, SQ_OK);
    remove_dir();
}

static void test_appeared(void) {
    char victim[600], name[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("out.h5.partial", name, sizeof name);
    put(victim, "precious data\n");
    sq_error err;
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_safe_appeared(name, "--output", &err), SQ_OK); /* absent */
    put(name, "");
    CU_ASSERT_EQUAL(sq_safe_appeared(name, "--output", &err), SQ_OK); /* the user's own file */
    CU_ASSERT_EQUAL(err.status, SQ_OK);
    CU_ASSERT_EQUAL_FATAL(unlink(name), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    CU_ASSERT_EQUAL(sq_safe_appeared(name, "--output", &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "was created by someone else"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "a symbolic link to '"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, victim));
    CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n");
    remove_dir();
}

static void test_check_own(void) {
    char victim[600], name[600], sub[600], fifo[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("ckpt.partial", name, sizeof name);
    put(victim, "precious data\n");
    sq_error err;
    sq_error_clear(&err);
    int exists = -1;
    sq_file_id id = {0, 0};
    CU_ASSERT_EQUAL(sq_safe_check_own(name, "--resume", &exists, &id, &err), SQ_OK);
    CU_ASSERT_EQUAL(exists, 0);

    put(name, "checkpoint");
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(name, &st), 0);
    CU_ASSERT_EQUAL(sq_safe_check_own(name, "--resume", &exists, &id, &err), SQ_OK);
    CU_ASSERT_EQUAL(exists, 1);
    CU_ASSERT_EQUAL(id.dev, (unsigned long long)st.st_dev);
    CU_ASSERT_EQUAL(id.ino, (unsigned long long)st.st_ino);

    CU_ASSERT_EQUAL_FATAL(unlink(name), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    CU_ASSERT_EQUAL(sq_safe_check_own(name, "--resume", &exists, &id, &err), SQ_ERR_RUNTIME);
    CU_ASSERT_EQUAL(exists, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--resume: '"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is a symbolic link to '"));

    sq_error_clear(&err);
    in_dir("subdir", sub, sizeof sub);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    CU_ASSERT_EQUAL(sq_safe_check_own(sub, "--log-csv", &exists, NULL, &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a regular file"));

    sq_error_clear(&err);
    in_dir("fifo", fifo, sizeof fifo);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_EQUAL(sq_safe_check_own(fifo, "--log-csv", &exists, NULL, &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a regular file"));
    CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n");
    remove_dir();
}

/* Another owner: root can chown a file to nobody (65534) and must then be refused. */
static void test_check_own_other_user(void) {
    if (geteuid() != 0) {
        printf("\n  skipped: chown to another user needs root (running as uid %u)\n",
               (unsigned)geteuid());
        return;
    }
    char name[600];
    make_dir();
    in_dir("ckpt.partial", name, sizeof name);
    put(name, "someone else's");
    CU_ASSERT_EQUAL_FATAL(chown(name, 65534, 65534), 0);
    sq_error err;
    sq_error_clear(&err);
    int exists = 0;
    CU_ASSERT_EQUAL(sq_safe_check_own(name, "--resume", &exists, NULL, &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is a file of uid 65534, not yours (uid 0)"));
    sq_error_clear(&err);
    CU_ASSERT_EQUAL(sq_safe_open_append(name, "--log-csv", 0644, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "uid 65534"));
    CU_ASSERT_STRING_EQUAL(get(name), "someone else's");
    CU_ASSERT_EQUAL(sq_safe_truncate(name), -1);
    CU_ASSERT_EQUAL(errno, EPERM);
    CU_ASSERT_STRING_EQUAL(get(name), "someone else's");
    remove_dir();
}

static void test_check_same(void) {
    char name[600], other[600];
    make_dir();
    in_dir("ckpt.partial", name, sizeof name);
    in_dir("other", other, sizeof other);
    put(name, "mine");
    put(other, "theirs");
    sq_error err;
    sq_error_clear(&err);
    int exists = 0;
    sq_file_id id;
    CU_ASSERT_EQUAL_FATAL(sq_safe_check_own(name, "--resume", &exists, &id, &err), SQ_OK);
    CU_ASSERT_EQUAL(sq_safe_check_same(name, "--resume", &id, &err), SQ_OK);
    /* Swapped for another file under the same name: refused. */
    char keep[600];
    in_dir("kept", keep, sizeof keep);
    CU_ASSERT_EQUAL_FATAL(rename(name, keep), 0);
    CU_ASSERT_EQUAL_FATAL(rename(other, name), 0);
    CU_ASSERT_EQUAL(sq_safe_check_same(name, "--resume", &id, &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "was replaced by another file"));
    /* Swapped for a link to the very file checked: refused too (a link is never the file). */
    sq_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(unlink(name), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(keep, name), 0);
    CU_ASSERT_EQUAL(sq_safe_check_same(name, "--resume", &id, &err), SQ_ERR_RUNTIME);
    remove_dir();
}

static void test_open_append(void) {
    char victim[600], name[600], dangling[600], target[600], fifo[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("runs.csv", name, sizeof name);
    put(victim, "precious data\n");
    const mode_t old = umask(077);
    sq_error err;
    sq_error_clear(&err);
    int fd = sq_safe_open_append(name, "--log-csv", 0644, &err);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "a\n", 2), 2);
    CU_ASSERT_EQUAL(close(fd), 0);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(name, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0600); /* 0644 less umask 077 */
    fd = sq_safe_open_append(name, "--log-csv", 0644, &err);
    CU_ASSERT_FATAL(fd >= 0);
    char head[2] = {0, 0};
    CU_ASSERT_EQUAL(pread(fd, head, 1, 0), 1); /* readable too: the header check */
    CU_ASSERT_EQUAL(head[0], 'a');
    CU_ASSERT_EQUAL(write(fd, "b\n", 2), 2);
    CU_ASSERT_EQUAL(close(fd), 0);
    CU_ASSERT_STRING_EQUAL(get(name), "a\nb\n");
    umask(old);

    /* A link, to an existing file or to none: refused, nothing written or created. */
    CU_ASSERT_EQUAL_FATAL(unlink(name), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    CU_ASSERT_EQUAL(sq_safe_open_append(name, "--log-csv", 0644, &err), -1);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "never appends through a symbolic link"));
    CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n");
    sq_error_clear(&err);
    in_dir("dangling.csv", dangling, sizeof dangling);
    in_dir("created-through-link", target, sizeof target);
    CU_ASSERT_EQUAL_FATAL(symlink(target, dangling), 0);
    CU_ASSERT_EQUAL(sq_safe_open_append(dangling, "--log-csv", 0644, &err), -1);
    CU_ASSERT_EQUAL(access(target, F_OK), -1);
    CU_ASSERT(is_link(dangling));

    /* A FIFO: refused at once (no reader, no blocking). */
    sq_error_clear(&err);
    in_dir("fifo", fifo, sizeof fifo);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_EQUAL(sq_safe_open_append(fifo, "--log-csv", 0644, &err), -1);
    CU_ASSERT_EQUAL(err.status, SQ_ERR_RUNTIME);
    remove_dir();
}

static void test_replace(void) {
    char victim[600], name[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("summary.json", name, sizeof name);
    put(victim, "precious data\n");
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    const mode_t masks[2] = {022, 077};
    const mode_t modes[2] = {0644, 0600};
    for (int k = 0; k < 2; ++k) {
        const mode_t old = umask(masks[k]);
        sq_error err;
        sq_error_clear(&err);
        char tmp[700];
        FILE *f = sq_safe_replace_begin(name, "--summary-json", tmp, sizeof tmp, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT(strncmp(tmp, dir, strlen(dir)) == 0); /* beside the name: the same directory */
        CU_ASSERT(is_regular(tmp));
        fprintf(f, "{\"k\": %d}\n", k);
        CU_ASSERT_EQUAL(sq_safe_replace_commit(f, tmp, name, "--summary-json", &err), SQ_OK);
        umask(old);
        CU_ASSERT(is_regular(name));                            /* the link was replaced ... */
        CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n"); /* ... its target untouched */
        CU_ASSERT_STRING_EQUAL(get(name), k == 0 ? "{\"k\": 0}\n" : "{\"k\": 1}\n");
        struct stat st;
        CU_ASSERT_EQUAL(stat(name, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, modes[k]); /* 0666 less the umask */
        CU_ASSERT_EQUAL(entries(), 2);                 /* no temporary file left */
    }
    /* A rename that fails (the name is a directory) removes the temporary file. */
    char sub[600];
    in_dir("subdir", sub, sizeof sub);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    sq_error err;
    sq_error_clear(&err);
    char tmp[700];
    FILE *f = sq_safe_replace_begin(sub, "--summary-json", tmp, sizeof tmp, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(sq_safe_replace_commit(f, tmp, sub, "--summary-json", &err), SQ_ERR_RUNTIME);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--summary-json: cannot rename"));
    CU_ASSERT_EQUAL(entries(), 3);
    remove_dir();
}

static void test_truncate(void) {
    char victim[600], name[600];
    make_dir();
    in_dir("victim.txt", victim, sizeof victim);
    in_dir("out.h5.partial", name, sizeof name);
    put(victim, "precious data\n");
    put(name, "half a file");
    CU_ASSERT_EQUAL(sq_safe_truncate(name), 0);
    CU_ASSERT_STRING_EQUAL(get(name), "");
    CU_ASSERT_EQUAL_FATAL(unlink(name), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, name), 0);
    CU_ASSERT_EQUAL(sq_safe_truncate(name), -1);
    CU_ASSERT_EQUAL(errno, ELOOP);
    CU_ASSERT_STRING_EQUAL(get(victim), "precious data\n");
    remove_dir();
}

static void test_private_dir(void) {
    char a[700], b[700];
    make_dir();
    CU_ASSERT_EQUAL_FATAL(sq_safe_private_dir(dir, ".sqcube-doctor-", a, sizeof a), 0);
    CU_ASSERT_EQUAL_FATAL(sq_safe_private_dir(dir, ".sqcube-doctor-", b, sizeof b), 0);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    struct stat st;
    CU_ASSERT_EQUAL(lstat(a, &st), 0);
    CU_ASSERT(S_ISDIR(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
    CU_ASSERT_EQUAL(st.st_uid, getuid());
    char tiny[8];
    CU_ASSERT_EQUAL(sq_safe_private_dir(dir, "x", tiny, sizeof tiny), -1);
    CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
    CU_ASSERT_EQUAL(entries(), 2);
    remove_dir();
}

static void test_umask(void) {
    const mode_t old = umask(027);
    CU_ASSERT_EQUAL(sq_safe_umask(), 027);
    CU_ASSERT_EQUAL(sq_safe_umask(), 027); /* reading it leaves it as it was */
    CU_ASSERT_EQUAL(umask(old), 027);
}

int main(void) {
    static const sq_unit_test tests[] = {
        {"a stale name or link is removed, a link's target untouched", test_remove_stale},
        {"a name that came back as a link is reported", test_appeared},
        {"only the user's own regular file passes, never a link", test_check_own},
        {"a file of another user is refused (root only)", test_check_own_other_user},
        {"a file swapped after the check is refused", test_check_same},
        {"appending: never through a link, not to a FIFO, umask honoured", test_open_append},
        {"replacing: a temporary file renamed over a link, umask honoured", test_replace},
        {"truncating: only the user's own regular file", test_truncate},
        {"doctor's private directory: unique, 0700", test_private_dir},
        {"the umask is read without changing it", test_umask},
    };
    return sq_unit_run("safefile", tests, sizeof tests / sizeof tests[0]);
}
