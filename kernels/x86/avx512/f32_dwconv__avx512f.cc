// Depthwise 2-D convolution for AVX-512F: 16 output columns per vector (two vectors per step),
// tails through k-masks. Compiled twice: natively with -mavx512f for the library (dispatched
// only when the CPU has it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_dwconv__avx512f_simde.cc), so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_DW512_NS avx512_simde
#define EMBER_DW512_SUFFIX "__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_DW512_NS avx512
#define EMBER_DW512_SUFFIX "__avx512f"
#endif

// GCC 12 reports the deliberately undefined pass-through register inside _mm512_max_ps /
// _mm512_min_ps (avx512fintrin.h) as maybe-uninitialized in the in-place 3x3 form; the kernels'
// CMake flags silence it in Debug builds only (cmake/EmberKernels.cmake).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/dispatch/f32_conv.h"
#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_dwconv_flat.h"
#include "kernels/x86/f32_dwconv_rows.h"

namespace ember::kernels::EMBER_DW512_NS {

const F32DwConvKernels& f32_dwconv_kernels() {
  static const F32DwConvKernels k = [] {
    F32DwConvKernels t = dwconv_table<ConvAvx512>(
        "f32_dwconv3x3" EMBER_DW512_SUFFIX, "f32_dwconv5x5" EMBER_DW512_SUFFIX, "f32_dwconv" EMBER_DW512_SUFFIX);
    dwconv_flat_entry<ConvAvx512>(t, "f32_dwconv_flat" EMBER_DW512_SUFFIX);
    return t;
  }();
  return k;
}

}  // namespace ember::kernels::EMBER_DW512_NS
