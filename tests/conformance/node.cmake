# Whether the conformance suite can run here: node-llama-cpp installed (with
# its baseline variant) and node on PATH. Sets NODE and conformance_ready;
# prints why a case is skipped (the tests' SKIP_REGULAR_EXPRESSION).
# Inputs: NODE_DIR, PROBE.
set(conformance_ready FALSE)
if(NOT EXISTS "${NODE_DIR}/node_modules/node-llama-cpp/package.json")
  message("conformance: skipped: node-llama-cpp is not installed (scripts/bootstrap.sh --tests installs it)")
  return()
endif()
if(NOT EXISTS "${NODE_DIR}/baseline/node_modules/node-llama-cpp/package.json")
  message(FATAL_ERROR "conformance: ${NODE_DIR}/baseline is missing: run scripts/install-llama-cpp.sh again")
endif()
find_program(NODE node)
if(NOT NODE)
  message("conformance: skipped: node is not on PATH")
  return()
endif()
set(conformance_ready TRUE)

# Runs the probe (copied into DIR, which holds node_modules) with ARGN and
# writes its output and errors to LOG; sets <code_var> to its exit code.
function(run_probe dir log code_var)
  file(COPY "${PROBE}" DESTINATION "${dir}")
  execute_process(
    COMMAND "${NODE}" "${dir}/probe.mjs" ${ARGN}
    WORKING_DIRECTORY "${dir}"
    OUTPUT_FILE "${log}"
    ERROR_VARIABLE err
    RESULT_VARIABLE code
    TIMEOUT 600)
  file(APPEND "${log}" "${err}")
  set(${code_var} "${code}" PARENT_SCOPE)
endfunction()

# Compares the buffer size a llama.cpp log LINE prints ("... = 16.00 MiB") with
# vramfit's PREDICTED bytes printed the same way (MiB with two decimals),
# reports both, and appends a line to <failures_var> when they differ.
function(compare_buffer label line predicted failures_var)
  string(REGEX MATCH "= +([0-9]+\\.[0-9][0-9]) MiB" _ "${line}")
  set(logged "${CMAKE_MATCH_1}")
  math(EXPR hundredths "(${predicted} * 100 + 524288) / 1048576")
  math(EXPR whole "${hundredths} / 100")
  math(EXPR frac "${hundredths} % 100")
  if(frac LESS 10)
    set(frac "0${frac}")
  endif()
  message("${label} buffer: llama.cpp ${logged} MiB, vramfit ${whole}.${frac} MiB (${predicted} bytes)")
  if(NOT "${whole}.${frac}" STREQUAL "${logged}")
    set(${failures_var} "${${failures_var}}the ${label} buffer: llama.cpp ${logged} MiB, vramfit ${whole}.${frac} MiB\n"
        PARENT_SCOPE)
  endif()
endfunction()
