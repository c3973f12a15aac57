# An MTP conformance case: llama.cpp (the baseline CPU build node-llama-cpp
# ships, no extra buffers) loads a file that carries MTP (nextn) layers with
# load_mtp, creates the model's context and then an MTP draft context on the
# same weights at the same size, as llama-server does for --spec-type
# draft-mtp. node-llama-cpp's binding cannot ask for either, so a small C++
# probe (mtp_probe.cpp) is compiled against the same library, with the headers
# of its own source (the package's gitRelease.bundle). vramfit's `--mtp`
# figures for the file (--gpu cpu, --host-cpu none) must match:
#  - the model buffer: every tensor, the MTP layers' included, to 0.01 MiB;
#  - the MTP context's KV buffer (the second KV line), to 0.01 MiB;
#  - and the MTP context's compute buffer must lie within the range of
#    vramfit's estimate for it (the model's compute estimate again: a real
#    log, c09, shows both contexts reserving the same).
#
# Inputs: VRAMFIT, MAKE_GGUF, NODE_DIR, SOURCE (mtp_probe.cpp), CXX, WORK_DIR,
# NAME, MODEL, FTYPE, BLOCKS, MTP, CONTEXT, FLASH, CACHE.
set(PROBE "${SOURCE}")
include("${CMAKE_CURRENT_LIST_DIR}/node.cmake")
if(NOT conformance_ready)
  return()
endif()
find_program(GIT git)
if(NOT GIT)
  message("conformance: skipped: git is not on PATH (the probe's headers come from the package's git bundle)")
  return()
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")

# The library: the baseline copy's, this platform's.
file(GLOB llama_libs "${NODE_DIR}/baseline/node_modules/@node-llama-cpp/*/bins/*/libllama.v*.so")
list(LENGTH llama_libs n_libs)
if(NOT n_libs EQUAL 1)
  message(FATAL_ERROR "expected one libllama in the baseline copy; found: ${llama_libs}")
endif()
get_filename_component(bins "${llama_libs}" DIRECTORY)
file(GLOB ggml_libs "${bins}/libggml.v*.so" "${bins}/libggml-base.so")

# The headers of the same source, once per work directory.
set(headers "${WORK_DIR}/llama-headers")
set(bundle "${NODE_DIR}/node_modules/node-llama-cpp/llama/gitRelease.bundle")
if(NOT EXISTS "${headers}/.complete")
  file(REMOVE_RECURSE "${headers}")
  file(MAKE_DIRECTORY "${headers}/git")
  execute_process(COMMAND "${GIT}" init -q "${headers}/git" RESULT_VARIABLE c1)
  execute_process(COMMAND "${GIT}" -C "${headers}/git" fetch -q "${bundle}" HEAD RESULT_VARIABLE c2)
  execute_process(COMMAND "${GIT}" -C "${headers}/git" archive -o "${headers}/headers.tar" FETCH_HEAD include/llama.h
                          ggml/include RESULT_VARIABLE c3)
  if(NOT c1 EQUAL 0 OR NOT c2 EQUAL 0 OR NOT c3 EQUAL 0)
    message(FATAL_ERROR "could not read llama.h from ${bundle}")
  endif()
  file(ARCHIVE_EXTRACT INPUT "${headers}/headers.tar" DESTINATION "${headers}")
  file(REMOVE_RECURSE "${headers}/git" "${headers}/headers.tar")
  file(WRITE "${headers}/.complete" "")
endif()

set(probe "${WORK_DIR}/mtp_probe")
execute_process(
  COMMAND "${CXX}" -std=c++17 -O1 -I "${headers}/include" -I "${headers}/ggml/include" "${SOURCE}" -o "${probe}"
          ${llama_libs} ${ggml_libs} "-Wl,-rpath,${bins}"
  ERROR_VARIABLE cerr
  RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the MTP probe did not compile against ${llama_libs}:\n${cerr}")
endif()

set(model "${WORK_DIR}/${NAME}.gguf")
execute_process(COMMAND "${MAKE_GGUF}" ${MODEL} ${FTYPE} "${model}" loadable blocks=${BLOCKS} mtp=${MTP}
                RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "make_gguf ${MODEL} ${FTYPE} blocks=${BLOCKS} mtp=${MTP} failed")
endif()
set(log "${WORK_DIR}/${NAME}.baseline.log")
execute_process(
  COMMAND "${probe}" "${bins}" "${model}" ${CONTEXT} ${FLASH} ${CACHE}
  OUTPUT_FILE "${log}"
  ERROR_VARIABLE err
  RESULT_VARIABLE code
  TIMEOUT 600)
file(APPEND "${log}" "${err}")
if(NOT code EQUAL 0)
  file(REMOVE "${model}")
  message(FATAL_ERROR "llama.cpp could not load the model with its MTP layers and an MTP context; log: ${log}")
endif()
execute_process(
  COMMAND "${VRAMFIT}" --gguf "${model}" --mtp --gpu cpu --ram 1TiB --host-cpu none --context ${CONTEXT}
          --flash-attn ${FLASH} --cache-type ${CACHE} --no-ladder -f json
  OUTPUT_VARIABLE json
  ERROR_VARIABLE verr
  RESULT_VARIABLE vcode)
file(REMOVE "${model}")
if(NOT vcode EQUAL 0)
  message(FATAL_ERROR "vramfit failed (exit ${vcode}): ${verr}")
endif()
string(JSON weights GET "${json}" results 0 memory weights_bytes)
string(JSON host_weights GET "${json}" results 0 host weights_bytes)
string(JSON mtp_weights GET "${json}" results 0 draft weights_bytes)
string(JSON mtp_kv GET "${json}" results 0 draft kv_cache_bytes)
math(EXPR weights_total "${weights} + ${host_weights} + ${mtp_weights}")

file(STRINGS "${log}" model_lines REGEX "model buffer size = ")
file(STRINGS "${log}" kv_lines REGEX "CPU KV buffer size = ")
file(STRINGS "${log}" compute_lines REGEX "^sched_reserve: +CPU compute buffer size = ")
list(LENGTH model_lines n_model)
list(LENGTH kv_lines n_kv)
list(LENGTH compute_lines n_compute)
if(NOT n_model EQUAL 1 OR NOT n_kv EQUAL 2 OR NOT n_compute EQUAL 2)
  message(FATAL_ERROR "expected one model buffer line and two KV and compute buffer lines (the model's context's, "
                      "the MTP context's); found ${n_model}, ${n_kv} and ${n_compute}; log: ${log}")
endif()
list(GET kv_lines 1 mtp_kv_line)
set(failures "")
compare_buffer("model" "${model_lines}" ${weights_total} failures)
compare_buffer("MTP KV" "${mtp_kv_line}" ${mtp_kv} failures)
# The MTP context's compute buffer: vramfit takes the model's estimate again,
# so llama.cpp's must lie within that estimate's stated range.
string(JSON low GET "${json}" results 0 estimate compute_buffer_low_bytes)
string(JSON high GET "${json}" results 0 estimate compute_buffer_high_bytes)
string(JSON mtp_compute GET "${json}" results 0 draft compute_bytes)
list(GET compute_lines 0 main_compute)
list(GET compute_lines 1 mtp_compute_line)
string(REGEX MATCH "= +([0-9]+)\\.([0-9][0-9]) MiB" _ "${main_compute}")
set(main_mib "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
string(REGEX MATCH "= +([0-9]+)\\.([0-9][0-9]) MiB" _ "${mtp_compute_line}")
set(mtp_mib "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
math(EXPR logged "(${CMAKE_MATCH_1} * 100 + ${CMAKE_MATCH_2}) * 1048576 / 100")
math(EXPR low_mib "${low} / 1048576")
math(EXPR high_mib "${high} / 1048576")
math(EXPR estimate_mib "${mtp_compute} / 1048576")
message("compute buffers: the model's context ${main_mib} MiB, the MTP context's ${mtp_mib} MiB; "
        "vramfit's MTP estimate ${estimate_mib} MiB (${low_mib}..${high_mib})")
if(logged LESS low OR logged GREATER high)
  string(APPEND failures "llama.cpp's MTP context reserves ${mtp_mib} MiB of compute, outside vramfit's "
                         "${low_mib}..${high_mib} MiB\n")
endif()
if(failures)
  message(FATAL_ERROR "${failures}log: ${log}")
endif()
