# Test-only kernel objects and the kernel microbenchmarks, included after tests/ (it links the
# AVX-512-through-SIMDe objects into ember_unit_tests):
#
#   ember_kernels_avx512_simde  OBJECT  every kernels/x86/avx512/*_simde.cc (each includes its
#                                       AVX-512 source against SIMDe): tests only
#   ember_gemm_bench            EXE     benchmarks/gemm_bench.cc (not run by `make test`)
option(EMBER_BUILD_BENCHMARKS "Build the kernel microbenchmarks (ember_gemm_bench)" ${EMBER_BUILD_TESTS})
set(_ek ${PROJECT_SOURCE_DIR}/kernels)
find_path(EMBER_SIMDE_INCLUDE_DIR simde/x86/avx512.h)
if(EMBER_HAVE_X86_KERNELS AND EMBER_BUILD_TESTS AND TARGET ember_unit_tests)
  if(EMBER_SIMDE_INCLUDE_DIR)
    file(GLOB _simde_src CONFIGURE_DEPENDS ${_ek}/x86/avx512/*_simde.cc)
    # No ISA flags: SIMDe emulates AVX-512 with whatever the baseline has.
    # -Wno-psabi: GCC notes that 512-bit vector arguments change ABI between ISA levels; SIMDe
    # passes its emulated vectors by value inside this one object, so the note does not apply.
    # -fwrapv: the emulated integer instructions wrap like the hardware (vpdpbusd, vpaddd), which
    # SIMDe's scalar forms write as plain int32 adds; the tests feed wrapping sums on purpose, and
    # without it those adds are signed overflow (UB, fatal under the dev preset's UBSan).
    set_source_files_properties(${_simde_src} PROPERTIES COMPILE_OPTIONS "-O2;-Wno-psabi;-fwrapv")
    add_library(ember_kernels_avx512_simde OBJECT ${_simde_src})
    target_include_directories(ember_kernels_avx512_simde PRIVATE ${PROJECT_SOURCE_DIR})
    target_include_directories(ember_kernels_avx512_simde SYSTEM PRIVATE ${EMBER_SIMDE_INCLUDE_DIR})
    target_link_libraries(ember_kernels_avx512_simde PRIVATE ember_warnings)
    target_link_libraries(ember_unit_tests PRIVATE ember_kernels_avx512_simde)
    target_compile_definitions(ember_unit_tests PRIVATE EMBER_TEST_AVX512_SIMDE=1)
  else()
    message(STATUS "SIMDe not found (libsimde-dev): AVX-512 kernels untested on this machine")
  endif()
endif()

if(EMBER_BUILD_BENCHMARKS AND EXISTS ${PROJECT_SOURCE_DIR}/benchmarks/CMakeLists.txt)
  add_subdirectory(${PROJECT_SOURCE_DIR}/benchmarks ${CMAKE_BINARY_DIR}/benchmarks)
endif()
