/*
 * h5io_access.c - how an input dataset can be read: its layout (a virtual dataset is read serially
 * by each rank), the file it lives in (an external link), and its filters. Part of the HDF5 edge;
 * see h5io_internal.h.
 */
#include "h5io_internal.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h" /* SQ_PATH_MAX */

const char *sq_h5__file_kind(mode_t mode) {
    if (S_ISFIFO(mode))
        return "FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "character device";
    if (S_ISBLK(mode))
        return "block device";
    if (S_ISSOCK(mode))
        return "socket";
    if (S_ISDIR(mode))
        return "directory";
    return "special file";
}

int sq_h5__needs_serial_read(hid_t d) {
    const hid_t dcpl = H5Dget_create_plist(d);
    const int virt = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_VIRTUAL;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return virt;
}

/* Does the source file of a VDS mapping exist, as HDF5 1.10 looks for it: the name as given
 * (absolute, or relative to the working directory), then beside the virtual dataset's file? */
static int source_exists(const char *vds_file, const char *name) {
    struct stat st;
    if (strcmp(name, ".") == 0 || stat(name, &st) == 0)
        return 1;
    if (name[0] == '/')
        return 0;
    char dir[SQ_PATH_MAX], path[2 * SQ_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", vds_file);
    snprintf(path, sizeof path, "%s/%s", dirname(dir), name);
    return stat(path, &st) == 0;
}

static int check_virtual(const char *file, hid_t dcpl, char *access, size_t len, char *detail,
                         size_t dlen) {
    size_t count = 0;
    if (H5Pget_virtual_count(dcpl, &count) < 0) {
        snprintf(detail, dlen, "its virtual dataset mappings cannot be read");
        return -1;
    }
    for (size_t i = 0; i < count; ++i) {
        char name[SQ_PATH_MAX];
        if (H5Pget_virtual_filename(dcpl, i, name, sizeof name) < 0) {
            snprintf(detail, dlen, "mapping %zu of its virtual dataset cannot be read", i);
            return -1;
        }
        if (!source_exists(file, name)) {
            snprintf(detail, dlen,
                     "it is a virtual dataset whose source file '%s' (mapping %zu of %zu) does not "
                     "exist, where HDF5 would read fill values; put the file back or fix the "
                     "mapping",
                     name, i + 1, count);
            return -1;
        }
    }
    snprintf(access, len,
             "serial: a virtual dataset (%zu mappings), read by each rank through its own sec2 "
             "handle (parallel HDF5 cannot read it through MPI-IO)",
             count);
    return 0;
}

static int check_filters(hid_t dcpl, char *detail, size_t dlen) {
    const int n = H5Pget_nfilters(dcpl);
    for (int i = 0; i < n; ++i) {
        unsigned flags = 0, conf = 0;
        size_t nvalues = 0;
        char name[128] = "";
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl, (unsigned)i, &flags, &nvalues, NULL, sizeof name, name, &conf);
        if (id < 0)
            continue;
        /* Optional or not (h5py marks LZF optional), chunks written with it need it to read. */
        if (H5Zfilter_avail(id) <= 0) {
            snprintf(detail, dlen,
                     "it is stored with HDF5 filter %d (%s), which this HDF5 library lacks; "
                     "install the filter's plugin (HDF5_PLUGIN_PATH) or rewrite the file without "
                     "it (h5repack -f NONE)",
                     (int)id, name[0] ? name : "unnamed");
            return -1;
        }
    }
    return 0;
}

int sq_h5__input_access(const char *file, hid_t d, char *access, size_t len, int *serial,
                        char *detail, size_t dlen) {
    *serial = 0;
    snprintf(access, len, "MPI-IO");
    const hid_t dcpl = H5Dget_create_plist(d);
    if (dcpl < 0) {
        snprintf(detail, dlen, "its creation properties cannot be read");
        return -1;
    }
    int rc = check_filters(dcpl, detail, dlen);
    if (rc == 0 && H5Pget_layout(dcpl) == H5D_VIRTUAL) {
        rc = check_virtual(file, dcpl, access, len, detail, dlen);
        *serial = rc == 0;
    } else if (rc == 0) {
        /* The file holding the data: another one when a link on the way was external. */
        char home[SQ_PATH_MAX];
        if (H5Fget_name(d, home, sizeof home) > 0 && strcmp(home, file) != 0)
            snprintf(access, len, "MPI-IO, through an external link to '%s'", home);
    }
    H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}
