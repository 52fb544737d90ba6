// Matrix-vector product for AVX2 + FMA (kernels/x86/f32_gemv.h over the convolution kernels'
// 8-float traits).
#include "kernels/x86/avx2/f32_conv_vec_avx2.h"

#include "kernels/x86/f32_gemv.h"

namespace ember::kernels::avx2 {

const F32GemvKernels& f32_gemv_kernels() {
  static const F32GemvKernels k{"f32_gemv__avx2_fma", gemv_rows_x86<ConvAvx2>};
  return k;
}

}  // namespace ember::kernels::avx2
