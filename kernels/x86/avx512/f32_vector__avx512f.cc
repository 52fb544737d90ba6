// The AVX-512F vector kernel table (kernels/dispatch/f32_vector.h).
#include "kernels/x86/avx512/f32_vector_avx512.h"

namespace ember::kernels::EMBER_VEC512_NS {

const F32VectorKernels& f32_vector_kernels() {
  static const F32VectorKernels k{EMBER_VEC512_ISA,
                                  f32_unary__avx512f,
                                  f32_binary__avx512f,
                                  f32_binary_scalar__avx512f,
                                  f32_softmax__avx512f,
                                  f32_layernorm__avx512f,
                                  f32_maxpool2d__avx512f,
                                  f32_avgpool2d__avx512f,
                                  f32_mean__avx512f};
  return k;
}

}  // namespace ember::kernels::EMBER_VEC512_NS
