# Run by `cmake --install` (and CPack): writes the modulefiles with the prefix being installed into,
# their fallback when they are copied away from it, and installs them under
# PREFIX/share/modulefiles/sqcube/. Input: SQCUBE_MODULE_SRC, SQCUBE_MODULE_TMP, SQCUBE_VERSION,
# SQCUBE_MODULE_DIR (relative to the prefix); CMAKE_INSTALL_PREFIX is the one of this install.
set(SQCUBE_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
# One folder per destination, so installs into different prefixes at once do not mix.
string(MD5 _dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(_tmp "${SQCUBE_MODULE_TMP}/${_dest}")
configure_file("${SQCUBE_MODULE_SRC}/sqcube.lua.in" "${_tmp}/${SQCUBE_VERSION}.lua" @ONLY)
configure_file("${SQCUBE_MODULE_SRC}/sqcube.tcl.in" "${_tmp}/${SQCUBE_VERSION}" @ONLY)
file(INSTALL "${_tmp}/${SQCUBE_VERSION}.lua" "${_tmp}/${SQCUBE_VERSION}"
     DESTINATION "${CMAKE_INSTALL_PREFIX}/${SQCUBE_MODULE_DIR}")
file(REMOVE_RECURSE "${_tmp}")
