# Installation, the CMake package, the pkg-config file and the .deb (CPack).
# Included from the top-level CMakeLists.txt once the targets exist.
#
#   cmake --install build [--prefix DIR]   bin/vramfit, the core library (static by
#                                          default, shared with -DBUILD_SHARED_LIBS=ON),
#                                          include/vramfit/**, lib/cmake/vramfit/,
#                                          lib/pkgconfig/vramfit.pc, and the man page and
#                                          shell completions when their files exist
#   cpack -G DEB  (in the build dir)       one .deb holding all of that
#
# Consumers: find_package(vramfit CONFIG REQUIRED) + target_link_libraries(x PRIVATE vramfit::vramfit),
# or pkg-config --cflags --libs vramfit.

option(VRAMFIT_INSTALL "Generate the install rules (and, top-level, the CPack .deb)" ON)
if(NOT VRAMFIT_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The installed library is vramfit::vramfit; in the build tree vramfit::core
# (and vramfit::vramfit, for projects that add_subdirectory vramfit) name it.
set_target_properties(vramfit_core PROPERTIES EXPORT_NAME vramfit)
if(NOT TARGET vramfit::vramfit)
  add_library(vramfit::vramfit ALIAS vramfit_core)
endif()
get_target_property(_vramfit_core_type vramfit_core TYPE)
if(_vramfit_core_type STREQUAL "SHARED_LIBRARY")
  set(_vramfit_static OFF)
  set_target_properties(vramfit_core PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  # The installed binary finds the installed shared library next to it, wherever the prefix is.
  if(NOT IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" AND NOT IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
    file(RELATIVE_PATH _vramfit_bin_to_lib "/root/${CMAKE_INSTALL_BINDIR}" "/root/${CMAKE_INSTALL_LIBDIR}")
    set_target_properties(vramfit PROPERTIES INSTALL_RPATH "$ORIGIN/${_vramfit_bin_to_lib}")
  endif()
else()
  set(_vramfit_static ON)
endif()

set(VRAMFIT_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/vramfit"
    CACHE STRING "Where vramfit-config.cmake goes, relative to the prefix")
mark_as_advanced(VRAMFIT_INSTALL_CMAKEDIR)

# --- binary, library, headers -------------------------------------------------
install(TARGETS vramfit
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# vramfit_core already carries $<INSTALL_INTERFACE:include>; a different include dir is added here.
if(CMAKE_INSTALL_INCLUDEDIR STREQUAL "include")
  set(_vramfit_includes)
else()
  set(_vramfit_includes INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
install(TARGETS vramfit_core EXPORT vramfit-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ${_vramfit_includes})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/vramfit
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

# --- CMake package --------------------------------------------------------------
install(EXPORT vramfit-targets
  NAMESPACE vramfit::
  FILE vramfit-targets.cmake
  DESTINATION ${VRAMFIT_INSTALL_CMAKEDIR})
# A static vramfit_core carries fmt::fmt as $<LINK_ONLY:fmt::fmt>: consumers need fmt found.
# (nlohmann_json is header-only and used only inside the library: not a dependency.)
set(VRAMFIT_NEEDS_FMT ${_vramfit_static})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/vramfit-config.cmake.in
  ${PROJECT_BINARY_DIR}/vramfit-config.cmake
  INSTALL_DESTINATION ${VRAMFIT_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/vramfit-config-version.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/vramfit-config.cmake
  ${PROJECT_BINARY_DIR}/vramfit-config-version.cmake
  DESTINATION ${VRAMFIT_INSTALL_CMAKEDIR})

# --- pkg-config -------------------------------------------------------------------
# Relocatable: the prefix is found from the .pc file's own directory, so the same file
# is right under `cmake --install --prefix X` and under /usr in the .deb.
set(_vramfit_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(VRAMFIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _vramfit_pc_up "/root/${_vramfit_pc_dir}" "/root")
  string(REGEX REPLACE "/$" "" _vramfit_pc_up "${_vramfit_pc_up}")
  set(VRAMFIT_PC_PREFIX "\${pcfiledir}/${_vramfit_pc_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(VRAMFIT_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(VRAMFIT_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(VRAMFIT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(VRAMFIT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# Only a static library is installed in a static build, so `pkg-config --libs` (without
# --static) must already name fmt: Requires. A shared libvramfit_core records libfmt
# itself (DT_NEEDED): Requires.private, consulted only by --static.
if(_vramfit_static)
  set(VRAMFIT_PC_REQUIRES "Requires: fmt")
else()
  set(VRAMFIT_PC_REQUIRES "Requires.private: fmt")
endif()
set(VRAMFIT_PC_LIBNAME vramfit_core)
configure_file(${PROJECT_SOURCE_DIR}/cmake/vramfit.pc.in ${PROJECT_BINARY_DIR}/vramfit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vramfit.pc DESTINATION ${_vramfit_pc_dir})

# --- man page and shell completions, when the files exist (checked at configure time) ----
if(EXISTS ${PROJECT_SOURCE_DIR}/docs/vramfit.1)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/vramfit.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/completions/vramfit.bash)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/vramfit.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME vramfit)
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/completions/_vramfit)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/_vramfit DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/completions/vramfit.fish)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/vramfit.fish
          DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
endif()

# --- CPack: one .deb with everything above ------------------------------------------
# Only when vramfit is the top-level project, so a parent project's CPack setup is left alone.
if(NOT VRAMFIT_TOP_LEVEL)
  return()
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vramfit)
set(CPACK_PACKAGE_VENDOR "vramfit")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "vramfit estimates whether a model, at a given quantization and context length, fits in a GPU's memory.\nThe package holds the vramfit command, its library, headers, CMake package and pkg-config file.")
set(CPACK_PACKAGE_CONTACT "vramfit maintainers")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "vramfit maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Runtime dependencies. dpkg-shlibdeps (dpkg-dev, pulled in by build-essential) computes them
# with versions when it and file(1) (CPack's ELF test) are both present; otherwise they are
# listed by hand: the C and C++ runtimes and, when fmt is a shared library (Debian's
# libfmt-dev ships libfmt.so.N), the libfmtN package.
find_program(VRAMFIT_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(VRAMFIT_FILE_PROGRAM file)
mark_as_advanced(VRAMFIT_DPKG_SHLIBDEPS VRAMFIT_FILE_PROGRAM)
if(VRAMFIT_DPKG_SHLIBDEPS AND VRAMFIT_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(_vramfit_deb_depends "libc6, libstdc++6, libgcc-s1")
  get_target_property(_vramfit_fmt_type fmt::fmt TYPE)
  if(_vramfit_fmt_type STREQUAL "SHARED_LIBRARY" AND fmt_VERSION_MAJOR)
    string(APPEND _vramfit_deb_depends ", libfmt${fmt_VERSION_MAJOR}")
  endif()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_vramfit_deb_depends}")
endif()
include(CPack)
