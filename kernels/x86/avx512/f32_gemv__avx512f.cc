// Matrix-vector product for AVX-512F (kernels/x86/f32_gemv.h over the convolution kernels'
// 16-float traits). Compiled twice: natively with -mavx512f for the library (dispatched only
// when the CPU has it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_gemv__avx512f_simde.cc), so it is tested without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_GV512_NS avx512_simde
#define EMBER_GV512_NAME "f32_gemv__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_GV512_NS avx512
#define EMBER_GV512_NAME "f32_gemv__avx512f"
#endif

// GCC 12 reports the deliberately undefined pass-through register inside _mm512_max_ps /
// _mm512_min_ps (avx512fintrin.h) once they are inlined into gemv_finish's activation: a false
// -Wmaybe-uninitialized that -Werror builds would turn into a failure (the GEMM's traits avoid
// it with maskz forms; these are the convolution kernels' traits, shared as they are).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_gemv.h"

namespace ember::kernels::EMBER_GV512_NS {

const F32GemvKernels& f32_gemv_kernels() {
  static const F32GemvKernels k{EMBER_GV512_NAME, gemv_rows_x86<ConvAvx512>};
  return k;
}

}  // namespace ember::kernels::EMBER_GV512_NS
