# One conformance case: writes a GGUF with a catalog model's real tensor shapes
# (zero weights, sparse; the first BLOCKS blocks), loads it with llama.cpp on
# the CPU backend (node-llama-cpp's prebuilt binaries) twice, and checks both
# startup logs with `vramfit verify --gguf`: weights, extra buffers, KV cache,
# recurrent state and output exact to 1 MiB, the compute buffer within its
# stated range.
#
#  1. native: the CPU-backend variant llama.cpp picks for this CPU, with the
#     extra buffers (AMX, CPU_REPACK) that variant offers. vramfit is told the
#     CPU class read from /proc/cpuinfo (--host-cpu), not from the log, so the
#     extra buffers are predicted, not fitted.
#  2. baseline: the same package with only the baseline variant (x86-64
#     without AVX2, or ARMv8.0), which has no extra buffers (--host-cpu none).
#
# The two logs must then agree exactly on every buffer the extra buffers do
# not touch (KV, recurrent state, output, compute). Where llama.cpp aborts on
# this CPU (AMX with MLA weights on the CPU), the native run is reported and
# vramfit must predict the abort; the baseline run still runs.
#
# Inputs: VRAMFIT, MAKE_GGUF, NODE_DIR (holds node_modules/node-llama-cpp and
# baseline/node_modules), PROBE, WORK_DIR, NAME, MODEL, FTYPE, BLOCKS, CONTEXT,
# FLASH, CACHE, SEQUENCES, SWA_FULL.
include("${CMAKE_CURRENT_LIST_DIR}/node.cmake")
if(NOT conformance_ready)
  return()
endif()

include("${CMAKE_CURRENT_LIST_DIR}/cpu_class.cmake")

# Runs the probe from DIR (which holds node_modules) and verifies its log with
# --host-cpu CPU. Sets <run>_log, <run>_code (the probe's exit), <run>_verify
# (vramfit's output) and <run>_verify_code.
function(probe_and_verify run dir cpu)
  set(log "${WORK_DIR}/${NAME}.${run}.log")
  run_probe("${dir}" "${log}" code "${gguf}" ${CONTEXT} ${FLASH} ${CACHE} ${SEQUENCES} ${SWA_FULL})
  set(${run}_log "${log}" PARENT_SCOPE)
  set(${run}_code "${code}" PARENT_SCOPE)
  execute_process(
    COMMAND "${VRAMFIT}" verify "${log}" --gguf "${gguf}" --host-cpu ${cpu}
    OUTPUT_VARIABLE out
    ERROR_VARIABLE verr
    RESULT_VARIABLE vcode)
  set(${run}_verify "${out}${verr}" PARENT_SCOPE)
  set(${run}_verify_code "${vcode}" PARENT_SCOPE)
endfunction()

# The lines of a log for buffers the extra buffers do not touch.
function(other_buffers log out)
  file(STRINGS "${log}" lines REGEX "(KV|RS|output|compute) buffer size =")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY "${WORK_DIR}")
set(gguf "${WORK_DIR}/${NAME}.gguf")
set(blocks "")
if(NOT BLOCKS STREQUAL "all")
  set(blocks "blocks=${BLOCKS}")
endif()
execute_process(COMMAND "${MAKE_GGUF}" ${MODEL} ${FTYPE} "${gguf}" loadable ${blocks} RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "make_gguf ${MODEL} ${FTYPE} ${blocks} failed")
endif()

host_cpu_class(cpu)
probe_and_verify(native "${NODE_DIR}" ${cpu})
probe_and_verify(baseline "${NODE_DIR}/baseline" none)
file(REMOVE "${gguf}")

set(failures "")
file(READ "${native_log}" native_text)
if(cpu STREQUAL "amx" AND native_text MATCHES "AMX is not ready to be used")
  # The kernel refused AMX's tile state: the variant runs as AVX-512.
  message("conformance: note: this kernel does not grant AMX (AMX is not ready to be used): predicted as avx512")
  set(cpu avx512)
  probe_and_verify(native "${NODE_DIR}" ${cpu})
  file(READ "${native_log}" native_text)
endif()
message("== native run (host CPU class ${cpu}, from /proc/cpuinfo)")
if(NOT native_code EQUAL 0)
  if(native_text MATCHES "GGML_ASSERT\\(\\*cur_backend_id != -1\\)")
    # llama.cpp's own abort on this CPU: vramfit must have predicted it.
    message("conformance: note: llama.cpp aborts on this CPU (${cpu}) creating the context; "
            "this case is checked with extra buffers disabled only")
    message("${native_verify}")
    if(NOT native_verify MATCHES "llama.cpp aborts")
      string(APPEND failures "vramfit did not predict llama.cpp's abort on this CPU (${cpu}); log: ${native_log}\n")
    endif()
  else()
    string(APPEND failures "llama.cpp could not load ${MODEL} (${blocks}) on this CPU (${cpu}); log: ${native_log}\n")
  endif()
  set(compare FALSE)
else()
  message("${native_verify}")
  if(NOT native_verify_code EQUAL 0)
    string(APPEND failures "vramfit verify disagrees with llama.cpp (native, ${cpu}; exit ${native_verify_code}); "
                           "log: ${native_log}\n")
  endif()
  set(compare TRUE)
endif()

message("== baseline run (extra buffers disabled: --host-cpu none)")
if(NOT baseline_code EQUAL 0)
  string(APPEND failures "llama.cpp could not load ${MODEL} (${blocks}) with the baseline CPU variant; "
                         "log: ${baseline_log}\n")
else()
  message("${baseline_verify}")
  if(NOT baseline_verify_code EQUAL 0)
    string(APPEND failures "vramfit verify disagrees with llama.cpp (baseline; exit ${baseline_verify_code}); "
                           "log: ${baseline_log}\n")
  endif()
  file(STRINGS "${baseline_log}" extra REGEX "(AMX|CPU_REPACK|CPU_AARCH64) model buffer size")
  if(extra)
    string(APPEND failures "the baseline run has extra buffers: ${extra}\n")
  endif()
  if(compare)
    other_buffers("${native_log}" native_other)
    other_buffers("${baseline_log}" baseline_other)
    if(NOT native_other STREQUAL baseline_other)
      string(APPEND failures "the runs differ outside the weights:\n  native:   ${native_other}\n"
                             "  baseline: ${baseline_other}\n")
    else()
      list(LENGTH native_other n)
      message("== both runs print the same ${n} KV, state, output and compute buffer lines")
    endif()
  endif()
endif()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
