// Channel-vector direct convolution for AVX2 + FMA (see kernels/dispatch/f32_conv_direct_cv.h
// and kernels/x86/f32_conv_direct_cv.h): 4 positions x 24 output channels in 12 ymm
// accumulators (the 16-register budget of the 6x16 tiles); per reduction step 3 weight loads,
// 4 broadcasts, 12 FMAs. Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "kernels/x86/avx2/f32_conv_vec_avx2.h"
#include "kernels/x86/f32_conv_direct_cv.h"

namespace ember::kernels::avx2 {
namespace {

using Kernel = ConvDirectCv<ConvAvx2, 4, 3>;

}  // namespace

const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels() {
  // 14x14 outputs: 0.84-0.89x the position-vector kernel's time (conv_bench); 28x28: 1.02-1.05x.
  static const F32ConvDirectCvKernels k{"f32_conv_direct_cv_4x24__avx2_fma", 4, Kernel::NC, Kernel::run, 14 * 14};
  return k;
}

}  // namespace ember::kernels::avx2
