// Channel-vector direct convolution for AVX-512F (see kernels/dispatch/f32_conv_direct_cv.h and
// kernels/x86/f32_conv_direct_cv.h): 7 positions x 64 output channels in 28 zmm accumulators;
// per reduction step 4 weight loads, 7 broadcasts, 28 FMAs. 7 positions: one row of ResNet-50's
// 7x7 layer4 outputs, so 49 positions are 7 full tiles (6 positions, 24 accumulators, leaves
// the accumulators in registers, where here GCC keeps one on the stack, but wastes 5 of 54
// positions at 7x7: 7x7 1x1 layers 0.51-0.61 ms against 0.49-0.52; 14x14/28x28 3x3 2-4% faster).
//
// Compiled twice: natively with -mavx512f for the library (dispatched only when the CPU has
// it), and with EMBER_AVX512_SIMDE against SIMDe into a test-only object
// (f32_conv_direct_cv_7x64__avx512f_simde.cc), so this code is tested on machines without AVX-512.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EMBER_CV512_NS avx512_simde
#define EMBER_CV512_NAME "f32_conv_direct_cv_7x64__avx512f (simde)"
#else
#include <immintrin.h>
#define EMBER_CV512_NS avx512
#define EMBER_CV512_NAME "f32_conv_direct_cv_7x64__avx512f"
#endif

#include "kernels/x86/avx512/f32_conv_vec_avx512.h"
#include "kernels/x86/f32_conv_direct_cv.h"

namespace ember::kernels::EMBER_CV512_NS {
namespace {

using Kernel = ConvDirectCv<ConvAvx512, 7, 4>;

}  // namespace

const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels() {
  // 28x28 outputs: 0.89-0.95x the position-vector kernel's time (conv_bench); 56x56: 1.04-1.07x.
  static const F32ConvDirectCvKernels k{EMBER_CV512_NAME, 7, Kernel::NC, Kernel::run, 28 * 28};
  return k;
}

}  // namespace ember::kernels::EMBER_CV512_NS
