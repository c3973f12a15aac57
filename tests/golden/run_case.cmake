# Runs one golden case: the binary with the case's arguments, in tests/data,
# with a clean environment; compares stdout, stderr and the exit code.
# Inputs: VRAMFIT (binary), CASE_DIR, DATA_DIR. VRAMFIT_UPDATE_GOLDEN=1 rewrites.
# An optional `env` file adds NAME=VALUE lines to the environment, with
# %DATA_DIR% standing for the work directory (a recorded machine's PATH, say).
file(STRINGS "${CASE_DIR}/args" args ENCODING UTF-8)
set(extra_env "")
if(EXISTS "${CASE_DIR}/env")
  file(STRINGS "${CASE_DIR}/env" env_lines ENCODING UTF-8)
  foreach(line IN LISTS env_lines)
    string(REPLACE "%DATA_DIR%" "${DATA_DIR}" line "${line}")
    list(APPEND extra_env "${line}")
  endforeach()
endif()
set(update "$ENV{VRAMFIT_UPDATE_GOLDEN}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=VRAMFIT_CATALOG --unset=XDG_CONFIG_HOME HOME=/nonexistent --unset=OLLAMA_KV_CACHE_TYPE --unset=OLLAMA_FLASH_ATTENTION --unset=OLLAMA_CONTEXT_LENGTH --unset=OLLAMA_NUM_PARALLEL --unset=OLLAMA_GPU_OVERHEAD NO_COLOR=1 LC_ALL=C COLUMNS=80 ${extra_env}
          ${VRAMFIT} ${args}
  WORKING_DIRECTORY "${DATA_DIR}"
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE code
  TIMEOUT 60)
if(update STREQUAL "1")
  file(WRITE "${CASE_DIR}/stdout" "${out}")
  file(WRITE "${CASE_DIR}/stderr" "${err}")
  file(WRITE "${CASE_DIR}/exit_code" "${code}\n")
  message(STATUS "updated ${CASE_DIR}")
  return()
endif()
file(READ "${CASE_DIR}/stdout" want_out)
file(READ "${CASE_DIR}/stderr" want_err)
file(STRINGS "${CASE_DIR}/exit_code" want_code)
set(failed FALSE)
if(NOT code STREQUAL want_code)
  message(SEND_ERROR "exit code ${code}, expected ${want_code}")
  set(failed TRUE)
endif()
foreach(stream out err)
  if(NOT "${${stream}}" STREQUAL "${want_${stream}}")
    message(SEND_ERROR "std${stream} differs from ${CASE_DIR}/std${stream}:\n--- actual ---\n${${stream}}")
    set(failed TRUE)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "golden case failed: ${CASE_DIR} (args: ${args})")
endif()
