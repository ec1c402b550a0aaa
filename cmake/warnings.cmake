# The warnings of every target of ours: -Wall -Wextra, and errors only with
# -DNETLOG_WERROR=ON, which CI sets (scripts/check.sh). A user's or a
# packager's build must not fail on a warning its newer compiler adds.
include_guard(GLOBAL)
option(NETLOG_WERROR "Treat compiler warnings as errors (CI)" OFF)

function(netlog_warnings)
  foreach(target IN LISTS ARGN)
    target_compile_options(${target} PRIVATE -Wall -Wextra
      $<$<BOOL:${NETLOG_WERROR}>:-Werror>)
  endforeach()
endfunction()
