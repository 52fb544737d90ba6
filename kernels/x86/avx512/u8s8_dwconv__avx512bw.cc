// int8 depthwise convolution for AVX-512BW: 16 output columns per zmm, two kernel rows per
// vpmaddwd (kernels/x86/u8s8_dwconv_rows.h). Compiled twice: natively for the library, and with
// EMBER_AVX512_SIMDE against SIMDe into a test-only object.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_U8S8_NS avx512_simde
#define EMBER_U8S8_DW_NAME "u8s8_dwconv__avx512bw (simde)"
#else
#include <immintrin.h>
#define EMBER_U8S8_NS avx512
#define EMBER_U8S8_DW_NAME "u8s8_dwconv__avx512bw"
#endif

#include "kernels/x86/u8s8_dwconv_rows.h"

namespace ember::kernels::EMBER_U8S8_NS {

const U8S8DwConvKernels& u8s8_dwconv_kernels() {
  static constexpr U8S8DwConvKernels k = DwDriver<DwZmm>::kernels(EMBER_U8S8_DW_NAME);
  return k;
}

}  // namespace ember::kernels::EMBER_U8S8_NS
