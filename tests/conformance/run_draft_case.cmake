# A draft-model conformance case: llama.cpp (node-llama-cpp's baseline CPU
# build, no extra buffers) loads a model and then a draft model with a context
# of its own at the same size and its own cache type, as llama-server loads a
# draft; vramfit's `draft` figures for the same pair (--gguf-draft,
# --cache-type-draft, --host-cpu none) must match the draft's buffer lines:
# its model buffer (weights on the device and in host memory) and its KV
# buffer, to the printed 0.01 MiB. The model's own lines are the ordinary
# cases' business. Not compared: the draft's compute buffer, which
# llama-server reserves for one output per sequence (n_outputs_max) and
# node-llama-cpp, which cannot set it, for the whole ubatch.
#
# Inputs: VRAMFIT, MAKE_GGUF, NODE_DIR, PROBE, WORK_DIR, NAME, MODEL, FTYPE,
# BLOCKS, DRAFT, DRAFT_FTYPE, DRAFT_BLOCKS, CONTEXT, FLASH, CACHE, DRAFT_CACHE.
include("${CMAKE_CURRENT_LIST_DIR}/node.cmake")
if(NOT conformance_ready)
  return()
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
set(model "${WORK_DIR}/${NAME}.model.gguf")
set(draft "${WORK_DIR}/${NAME}.draft.gguf")
foreach(pair "${MODEL}|${FTYPE}|${BLOCKS}|${model}" "${DRAFT}|${DRAFT_FTYPE}|${DRAFT_BLOCKS}|${draft}")
  string(REPLACE "|" ";" f "${pair}")
  list(GET f 0 id)
  list(GET f 1 ftype)
  list(GET f 2 blocks)
  list(GET f 3 out)
  execute_process(COMMAND "${MAKE_GGUF}" ${id} ${ftype} "${out}" loadable blocks=${blocks} RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "make_gguf ${id} ${ftype} blocks=${blocks} failed")
  endif()
endforeach()
set(dir "${NODE_DIR}/baseline")
set(log "${WORK_DIR}/${NAME}.baseline.log")
run_probe("${dir}" "${log}" code "${model}" ${CONTEXT} ${FLASH} ${CACHE} 1 0 "${draft}" ${DRAFT_CACHE})
if(NOT code EQUAL 0)
  message(FATAL_ERROR "llama.cpp could not load the model and its draft; log: ${log}")
endif()
execute_process(
  COMMAND "${VRAMFIT}" --gguf "${model}" --gguf-draft "${draft}" --gpu cpu --ram 64GiB --host-cpu none
          --context ${CONTEXT} --flash-attn ${FLASH} --cache-type ${CACHE} --cache-type-draft ${DRAFT_CACHE}
          --no-ladder -f json
  OUTPUT_VARIABLE json
  ERROR_VARIABLE verr
  RESULT_VARIABLE vcode)
file(REMOVE "${model}" "${draft}")
if(NOT vcode EQUAL 0)
  message(FATAL_ERROR "vramfit failed (exit ${vcode}): ${verr}")
endif()
string(JSON weights GET "${json}" results 0 draft weights_bytes)
string(JSON host_weights GET "${json}" results 0 draft host_weights_bytes)
string(JSON kv GET "${json}" results 0 draft kv_cache_bytes)
math(EXPR weights_total "${weights} + ${host_weights}")

# The second model buffer and the second KV buffer are the draft's.
file(STRINGS "${log}" model_lines REGEX "CPU_Mapped model buffer size = ")
file(STRINGS "${log}" kv_lines REGEX "CPU KV buffer size = ")
list(LENGTH model_lines n_model)
list(LENGTH kv_lines n_kv)
if(NOT n_model EQUAL 2 OR NOT n_kv EQUAL 2)
  message(FATAL_ERROR "expected two model and two KV buffer lines (the model's, the draft's); found ${n_model} "
                      "and ${n_kv}; log: ${log}")
endif()
set(failures "")
list(GET model_lines 1 draft_model_line)
list(GET kv_lines 1 draft_kv_line)
compare_buffer("draft model" "${draft_model_line}" ${weights_total} failures)
compare_buffer("draft KV" "${draft_kv_line}" ${kv} failures)
if(failures)
  message(FATAL_ERROR "${failures}log: ${log}")
endif()
