# Hand-written CPU kernels (kernels/**): CPU feature detection, the kernel tables and the x86
# kernels, compiled into the library itself (appended to EMBER_SOURCES before ember_obj exists),
# each x86 source with its own ISA flags; never global flags, so the library starts on any x86-64.
# kernels/x86/avx2/*.cc get -mavx2 -mfma -mf16c; kernels/x86/avx512/*.cc get -mavx512f/bw/dq/vl
# (+vnni for files named *vnni*, +vbmi for *vbmi*); files ending in _simde.cc are test-only (EmberKernelTests.cmake).
set(_ek ${PROJECT_SOURCE_DIR}/kernels)
file(GLOB_RECURSE _ember_kernel_sources CONFIGURE_DEPENDS
  ${_ek}/cpu_features.cc ${_ek}/dispatch/*.cc)
set(EMBER_HAVE_X86_KERNELS OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(EMBER_HAVE_X86_KERNELS ON)
  file(GLOB _ember_avx2_sources CONFIGURE_DEPENDS ${_ek}/x86/avx2/*.cc)
  file(GLOB _ember_avx512_sources CONFIGURE_DEPENDS ${_ek}/x86/avx512/*.cc)
  list(FILTER _ember_avx2_sources EXCLUDE REGEX "_simde\\.cc$")
  list(FILTER _ember_avx512_sources EXCLUDE REGEX "_simde\\.cc$")
  # Debug/sanitizer builds still need usable kernel speed (tests run big-ish GEMMs).
  # -Wno-maybe-uninitialized: GCC 12 reports the deliberately undefined register inside its own
  # intrinsics (_mm512_undefined_ps in avx512fintrin.h) once they are inlined into sanitizer
  # builds, which -Werror turns into a failure; our own variables are still checked at -O3.
  set(_kopt "$<$<CONFIG:Debug>:-O2>;$<$<CONFIG:Debug>:-Wno-maybe-uninitialized>")
  set_source_files_properties(${_ember_avx2_sources}
    PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;${_kopt}")
  foreach(_src IN LISTS _ember_avx512_sources)
    set(_flags "-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-mfma;-mf16c")
    if(_src MATCHES "vnni")
      list(APPEND _flags "-mavx512vnni")
    endif()
    if(_src MATCHES "vbmi")
      list(APPEND _flags "-mavx512vbmi")
    endif()
    set_source_files_properties(${_src} PROPERTIES COMPILE_OPTIONS "${_flags};${_kopt}")
  endforeach()
  list(APPEND _ember_kernel_sources ${_ember_avx2_sources} ${_ember_avx512_sources})
endif()
list(APPEND EMBER_SOURCES ${_ember_kernel_sources})
