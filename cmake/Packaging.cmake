# Installation and packaging (docs/install.md): what `cmake --install` puts where, the environment
# modules, and the Debian package (`cpack -G DEB`, scripts/package.sh). Included at the end of the
# top-level CMakeLists.txt. Every destination is relative to the prefix, and the installed binary
# reads nothing from the source or build tree, so any prefix works and can be moved afterwards.
#
#   PREFIX/bin/sqcube
#   PREFIX/share/man/man1/sqcube.1
#   PREFIX/share/doc/sqcube/          README.md, docs/ (with img/ and sqcube.1), jobs/, data/:
#                                     the source tree's layout, so the docs' relative links hold
#   PREFIX/share/sqcube/analysis/     the analysis scripts (analysis/*.py)
#   PREFIX/share/modulefiles/sqcube/  VERSION.lua (Lmod) and VERSION (Tcl, Environment Modules)
include(GNUInstallDirs)

# A site's own MPI and HDF5 stay found after installing, without LD_LIBRARY_PATH: the folders of
# the libraries found outside /usr/lib and /lib go into the installed binary's RUNPATH. A
# distribution's (Debian's: the dynamic linker finds them) add nothing, so the package has none.
set(_sqcube_rpath "")
foreach(_lib IN LISTS MPI_C_LIBRARIES HDF5_C_LIBRARIES)
  if(IS_ABSOLUTE "${_lib}")
    get_filename_component(_dir "${_lib}" DIRECTORY)
    if(NOT _dir MATCHES "^/(usr/)?lib(32|64)?(/|$)")
      list(APPEND _sqcube_rpath "${_dir}")
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES _sqcube_rpath)
set_target_properties(sqcube PROPERTIES INSTALL_RPATH "${_sqcube_rpath}")
install(TARGETS sqcube RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/sqcube.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The docs with everything they link to (tests/install/doc_links.py checks the installed links).
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB _sqcube_docs "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES ${_sqcube_docs} docs/sqcube.1 DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(DIRECTORY docs/img DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
# The measurement data the docs cite (72 KB).
install(DIRECTORY bench/results DESTINATION ${CMAKE_INSTALL_DOCDIR}/bench)
# The job scripts, as examples to copy and adapt (jobs/README.md).
install(FILES jobs/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/jobs)
install(DIRECTORY jobs/local jobs/pbs jobs/slurm DESTINATION ${CMAKE_INSTALL_DOCDIR}/jobs
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
                         WORLD_EXECUTE)
# The README's sample input (data/README.md; the test fixtures are made by make_data.py).
install(FILES data/README.md data/sample.h5 DESTINATION ${CMAKE_INSTALL_DOCDIR}/data)
install(PROGRAMS data/make_data.py DESTINATION ${CMAKE_INSTALL_DOCDIR}/data)

# The analysis scripts (docs/analysis.md): run them from there, or copy them.
install(PROGRAMS analysis/summary.py analysis/phases.py analysis/scaling.py analysis/preview.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sqcube/analysis)
install(FILES analysis/sqresult.py DESTINATION ${CMAKE_INSTALL_DATADIR}/sqcube/analysis)

# The modulefiles are written at install time (cmake/InstallModulefiles.cmake), so each records
# the prefix it was installed into as its fallback (cmake/modulefiles/*.in say how they find it).
set(SQCUBE_MODULE_DIR "${CMAKE_INSTALL_DATADIR}/modulefiles/sqcube")
install(CODE "set(SQCUBE_MODULE_SRC \"${PROJECT_SOURCE_DIR}/cmake/modulefiles\")
set(SQCUBE_VERSION \"${PROJECT_VERSION}\")
set(SQCUBE_MODULE_DIR \"${SQCUBE_MODULE_DIR}\")")
install(SCRIPT cmake/InstallModulefiles.cmake)

# ---- the Debian package: cpack -G DEB (or scripts/package.sh) -> sqcube_VERSION_ARCH.deb --------
set(SQCUBE_PACKAGE_CONTACT "sqcube maintainers" CACHE STRING
    "The Maintainer field of the Debian package (\"Name <email>\")")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sqcube)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${SQCUBE_PACKAGE_CONTACT}")
# Installed with DESTDIR into CPack's staging folder, so the install scripts see
# CMAKE_INSTALL_PREFIX=/usr and the modulefiles record /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # sqcube_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# The long description, wrapped for `apt show` (CPack indents each line).
string(JOIN "\n" CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "sqcube squares and cubes every element of an HDF5 dataset (or a generated one)"
  "on MPI ranks x OpenMP threads, computes exact reductions (count, sums of x, x^2"
  "and x^3, min, max) and writes one HDF5 file with parallel HDF5. With the man"
  "page, the docs, Slurm and PBS job scripts, the analysis scripts and modulefiles"
  "for Lmod and Environment Modules.")
# The libraries the binary links (parallel HDF5 for Open MPI, Open MPI, libgomp, libc), with the
# versions dpkg-shlibdeps reads from the build machine; mpirun is in openmpi-bin.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "openmpi-bin")
# The analysis scripts (share/sqcube/analysis) need these; sqcube itself does not.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-h5py, python3-numpy, python3-matplotlib")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "hdf5-tools, lmod | environment-modules")
include(CPack)
