# Writes sqcube_buildinfo.h at build time (cmake -P), so the git commit stamped into the binary and
# into every output file is the one built, not the one configured. The header is replaced only when
# its text changes, so an unchanged tree rebuilds nothing.
# Inputs (-D): SRC_DIR, OUT, GIT_EXECUTABLE, SQCUBE_VERSION, SQCUBE_COMPILER, SQCUBE_C_FLAGS,
# SQCUBE_BUILD_TYPE.
set(commit "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SRC_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC_DIR}"
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND head)
    set(commit "${head}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
                    WORKING_DIRECTORY "${SRC_DIR}" OUTPUT_VARIABLE dirty ERROR_QUIET)
    if(dirty)
      string(APPEND commit "-dirty")
    endif()
  endif()
endif()
set(text "/* Generated at build time by cmake/BuildInfo.cmake: how this binary was built. */
#ifndef SQCUBE_BUILDINFO_H
#define SQCUBE_BUILDINFO_H
#define SQCUBE_VERSION \"${SQCUBE_VERSION}\"
#define SQCUBE_GIT_COMMIT \"${commit}\"
#define SQCUBE_COMPILER \"${SQCUBE_COMPILER}\"
#define SQCUBE_C_FLAGS \"${SQCUBE_C_FLAGS}\"
#define SQCUBE_BUILD_TYPE \"${SQCUBE_BUILD_TYPE}\"
#endif
")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
