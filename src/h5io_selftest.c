/*
 * h5io_selftest.c - sqcube doctor's parallel HDF5 round trip.
 */
#include "h5io_internal.h"

#include <errno.h>
#include <hdf5.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- self-test (sqcube doctor) ------------------------------------------------------------ */

int sq_h5_selftest(const sq_par *par, const char *path, sq_error *err) {
    char detail[256];
    const int rank = par->rank, nranks = par->size;
    const hsize_t dim = (hsize_t)nranks, start = (hsize_t)rank, one = 1;
    const char *step = "create";
    int64_t *back = calloc((size_t)nranks, sizeof *back);
    const int64_t mine = 7 * (int64_t)rank + 1;
    const hid_t fapl = sq_h5__mpio_fapl(par), dxpl = sq_h5__collective_dxpl();
    hid_t f = -1, space = -1, mspace = -1, d = -1;
    int ok = back != NULL && fapl >= 0 && dxpl >= 0;
    if (ok)
        ok = (f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl)) >= 0 &&
             (space = H5Screate_simple(1, &dim, NULL)) >= 0 &&
             (mspace = H5Screate_simple(1, &one, NULL)) >= 0 &&
             (d = H5Dcreate2(f, "x", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT)) >= 0;
    if (ok) {
        step = "collective write";
        ok = H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &one, NULL) >= 0 &&
             H5Dwrite(d, H5T_NATIVE_INT64, mspace, space, dxpl, &mine) >= 0;
    }
    if (d >= 0)
        H5Dclose(d);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (space >= 0)
        H5Sclose(space);
    if (f >= 0 && H5Fclose(f) < 0 && ok) {
        step = "close";
        ok = 0;
    }
    if (ok) {
        step = "reopen and read";
        f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
        d = f >= 0 ? H5Dopen2(f, "x", H5P_DEFAULT) : -1;
        ok = d >= 0 && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, dxpl, back) >= 0;
        if (d >= 0)
            H5Dclose(d);
        if (f >= 0)
            H5Fclose(f);
    }
    for (int r = 0; ok && r < nranks; ++r)
        if (back[r] != 7 * (int64_t)r + 1) {
            step = "check";
            ok = 0;
            snprintf(sq_h5__last_detail, sizeof sq_h5__last_detail,
                     "element %d reads %lld, but rank %d wrote %lld", r, (long long)back[r], r,
                     (long long)(7 * (int64_t)r + 1));
        }
    free(back);
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    H5Eclear2(H5E_DEFAULT);
    if (!ok)
        return sq_fail(err, SQ_ERR_RUNTIME,
                       "parallel HDF5 %s of '%s' failed on rank %d (%s); check that the directory "
                       "is on a file system all ranks share and that MPI-IO works there (file "
                       "locking: HDF5_USE_FILE_LOCKING=FALSE)",
                       step, path, rank, sq_h5__h5_detail(detail));
    return SQ_OK;
}
