# Hand-written CPU kernels (kernels/x86/**), CPU feature detection and the kernel table
# (kernels/cpu_features.*, kernels/dispatch/**). Included from the top-level CMakeLists.txt
# after the tests so it can link the test-only objects into ember_unit_tests.
#
#   ember_kernels               OBJECT  feature detection, table, generic entry, AVX2 and
#                                       AVX-512 kernels (ISA flags per source file)
#   ember_kernels_avx512_simde  OBJECT  the AVX-512 source again against SIMDe: tests only
#   ember_gemm_bench            EXE     benchmarks/gemm_bench.cc (not run by `make test`)
#
# Not linked into libember yet: the ops/backends start using the table in a later step.
option(EMBER_BUILD_BENCHMARKS "Build the kernel microbenchmarks (ember_gemm_bench)" ${EMBER_BUILD_TESTS})

if(NOT EMBER_BUILD_TESTS AND NOT EMBER_BUILD_BENCHMARKS)
  return()
endif()

set(_ek ${PROJECT_SOURCE_DIR}/kernels)
set(_ember_kernel_sources
  ${_ek}/cpu_features.cc
  ${_ek}/dispatch/kernel_table.cc
  ${_ek}/dispatch/f32_gemm_generic.cc)
set(_ember_x86 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(_ember_x86 ON)
  file(GLOB _ember_avx2_sources CONFIGURE_DEPENDS ${_ek}/x86/avx2/*.cc)
  set(_ember_avx512_sources ${_ek}/x86/avx512/f32_gemm_12x32__avx512f.cc)
  # Debug/sanitizer builds still need usable kernel speed (tests run big-ish GEMMs).
  set(_kopt $<$<CONFIG:Debug>:-O2>)
  set_source_files_properties(${_ember_avx2_sources}
    PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;${_kopt}")
  set_source_files_properties(${_ember_avx512_sources}
    PROPERTIES COMPILE_OPTIONS "-mavx512f;-mfma;${_kopt}")
  list(APPEND _ember_kernel_sources ${_ember_avx2_sources} ${_ember_avx512_sources})
endif()

add_library(ember_kernels OBJECT ${_ember_kernel_sources})
target_include_directories(ember_kernels PUBLIC ${PROJECT_SOURCE_DIR})
target_compile_definitions(ember_kernels PUBLIC EMBER_HAVE_X86_KERNELS=$<BOOL:${_ember_x86}>)
target_link_libraries(ember_kernels PRIVATE ember_warnings)

find_path(EMBER_SIMDE_INCLUDE_DIR simde/x86/avx512.h)
if(_ember_x86 AND EMBER_BUILD_TESTS AND TARGET ember_unit_tests)
  target_link_libraries(ember_unit_tests PRIVATE ember_kernels)
  if(EMBER_SIMDE_INCLUDE_DIR)
    set(_simde_src ${_ek}/x86/avx512/f32_gemm_12x32__avx512f_simde.cc)
    # No ISA flags: SIMDe emulates AVX-512 with whatever the baseline has.
    set_source_files_properties(${_simde_src} PROPERTIES COMPILE_OPTIONS "-O2")
    add_library(ember_kernels_avx512_simde OBJECT ${_simde_src})
    target_include_directories(ember_kernels_avx512_simde PRIVATE ${PROJECT_SOURCE_DIR})
    target_include_directories(ember_kernels_avx512_simde SYSTEM PRIVATE ${EMBER_SIMDE_INCLUDE_DIR})
    target_link_libraries(ember_kernels_avx512_simde PRIVATE ember_warnings)
    target_link_libraries(ember_unit_tests PRIVATE ember_kernels_avx512_simde)
    target_compile_definitions(ember_unit_tests PRIVATE EMBER_TEST_AVX512_SIMDE=1)
  else()
    message(STATUS "SIMDe not found (libsimde-dev): AVX-512 kernels untested on this machine")
  endif()
elseif(EMBER_BUILD_TESTS AND TARGET ember_unit_tests)
  target_link_libraries(ember_unit_tests PRIVATE ember_kernels)
endif()

if(EMBER_BUILD_BENCHMARKS AND EXISTS ${PROJECT_SOURCE_DIR}/benchmarks/CMakeLists.txt)
  add_subdirectory(${PROJECT_SOURCE_DIR}/benchmarks ${CMAKE_BINARY_DIR}/benchmarks)
endif()
