/*
 * safefile.h - creating, appending to and replacing files in directories other users can write
 * (shared scratch, /tmp, project spaces) without ever writing through a name someone else planted.
 *
 * The rules every file sqcube writes follows (docs/reliability.md#shared-directories):
 *   - a new file is created exclusively (O_CREAT|O_EXCL, which never follows a symbolic link),
 *     after removing a stale name (unlink removes a link, never its target);
 *   - a file sqcube replaces is written under a unique temporary name in the same directory
 *     (mkstemp) and renamed over the final name (rename replaces a link, never its target);
 *   - a file sqcube appends to or reopens must be a regular file owned by the running user, opened
 *     without following a symbolic link, and checked by device and inode after opening.
 * POSIX only: no MPI, no HDF5. Each function fills err with one line naming the file, what it is
 * used as ("what", e.g. "--log-csv") and what to do, and returns the status (0 on success).
 */
#ifndef SQCUBE_SAFEFILE_H
#define SQCUBE_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* A file's identity: device and inode (fixed-width, so that it can travel in a broadcast). */
typedef struct sq_file_id {
    unsigned long long dev;
    unsigned long long ino;
} sq_file_id;

/* Removes path if it exists (a stale file or a link: unlink never touches a link's target).
 * A name that does not exist is fine. Fails (SQ_ERR_RUNTIME) when the name cannot be removed, for
 * example another user's file in a sticky directory such as /tmp. */
int sq_safe_remove_stale(const char *path, const char *what, sq_error *err);

/* After an exclusive create failed: if path now exists as something this user did not create (a
 * symbolic link, another user's file, not a regular file), fills err saying so and returns
 * SQ_ERR_RUNTIME; returns SQ_OK (err untouched) when path is absent or a regular file of the
 * user's, so that the caller's own message stands. */
int sq_safe_appeared(const char *path, const char *what, sq_error *err);

/* Checks a file sqcube is about to reopen or append to, without following a link: *exists = 0 and
 * SQ_OK when it does not exist; else it must be a regular file owned by getuid() (refused with the
 * reason, SQ_ERR_RUNTIME: a symbolic link, another kind of file, another owner), and *id is its
 * identity for sq_safe_check_same. id may be NULL. */
int sq_safe_check_own(const char *path, const char *what, int *exists, sq_file_id *id,
                      sq_error *err);

/* After the file checked by sq_safe_check_own was opened by name: path must still be that file
 * (not a link, the same device and inode). Refuses with SQ_ERR_RUNTIME when it was replaced. */
int sq_safe_check_same(const char *path, const char *what, const sq_file_id *id, sq_error *err);

/* Opens path for appending (read and write, O_APPEND), creating it with mode (less the umask)
 * when absent, never through a symbolic link (O_NOFOLLOW); an existing file must be a regular file
 * owned by getuid(). Returns the descriptor, or -1 with err filled. */
int sq_safe_open_append(const char *path, const char *what, mode_t mode, sq_error *err);

/* Replacing path: sq_safe_replace_begin creates a unique temporary file beside it (mkstemp, so
 * exclusively; mode 0666 less the umask, as a plain create would have) and returns it open for
 * writing, its name in tmp; NULL with err filled on failure. sq_safe_replace_commit flushes and
 * closes it and renames it over path (a link at path is replaced, its target untouched); on any
 * failure it removes the temporary file. The file is closed in every case. */
FILE *sq_safe_replace_begin(const char *path, const char *what, char *tmp, size_t tmp_len,
                            sq_error *err);
int sq_safe_replace_commit(FILE *f, const char *tmp, const char *path, const char *what,
                           sq_error *err);

/* Empties path (truncate to 0 bytes) only if it is a regular file of the user's, never through a
 * link. Returns 0, or -1 with errno set (ELOOP for a link, EPERM for another owner, EINVAL for not
 * a regular file). */
int sq_safe_truncate(const char *path);

/* Creates a private directory (mode 0700, unique name "DIR/PREFIXXXXXXX") in which files can be
 * created without any race with other users; its path in out. Returns 0, or -1 with errno set. */
int sq_safe_private_dir(const char *dir, const char *prefix, char *out, size_t out_len);

/* The process umask, read without changing it for longer than two system calls. */
mode_t sq_safe_umask(void);

#endif
