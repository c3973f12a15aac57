# Runs vramfit on one bad input under run_limited; the exit code must be
# EXPECT_EXIT, stderr must be `vramfit: error: ...` naming FRAGMENT, and
# nothing may crash, hang or report an internal error.
# Inputs: RUN_LIMITED, VRAMFIT, LIMIT_MIB, WORK_DIR, EXPECT_EXIT, FRAGMENT, ARGS.
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=VRAMFIT_CATALOG NO_COLOR=1 LC_ALL=C
          "${RUN_LIMITED}" ${LIMIT_MIB} 20 "${VRAMFIT}" ${args}
  WORKING_DIRECTORY "${WORK_DIR}"
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE code)
if(NOT code STREQUAL EXPECT_EXIT)
  message(FATAL_ERROR "exit ${code}, expected ${EXPECT_EXIT}\nstderr:\n${err}")
endif()
string(FIND "${err}" "${FRAGMENT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "stderr does not name the problem ('${FRAGMENT}'):\n${err}")
endif()
if(NOT err MATCHES "^vramfit: error: ")
  message(FATAL_ERROR "stderr is not a vramfit error message:\n${err}")
endif()
foreach(bad IN ITEMS "internal error" "Sanitizer" "runtime error" "terminate called")
  string(FIND "${err}" "${bad}" found)
  if(NOT found EQUAL -1)
    message(FATAL_ERROR "'${bad}' in stderr:\n${err}")
  endif()
endforeach()
