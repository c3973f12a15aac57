# VRAMFIT_SANITIZE=address;undefined builds every target of ours with those
# sanitizers; UBSan findings abort so that a test run cannot pass over them.
add_library(vramfit_sanitizers INTERFACE)
if(VRAMFIT_SANITIZE)
  list(JOIN VRAMFIT_SANITIZE "," _vramfit_sanitizers)
  target_compile_options(vramfit_sanitizers INTERFACE
    -fsanitize=${_vramfit_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(vramfit_sanitizers INTERFACE -fsanitize=${_vramfit_sanitizers})
endif()

# Fuzzing instruments every target for coverage; the fuzz executables add the
# libFuzzer driver themselves.
if(VRAMFIT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "VRAMFIT_FUZZ needs clang (libFuzzer); configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  target_compile_options(vramfit_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()
