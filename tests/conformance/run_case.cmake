# One conformance case: writes a GGUF with a catalog model's real tensor shapes
# (zero weights, sparse; the first BLOCKS blocks), loads it with llama.cpp on
# the CPU backend (node-llama-cpp's prebuilt binaries), and checks the startup
# log with `vramfit verify --gguf`: weights, KV cache, recurrent state and
# output exact to 1 MiB, the compute buffer within its stated range.
# Inputs: VRAMFIT, MAKE_GGUF, NODE_DIR (holds node_modules/node-llama-cpp),
# PROBE, WORK_DIR, NAME, MODEL, FTYPE, BLOCKS, CONTEXT, FLASH, CACHE, SEQUENCES, SWA_FULL.
if(NOT EXISTS "${NODE_DIR}/node_modules/node-llama-cpp/package.json")
  message("conformance: skipped: node-llama-cpp is not installed (scripts/bootstrap.sh --tests installs it)")
  return()
endif()
find_program(NODE node)
if(NOT NODE)
  message("conformance: skipped: node is not on PATH")
  return()
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
set(gguf "${WORK_DIR}/${NAME}.gguf")
set(log "${WORK_DIR}/${NAME}.log")
set(blocks "")
if(NOT BLOCKS STREQUAL "all")
  set(blocks "blocks=${BLOCKS}")
endif()
execute_process(COMMAND "${MAKE_GGUF}" ${MODEL} ${FTYPE} "${gguf}" loadable ${blocks} RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "make_gguf ${MODEL} ${FTYPE} ${blocks} failed")
endif()
# The probe runs from NODE_DIR so that node resolves node-llama-cpp there.
file(COPY "${PROBE}" DESTINATION "${NODE_DIR}")
execute_process(
  COMMAND "${NODE}" "${NODE_DIR}/probe.mjs" "${gguf}" ${CONTEXT} ${FLASH} ${CACHE} ${SEQUENCES} ${SWA_FULL}
  WORKING_DIRECTORY "${NODE_DIR}"
  OUTPUT_FILE "${log}"
  ERROR_VARIABLE err
  RESULT_VARIABLE code
  TIMEOUT 600)
if(NOT code EQUAL 0)
  file(REMOVE "${gguf}")
  message(FATAL_ERROR "llama.cpp could not load ${MODEL} (${blocks}): ${err}\nlog: ${log}")
endif()
execute_process(
  COMMAND "${VRAMFIT}" verify "${log}" --gguf "${gguf}"
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE code)
file(REMOVE "${gguf}")
message("${out}${err}")
if(NOT code EQUAL 0)
  message(FATAL_ERROR "vramfit verify disagrees with llama.cpp for ${NAME} (exit ${code}); log: ${log}")
endif()
