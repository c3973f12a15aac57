# host_cpu_class(OUT [CPUINFO]): the CPU class (amx, avx512, avx2, arm64 or
# none, vramfit's --host-cpu names) of the CPU-backend variant llama.cpp's
# loader picks on this machine: the highest-scoring variant whose features
# CPUID reports (ggml/src/CMakeLists.txt variants, cpu-feats.cpp scores),
# read from the kernel's flags in /proc/cpuinfo (or CPUINFO).
function(host_cpu_class out)
  set(cpuinfo /proc/cpuinfo)
  if(ARGC GREATER 1)
    set(cpuinfo "${ARGV1}")
  endif()
  set(class none)
  if(EXISTS "${cpuinfo}")
    file(STRINGS "${cpuinfo}" flags_lines REGEX "^(flags|Features)[ \t]*:" LIMIT_COUNT 1)
    string(REGEX REPLACE "^[^:]*:" " " flags " ${flags_lines} ")
    string(REGEX REPLACE "[ \t]+" " " flags "${flags} ")
    # haswell, skylakex and sapphirerapids: the lowest variant of each class.
    set(avx2 sse4_2 avx f16c fma avx2 bmi2)
    set(avx512 ${avx2} avx512f avx512cd avx512vl avx512dq avx512bw)
    set(amx ${avx512} avx512vbmi avx512_vnni avx512_bf16 amx_tile amx_int8)
    foreach(candidate avx2 avx512 amx)
      set(all TRUE)
      foreach(f IN LISTS ${candidate})
        if(NOT flags MATCHES " ${f} ")
          set(all FALSE)
        endif()
      endforeach()
      if(all)
        set(class ${candidate})
      endif()
    endforeach()
    # ARM: the dot-product variants (armv8.2_1 and up) repack.
    if(flags MATCHES " asimddp ")
      set(class arm64)
    endif()
  endif()
  set(${out} ${class} PARENT_SCOPE)
endfunction()
