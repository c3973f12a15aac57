# Copies the text inputs and generates the GGUF ones into WORK_DIR.
# Inputs: MAKE_BAD_INPUTS, SOURCE_DIR, WORK_DIR.
file(REMOVE_RECURSE "${WORK_DIR}")
file(COPY "${SOURCE_DIR}/" DESTINATION "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/gguf" "${WORK_DIR}/a-directory.gguf")
execute_process(COMMAND "${MAKE_BAD_INPUTS}" "${WORK_DIR}/gguf" RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "make_bad_inputs failed")
endif()
