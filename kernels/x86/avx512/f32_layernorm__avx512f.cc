// LayerNorm / SkipLayerNorm rows for AVX-512F (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx512/f32_vector_avx512.h"

namespace ember::kernels::EMBER_VEC512_NS {

void f32_layernorm__avx512f(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                         const float* gamma, const float* beta, float eps, float* y, float* sum) {
  Loops::layernorm(rows, len, x, skip, bias, gamma, beta, eps, y, sum);
}

}  // namespace ember::kernels::EMBER_VEC512_NS
