/*
 * doctor.c - sqcube doctor. See doctor.h.
 */
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "affinity.h"
#include "h5io.h"
#include "launch.h"
#include "plural.h"
#include "safefile.h"

/* What a line of the report says about its check. */
typedef enum doctor_verdict {
    DOCTOR_INFO = 0, /* information only (no verdict printed) */
    DOCTOR_OK = 1,
    DOCTOR_WARN = 2, /* works, but a run may be slow or fragile */
    DOCTOR_FAIL = 3, /* a run would fail: doctor exits non-zero */
} doctor_verdict;

static const char *verdict_name(doctor_verdict v) {
    static const char *const names[] = {"", "ok", "warn", "FAIL"};
    return names[v];
}

/* The verdict of the affinity module's placement check. */
static doctor_verdict from_affinity(int v) {
    return v == SQ_AFFINITY_OK ? DOCTOR_OK : v == SQ_AFFINITY_WARN ? DOCTOR_WARN : DOCTOR_FAIL;
}

/* One line of the report: verdict, check name, what was found and what to do. */
typedef struct check_line {
    doctor_verdict verdict;
    char name[32];
    char text[1536];
} check_line;

typedef struct report {
    check_line lines[12];
    int n, warnings, failures;
} report;

static void add(report *r, doctor_verdict verdict, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(report *r, doctor_verdict verdict, const char *name, const char *fmt, ...) {
    if (r->n >= (int)(sizeof r->lines / sizeof r->lines[0]))
        return;
    check_line *l = &r->lines[r->n++];
    l->verdict = verdict;
    snprintf(l->name, sizeof l->name, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    /* clang-tidy 14 misses the va_start above (a known analyzer false positive). */
    vsnprintf(l->text, sizeof l->text, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    r->warnings += verdict == DOCTOR_WARN;
    r->failures += verdict == DOCTOR_FAIL;
}

static const char *fs_name(long type) {
    switch ((unsigned long)type) {
    case 0xEF53:
        return "ext2/3/4";
    case 0x58465342:
        return "xfs";
    case 0x9123683E:
        return "btrfs";
    case 0x01021994:
        return "tmpfs";
    case 0x6969:
        return "nfs";
    case 0x0BD00BD0:
        return "lustre";
    case 0x47504653:
        return "gpfs";
    case 0x794c7630:
        return "overlayfs";
    case 0x65735546:
        return "fuse";
    case 0x73717368:
        return "squashfs";
    default:
        return "unknown";
    }
}

/* flock on a scratch file in dir (created in priv, doctor's private directory there): what
 * HDF5's file locking needs. */
static void check_locking(report *r, const char *dir, const char *priv, const char *fs) {
    char path[SQ_PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/lock", priv);
    const int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        add(r, DOCTOR_FAIL, "file locking",
            "cannot create a file in '%s' (%s); choose an output directory you can write", dir,
            strerror(errno));
        return;
    }
    const int rc = flock(fd, LOCK_EX | LOCK_NB);
    const int e = errno;
    close(fd);
    unlink(path);
    const char *env = getenv("HDF5_USE_FILE_LOCKING");
    if (rc == 0)
        add(r, DOCTOR_OK, "file locking", "flock works in '%s' (%s)%s%s", dir, fs,
            env ? "; HDF5_USE_FILE_LOCKING=" : "", env ? env : "");
    else if (env != NULL && (strcmp(env, "FALSE") == 0 || strcmp(env, "0") == 0))
        add(r, DOCTOR_OK, "file locking",
            "flock fails in '%s' (%s: %s), and HDF5_USE_FILE_LOCKING=%s turns HDF5's locking off",
            dir, fs, strerror(e), env);
    else
        add(r, DOCTOR_FAIL, "file locking",
            "flock fails in '%s' (%s: %s): HDF5 cannot lock files there; export "
            "HDF5_USE_FILE_LOCKING=FALSE (and pass it to the ranks: mpirun -x, srun --export)",
            dir, fs, strerror(e));
}

/* The expected output size in bytes (sq_output_bytes); -1 when no input was given. */
static int64_t expected_bytes(const sq_options *opt, const sq_par *par, int64_t *n, sq_error *err) {
    *n = -1;
    if (opt->source == SQ_SOURCE_GENERATE) {
        *n = opt->gen.n;
    } else if (opt->source == SQ_SOURCE_FILE) {
        sq_input_info info;
        if (par->rank == 0 &&
            sq_h5_probe_input(opt->input_file, opt->input_dataset, &info, err) == SQ_OK)
            *n = info.n;
        sq_par_bcast(par, n, sizeof *n);
    }
    if (*n < 0)
        return -1;
    return sq_output_bytes(*n, (*n + opt->chunk - 1) / opt->chunk);
}

static void check_space(report *r, const sq_options *opt, const sq_par *par, const char *dir,
                        sq_error *err) {
    int64_t n;
    sq_error probe;
    sq_error_clear(&probe);
    const int64_t need = expected_bytes(opt, par, &n, &probe);
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0) {
        add(r, DOCTOR_WARN, "free space", "cannot read the free space of '%s' (%s)", dir,
            strerror(errno));
        return;
    }
    const double free_b = (double)vfs.f_bavail * (double)vfs.f_frsize;
    if (probe.status != SQ_OK) {
        add(r, DOCTOR_FAIL, "free space", "%.1f GB free in '%s'; the input: %s", free_b / 1e9, dir,
            probe.msg);
        return;
    }
    if (need < 0) {
        add(r, DOCTOR_INFO, "free space",
            "%.1f GB free in '%s' (give --generate or --input to compare with the output size)",
            free_b / 1e9, dir);
        return;
    }
    if ((double)need > free_b)
        add(r, DOCTOR_FAIL, "free space",
            "%.1f GB free in '%s', but the output of %lld element%s needs %.1f GB; free space "
            "or choose another --output",
            free_b / 1e9, dir, (long long)n, sq_s(n), (double)need / 1e9);
    else if ((double)need > 0.9 * free_b)
        add(r, DOCTOR_WARN, "free space",
            "%.1f GB free in '%s'; the output of %lld element%s needs %.1f GB, leaving less "
            "than 10%%",
            free_b / 1e9, dir, (long long)n, sq_s(n), (double)need / 1e9);
    else
        add(r, DOCTOR_OK, "free space",
            "%.1f GB free in '%s'; the output of %lld element%s needs %.2f GB", free_b / 1e9, dir,
            (long long)n, sq_s(n), (double)need / 1e9);
    (void)err;
}

static int env_int(const char *name) {
    const char *v = getenv(name);
    if (v == NULL)
        return 0;
    char *end = NULL;
    const long n = strtol(v, &end, 10);
    /* a hint only: an unparsable or out-of-range value counts as unset */
    return end != v && *end == '\0' && n > 0 && n < 1 << 30 ? (int)n : 0;
}

/* Distinct hosts and lines of a PBS node file. */
static void pbs_nodefile(const char *path, int *nodes, int *slots) {
    *nodes = *slots = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f == NULL)
        return;
    char line[256], seen[64][256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        ++*slots;
        int known = 0;
        for (int i = 0; i < *nodes && i < 64 && !known; ++i)
            known = strcmp(seen[i], line) == 0;
        if (!known && *nodes < 64)
            snprintf(seen[(*nodes)++], sizeof seen[0], "%s", line);
    }
    fclose(f);
}

static void check_launch(report *r) {
    sq_launch_env env = {0};
    env.slurm = getenv("SLURM_JOB_ID") != NULL;
    env.slurm_nodes = env_int("SLURM_JOB_NUM_NODES");
    env.slurm_ntasks = env_int("SLURM_NTASKS");
    env.slurm_cpus_per_task = env_int("SLURM_CPUS_PER_TASK");
    env.pbs = getenv("PBS_JOBID") != NULL;
    pbs_nodefile(getenv("PBS_NODEFILE"), &env.pbs_nodes, &env.pbs_slots);
    env.pbs_ncpus = env_int("NCPUS");
    env.omp_num_threads = env_int("OMP_NUM_THREADS");
    env.cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    char srun[512], mpirun[512], why[256];
    sq_launch_suggest(&env, srun, sizeof srun, mpirun, sizeof mpirun, why, sizeof why);
    add(r, DOCTOR_INFO, "launch", "%s", why);
    add(r, DOCTOR_INFO, "  srun", "%s", srun);
    add(r, DOCTOR_INFO, "  mpirun", "%s", mpirun);
}

/* Parallel HDF5 and the MPI library, its ranks, hosts (into hosts) and thread level. Collective. */
static void check_libraries(report *r, const sq_par *par, char *hosts, size_t hosts_len) {
    char h5[32], mpi[256];
    sq_h5_version(h5, sizeof h5);
    sq_par_library(mpi, sizeof mpi);
    sq_par_hosts(par, hosts, hosts_len);
    if (sq_h5_is_parallel())
        add(r, DOCTOR_OK, "parallel HDF5", "HDF5 %s with the MPI-IO driver", h5);
    else
        add(r, DOCTOR_FAIL, "parallel HDF5",
            "HDF5 %s is a serial build; install a parallel one (Debian: libhdf5-openmpi-dev)", h5);
    const int level = (int)sq_par_min_i64(par, par->thread_level);
    add(r, DOCTOR_OK, "MPI",
        "%s; %d rank%s on %s; thread level %s (sqcube needs "
        "MPI_THREAD_FUNNELED: only thread 0 calls MPI)",
        mpi, par->size, sq_s(par->size), hosts, sq_par_thread_level_name(level));
}

/* OpenMP threads against the affinity masks, judged on rank 0 over every rank's rows. Collective.
 */
static void check_threads(report *r, const sq_par *par) {
    sq_affinity_row *rows = calloc((size_t)omp_get_max_threads(), sizeof *rows);
    const int n = rows ? sq_affinity_collect(par->rank, rows, omp_get_max_threads()) : 0;
    void *all = NULL;
    int total = 0;
    const int gathered =
        sq_par_gather_records(par, rows, n > 0 ? n : 0, sizeof *rows, &all, &total) == 0;
    if (par->rank == 0) {
        char msg[1024];
        const char *omp = getenv("OMP_NUM_THREADS");
        const int v = gathered ? sq_affinity_check(all, total, msg, sizeof msg) : SQ_AFFINITY_WARN;
        if (!gathered)
            snprintf(msg, sizeof msg, "cannot gather the placement on rank 0");
        add(r, from_affinity(v), "OpenMP threads", "OMP_NUM_THREADS=%s, %d thread%s on rank 0; %s",
            omp ? omp : "(unset: the runtime uses every CPU it may, per rank)", n, sq_s(n), msg);
        if (omp == NULL && par->size > 1 && v == SQ_AFFINITY_OK)
            add(r, DOCTOR_WARN, "OMP_NUM_THREADS",
                "unset with %d ranks: each rank starts one thread per CPU of its mask; set it to "
                "the cores per rank",
                par->size);
    }
    free(all);
    free(rows);
}

/* The output directory dir (on file system fs): locking, striping advice, and a parallel HDF5
 * create by every rank. Collective. The probe files go in a private directory (mode 0700, a unique
 * name) that rank 0 creates in dir: no other user can plant a name in it. */
static void check_directory(report *r, const sq_par *par, const char *dir, const char *fs) {
    char priv[SQ_PATH_MAX + 64] = ""; /* "" when it cannot be created */
    if (par->rank == 0) {
        if (sq_safe_private_dir(dir, ".sqcube-doctor-", priv, sizeof priv) != 0) {
            add(r, DOCTOR_FAIL, "file locking",
                "cannot create a file in '%s' (%s); choose an output directory you can write", dir,
                strerror(errno));
            priv[0] = '\0';
        } else {
            check_locking(r, dir, priv, fs);
        }
        if (strcmp(fs, "lustre") == 0 || strcmp(fs, "gpfs") == 0)
            add(r, DOCTOR_INFO, "striping",
                "%s: set --alignment to the stripe size and consider --mpiio-hint "
                "striping_factor=N, striping_unit=BYTES, cb_nodes=N (docs/clusters.md)",
                fs);
    }
    sq_par_bcast(par, priv, sizeof priv); /* rank 0's directory holds the one shared file */
    char probe[SQ_PATH_MAX + 128];
    snprintf(probe, sizeof probe, "%s/probe.h5", priv);
    sq_error h5err;
    sq_error_clear(&h5err);
    if (priv[0] != '\0')
        sq_h5_selftest(par, probe, &h5err);
    else
        sq_fail(&h5err, SQ_ERR_RUNTIME, "not tried: no directory could be created in '%s'", dir);
    sq_par_agree(par, &h5err);
    if (par->rank == 0) {
        if (priv[0] != '\0' && (unlink(probe) != 0 && errno != ENOENT))
            add(r, DOCTOR_WARN, "clean up", "cannot remove '%s' (%s)", probe, strerror(errno));
        if (priv[0] != '\0' && rmdir(priv) != 0)
            add(r, DOCTOR_WARN, "clean up", "cannot remove '%s' (%s)", priv, strerror(errno));
        if (h5err.status == SQ_OK)
            add(r, DOCTOR_OK, "parallel create",
                "%d rank%s created, wrote collectively and read back one HDF5 file in '%s' "
                "(%s)",
                par->size, sq_s(par->size), dir, fs);
        else
            add(r, DOCTOR_FAIL, "parallel create", "%s", h5err.msg);
    }
}

/* Rank 0: the report, and the verdict as the status (a failed check fails doctor). */
static void print_report(const report *r, const sq_par *par, const char *hosts, sq_error *err) {
    const int threads = omp_get_max_threads();
    printf("sqcube doctor: %d rank%s x %d thread%s on %s\n", par->size, sq_s(par->size), threads,
           sq_s(threads), hosts);
    for (int i = 0; i < r->n; ++i) {
        const check_line *l = &r->lines[i];
        printf("  %-5s %-16s %s\n", verdict_name(l->verdict), l->name, l->text);
    }
    printf("verdict: %d check(s) failed, %d warning(s)\n", r->failures, r->warnings);
    fflush(stdout);
    if (r->failures > 0)
        sq_fail(err, SQ_ERR_RUNTIME, "doctor: %d check(s) failed; see the report above",
                r->failures);
}

int sq_doctor(const sq_options *opt, const sq_par *par, sq_error *err) {
    report *r = calloc(1, sizeof *r);
    if (r == NULL)
        sq_fail(err, SQ_ERR_RUNTIME, "out of memory on rank %d", par->rank);
    if (sq_par_agree(par, err))
        goto out_free_report;
    char hosts[4096];
    check_libraries(r, par, hosts, sizeof hosts);
    check_threads(r, par);
    /* The output directory: file system, locking, a parallel create, free space. */
    char path[SQ_PATH_MAX], dir[SQ_PATH_MAX];
    snprintf(path, sizeof path, "%s", opt->output);
    snprintf(dir, sizeof dir, "%s", dirname(path)); /* dirname may modify and return path */
    struct statfs sfs;
    const char *fs = statfs(dir, &sfs) == 0 ? fs_name((long)sfs.f_type) : "unknown";
    check_directory(r, par, dir, fs);
    check_space(r, opt, par, dir, err);
    if (par->rank == 0) {
        check_launch(r);
        print_report(r, par, hosts, err);
    }
    sq_par_agree(par, err);
out_free_report:
    free(r);
    return err->status;
}
