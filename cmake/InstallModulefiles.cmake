# Run by `cmake --install` (and CPack): writes the modulefiles straight into
# PREFIX/share/modulefiles/sqcube/, with the prefix being installed into as their fallback when
# they are copied away from it (nothing is written into the build tree, which may be read-only).
# Input: SQCUBE_MODULE_SRC, SQCUBE_VERSION, SQCUBE_MODULE_DIR (relative to the prefix);
# CMAKE_INSTALL_PREFIX and DESTDIR are the ones of this install.
set(SQCUBE_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(_dir "${CMAKE_INSTALL_PREFIX}/${SQCUBE_MODULE_DIR}")
foreach(_pair "sqcube.lua.in;${SQCUBE_VERSION}.lua" "sqcube.tcl.in;${SQCUBE_VERSION}")
  list(GET _pair 0 _in)
  list(GET _pair 1 _out)
  message(STATUS "Installing: $ENV{DESTDIR}${_dir}/${_out}")
  configure_file("${SQCUBE_MODULE_SRC}/${_in}" "$ENV{DESTDIR}${_dir}/${_out}" @ONLY)
  file(CHMOD "$ENV{DESTDIR}${_dir}/${_out}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${_dir}/${_out}") # install_manifest.txt
endforeach()
