// The AVX2 + FMA vector kernel table (kernels/dispatch/f32_vector.h).
#include "kernels/x86/avx2/f32_vector_avx2.h"

namespace ember::kernels::avx2 {

const F32VectorKernels& f32_vector_kernels() {
  static const F32VectorKernels k{"avx2",
                                  f32_unary__avx2,
                                  f32_binary__avx2,
                                  f32_binary_scalar__avx2,
                                  f32_softmax__avx2,
                                  f32_layernorm__avx2,
                                  f32_maxpool2d__avx2,
                                  f32_avgpool2d__avx2,
                                  f32_mean__avx2};
  return k;
}

}  // namespace ember::kernels::avx2
