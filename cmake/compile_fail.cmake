# ctest's NewRecordType tests: builds TARGET in BUILD_DIR and passes only
# when that build fails with a diagnostic naming WHAT.
#   cmake -DBUILD_DIR=... -DTARGET=... -DWHAT=... -P compile_fail.cmake
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled: something handles any ${WHAT}")
endif()
if(NOT out MATCHES "${WHAT}")
  message(FATAL_ERROR "${TARGET} failed, but not on ${WHAT}:\n${out}")
endif()
