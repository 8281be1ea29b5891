/*
 * plant_race.c - an LD_PRELOAD shim for tests/mpi/shared_dirs.sh: plays the other user who wins
 * the race between sqcube removing a stale OUTPUT.partial.creating (the name the output is
 * created under) and creating it afresh. The first unlink(2) of a name ending in
 * ".partial.creating" in this process does remove it, then at once plants a symbolic link there to
 * $SQCUBE_PLANT_TARGET. sqcube must then refuse (its exclusive create
 * fails) and leave the link's target untouched. Test code only; never linked into sqcube.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int unlink(const char *path) {
    static int planted;
    int (*real_unlink)(const char *) = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    if (real_unlink == NULL)
        return -1;
    const int rc = real_unlink(path);
    const char *target = getenv("SQCUBE_PLANT_TARGET");
    static const char suffix[] = ".partial.creating";
    const size_t n = strlen(path), k = sizeof suffix - 1;
    if (!planted && target != NULL && n > k && strcmp(path + n - k, suffix) == 0) {
        planted = 1;
        (void)symlink(target, path);
    }
    return rc;
}
