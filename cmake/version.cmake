# Writes generated/version.hpp with the commit the build is made from, at every
# build (not only at configure time), so a result file never names a stale
# commit. "+dirty" marks uncommitted changes to tracked files. The file is
# rewritten only when its text changes, so an unchanged commit rebuilds nothing.
# Inputs: SRC_DIR, OUT, VERSION.
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SRC_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
                  WORKING_DIRECTORY ${SRC_DIR} RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(commit "${commit}+dirty")
  endif()
endif()
set(text "#pragma once\n#define LIMITSIM_VERSION \"${VERSION}\"\n#define LIMITSIM_GIT_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
