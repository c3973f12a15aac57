# Runs vramfit on one bad input under run_limited; the exit code must be
# EXPECT_EXIT, stderr must be `vramfit: error: ...` naming FRAGMENT, and
# nothing may crash, hang or report an internal error.
# Inputs: RUN_LIMITED, VRAMFIT, LIMIT_MIB, WORK_DIR, EXPECT_EXIT, FRAGMENT, ARGS.
separate_arguments(args UNIX_COMMAND "${ARGS}")
string(MAKE_C_IDENTIFIER "${ARGS}" run_id)
set(out_file "${WORK_DIR}/.out-${run_id}")
set(err_file "${WORK_DIR}/.err-${run_id}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=VRAMFIT_CATALOG --unset=XDG_CONFIG_HOME HOME=/nonexistent NO_COLOR=1 LC_ALL=C
          "${RUN_LIMITED}" ${LIMIT_MIB} 20 "${VRAMFIT}" ${args}
  WORKING_DIRECTORY "${WORK_DIR}"
  OUTPUT_FILE "${out_file}"
  ERROR_FILE "${err_file}"
  RESULT_VARIABLE code)
# Nothing from a file reaches the terminal raw: no control bytes but newline,
# and no byte that never occurs in UTF-8 (C0, C1, F5-FF).
foreach(stream IN ITEMS "${out_file}" "${err_file}")
  file(READ "${stream}" hex LIMIT 65536 HEX)
  string(REGEX MATCHALL ".." pairs "${hex}")
  foreach(pair IN LISTS pairs)
    if(pair MATCHES "^(0[0-9b-f]|1[0-9a-f]|7f|c0|c1|f[5-9a-f])$")
      file(READ "${stream}" raw LIMIT 2000)
      message(FATAL_ERROR "raw byte 0x${pair} in ${stream}:\n${raw}")
    endif()
  endforeach()
endforeach()
file(READ "${out_file}" out)
file(READ "${err_file}" err)
file(REMOVE "${out_file}" "${err_file}")
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
