# Runs one libFuzzer target for SECONDS over its seed directories; new inputs
# go to WORK_DIR (in the build tree), crashes to WORK_DIR/artifacts. Prints the
# executions per second and corpus size, and fails on any finding.
# Inputs: FUZZER, SECONDS, WORK_DIR, SEEDS (list of directories).
file(MAKE_DIRECTORY "${WORK_DIR}/corpus" "${WORK_DIR}/artifacts")
set(seed_dirs "")
foreach(dir IN LISTS SEEDS)
  if(IS_DIRECTORY "${dir}")
    list(APPEND seed_dirs "${dir}")
  endif()
endforeach()
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
          -artifact_prefix=${WORK_DIR}/artifacts/ "${WORK_DIR}/corpus" ${seed_dirs}
  RESULT_VARIABLE code
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" done "${err}")
string(REGEX MATCH "stat::average_exec_per_sec: *[0-9]+" speed "${err}")
string(REGEX MATCH "#[0-9]+[^\n]*DONE[^\n]*" last "${err}")
message(STATUS "${done}; ${speed}; ${last}")
if(NOT code EQUAL 0)
  message(FATAL_ERROR "fuzzer found a problem (exit ${code}); artifacts in ${WORK_DIR}/artifacts\n${err}")
endif()
