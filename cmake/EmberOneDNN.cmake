# oneDNN as a second CPU kernel provider (src/backends/onednn/). Included before ember_obj
# exists: it only edits EMBER_SOURCES here and defers the link lines until the targets exist.
#
# EMBER_WITH_ONEDNN defaults to ON when find_package(dnnl CONFIG) finds a oneDNN (Debian:
# libdnnl-dev, oneDNN 2.x built against OpenMP). OFF compiles onednn_stub.cc instead, which
# says "this build has no oneDNN backend". Packaging builds (wheel, static archive) pass OFF.
find_package(dnnl CONFIG QUIET)
set(_ember_onednn_default OFF)
if(dnnl_FOUND)
  set(_ember_onednn_default ON)
endif()
option(EMBER_WITH_ONEDNN "Build the oneDNN CPU kernels (cpu_backend=onednn|auto)" ${_ember_onednn_default})

set(_ember_onednn_dir ${PROJECT_SOURCE_DIR}/src/backends/onednn)
if(EMBER_WITH_ONEDNN)
  if(NOT dnnl_FOUND)
    find_package(dnnl CONFIG REQUIRED)  # fails here with CMake's own message naming the package
  endif()
  # oneDNN's CPU threading runtime decides how `threads` is honoured: with OpenMP (Debian's
  # build) the kernels call omp_set_num_threads, so they link libgomp themselves.
  find_package(OpenMP COMPONENTS CXX)
  if(NOT OpenMP_CXX_FOUND)
    message(FATAL_ERROR "EMBER_WITH_ONEDNN: OpenMP (libgomp) not found; oneDNN's threads are set through it")
  endif()
  list(FILTER EMBER_SOURCES EXCLUDE REGEX "/src/backends/onednn/onednn_stub\\.cc$")
  message(STATUS "Ember: oneDNN ${dnnl_VERSION} kernels ON")
  function(_ember_link_onednn)
    target_link_libraries(ember_obj PRIVATE DNNL::dnnl)
    target_link_libraries(ember_internal PUBLIC DNNL::dnnl ${OpenMP_CXX_LIBRARIES})
    target_link_libraries(ember PRIVATE DNNL::dnnl ${OpenMP_CXX_LIBRARIES})
  endfunction()
  cmake_language(DEFER CALL _ember_link_onednn)
else()
  list(FILTER EMBER_SOURCES EXCLUDE REGEX "/src/backends/onednn/.*\\.cc$")
  list(APPEND EMBER_SOURCES ${_ember_onednn_dir}/onednn_stub.cc)
  message(STATUS "Ember: oneDNN kernels OFF")
endif()
