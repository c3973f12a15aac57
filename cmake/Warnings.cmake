# Warnings live on an INTERFACE target that each of our targets links PRIVATE,
# so they never leak to consumers and never touch CMAKE_CXX_FLAGS.
add_library(vramfit_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(vramfit_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual)
  if(VRAMFIT_WARNINGS_AS_ERRORS)
    target_compile_options(vramfit_warnings INTERFACE -Werror)
  endif()
elseif(MSVC)
  target_compile_options(vramfit_warnings INTERFACE /W4 $<$<BOOL:${VRAMFIT_WARNINGS_AS_ERRORS}>:/WX>)
endif()
