# Install rules and the CMake / pkg-config package of Ember (included from the top-level
# CMakeLists.txt after the `ember` shared library target exists).
#
#   cmake --install <build> --prefix <prefix>   gives
#     include/ember/ember.h, ember.hpp
#     lib/libember.so[.0[.0.1.0]]               (EMBER_INSTALL_SHARED, default ON)
#     lib/libember.a                            (EMBER_STATIC=ON)
#     lib/cmake/ember/emberConfig.cmake, emberConfigVersion.cmake, emberTargets*.cmake
#     lib/pkgconfig/ember.pc
#     bin/ember                                 (when the CLI is built)
#
# Consumers: find_package(ember 0.1 REQUIRED) -> ember::ember (the shared library when it is
# installed, else the static one) and ember::ember_static (when installed); or
# `pkg-config --cflags --libs ember` (add --static for libember.a).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(EMBER_STATIC "Also build and install the static library libember.a" OFF)
option(EMBER_INSTALL_SHARED "Install the shared library libember.so" ON)

# Libraries the C++ driver links over the C driver (GCC: stdc++, m): what a C program needs to
# link libember.a.
set(_ember_cxx_runtime ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
if(CMAKE_C_IMPLICIT_LINK_LIBRARIES)
  list(REMOVE_ITEM _ember_cxx_runtime ${CMAKE_C_IMPLICIT_LINK_LIBRARIES})
endif()

set(_ember_install_targets)
if(EMBER_INSTALL_SHARED)
  set_target_properties(ember PROPERTIES EXPORT_NAME ember)
  list(APPEND _ember_install_targets ember)
endif()

if(EMBER_STATIC)
  # The same objects as libember.so. A static archive cannot hide symbols, so internal C++
  # symbols are visible to the linker; only the C API (ember.h) is supported.
  add_library(ember_static STATIC $<TARGET_OBJECTS:ember_obj>)
  set_target_properties(ember_static PROPERTIES OUTPUT_NAME ember
    EXPORT_NAME ember_static LINKER_LANGUAGE CXX)
  target_include_directories(ember_static PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  # The archive needs threads and the C++ runtime. A C-only consumer project links with the C
  # driver, so name the libraries the C++ driver adds over the C one (libstdc++, libm for GCC).
  target_link_libraries(ember_static PUBLIC Threads::Threads ${_ember_cxx_runtime})
  list(APPEND _ember_install_targets ember_static)
endif()

if(NOT _ember_install_targets)
  message(FATAL_ERROR "EMBER_INSTALL_SHARED=OFF needs EMBER_STATIC=ON (nothing to install)")
endif()

install(TARGETS ${_ember_install_targets} EXPORT emberTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ember DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

set(EMBER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ember)
install(EXPORT emberTargets NAMESPACE ember:: DESTINATION ${EMBER_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/emberConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/emberConfig.cmake INSTALL_DESTINATION ${EMBER_CMAKE_DIR})
# 0.x: a minor version may break the API (SameMinorVersion); from 1.0 on, SameMajorVersion.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/emberConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/emberConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/emberConfigVersion.cmake DESTINATION ${EMBER_CMAKE_DIR})

# pkg-config: paths relative to the .pc file, so the installed tree can be moved (Conan, a
# tarball) without editing it.
file(RELATIVE_PATH EMBER_PC_PREFIX_FROM_PCDIR
  /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" EMBER_PC_PREFIX_FROM_PCDIR "${EMBER_PC_PREFIX_FROM_PCDIR}")
list(TRANSFORM _ember_cxx_runtime PREPEND "-l" OUTPUT_VARIABLE EMBER_PC_LIBS_PRIVATE)
list(APPEND EMBER_PC_LIBS_PRIVATE -pthread)
list(JOIN EMBER_PC_LIBS_PRIVATE " " EMBER_PC_LIBS_PRIVATE)
configure_file(${CMAKE_CURRENT_LIST_DIR}/ember.pc.in ${CMAKE_CURRENT_BINARY_DIR}/ember.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ember.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
