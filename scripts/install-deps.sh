#!/usr/bin/env bash
# Installs what sqcube needs from Debian's packages, only what is missing. Runs apt-get as root
# (directly, or through sudo). Set SQCUBE_SKIP_INSTALL=1 to skip (a machine set up by other means).
#   bash scripts/install-deps.sh           what building, running and the quick start need
#   bash scripts/install-deps.sh --tests   and what the whole test suite needs (scripts/test.sh)
#   bash scripts/install-deps.sh --bench   and what bench/netcdf.sh compares with (CDO, NCO, netCDF)
set -euo pipefail
[ "${SQCUBE_SKIP_INSTALL:-0}" = 1 ] && exit 0

PACKAGES=(
    build-essential cmake pkg-config git          # compiler and build
    libopenmpi-dev openmpi-bin                    # MPI (Open MPI)
    libhdf5-openmpi-dev hdf5-tools                # parallel HDF5 and h5dump
    libcunit1-dev                                 # unit tests
    python3-h5py python3-numpy python3-matplotlib # independent checks and analysis
    python3-mpi4py python3-h5py-mpi               # the mpi4py + parallel h5py peer (bench/)
    clang-format                                  # the style check
    groff-base man-db                             # the man page test (groff, man -l)
    clang libclang-rt-dev libomp-dev              # fuzzers (libFuzzer), TSan + Archer (LLVM OpenMP)
    clang-tidy cppcheck                           # static analysis (scripts/lint.sh)
    valgrind time                                 # memcheck test; peak RSS in bench/soak.sh
)
# The job-script tests (tests/jobs/, label jobs) only: a real single-node Slurm to submit
# jobs/slurm/ to (srun --mpi=pmix needs libpmix-dev), and network namespaces for two hosts.
# The installation tests (tests/install/, label install): Lmod for the modulefiles, and Tcl for
# Environment Modules, whose package conflicts with lmod and is therefore only downloaded and
# unpacked by the test (apt-get download), never installed.
TEST_PACKAGES=(
    slurm-wlm munge libpmix-dev # slurmctld, slurmd, sbatch/srun; authentication; srun --mpi=pmix
    iproute2 util-linux         # ip netns; nsenter, unshare
    tcl8.6                      # Environment Modules' modulecmd.tcl (install_envmodules)
    strace                      # the --sync test (tests/mpi/run_options.sh sync) counts fsync calls
    python3-xarray python3-h5netcdf python3-netcdf4 # netCDF view (tests/mpi/netcdf.sh, analysis.sh)
    netcdf-bin nco cdo udunits-bin                  # ncdump, ncks, cdo sinfon, udunits2 on results
)
# Where environment-modules is installed, it serves the test itself, and lmod would replace it.
if ! dpkg-query -W -f='${Status}' environment-modules 2>/dev/null | grep -q "install ok installed"; then
    TEST_PACKAGES+=(lmod) # install_lmod
fi
# The real-input benchmark (bench/netcdf.sh) only: netCDF tools, CDO and NCO to compare with.
BENCH_PACKAGES=(
    netcdf-bin nco cdo                               # ncdump; ncap2; cdo
    python3-netcdf4 python3-xarray python3-h5netcdf # writing the netCDF-4 input
)
case ${1:-} in
"") ;;
--tests) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
--bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
*)
    echo "usage: $0 [--tests | --bench]" >&2
    exit 2
    ;;
esac
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && { echo "install-deps: all packages present"; exit 0; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
