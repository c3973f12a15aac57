# The man page and completions in the repository are what the binary generates
# from its command table (scripts/generate-docs.sh rewrites them).
# Inputs: VRAMFIT, SOURCE_DIR.
foreach(pair "man|docs/vramfit.1" "bash|completions/vramfit.bash" "zsh|completions/_vramfit"
        "fish|completions/vramfit.fish")
  string(REPLACE "|" ";" p "${pair}")
  list(GET p 0 kind)
  list(GET p 1 file)
  execute_process(COMMAND "${VRAMFIT}" --generate ${kind} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vramfit --generate ${kind} exited ${rc}")
  endif()
  file(READ "${SOURCE_DIR}/${file}" want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "${file} is not what vramfit --generate ${kind} prints: run scripts/generate-docs.sh")
  endif()
endforeach()
