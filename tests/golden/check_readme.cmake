# The README's example outputs must be what the binary prints: each readme-*
# golden case's stdout must appear verbatim in README.md.
file(READ "${README}" readme)
foreach(case IN ITEMS readme-main readme-check)
  file(READ "${CASES_DIR}/${case}/stdout" out)
  string(FIND "${readme}" "${out}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md does not contain the current output of golden case ${case}")
  endif()
endforeach()
