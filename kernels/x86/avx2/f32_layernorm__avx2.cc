// LayerNorm / SkipLayerNorm rows for AVX2 + FMA (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx2/f32_vector_avx2.h"

namespace ember::kernels::avx2 {

void f32_layernorm__avx2(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                         const float* gamma, const float* beta, float eps, float* y, float* sum) {
  Loops::layernorm(rows, len, x, skip, bias, gamma, beta, eps, y, sum);
}

}  // namespace ember::kernels::avx2
