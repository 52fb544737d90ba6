// Elementwise activations and arithmetic for AVX2 + FMA (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx2/f32_vector_avx2.h"

namespace ember::kernels::avx2 {

void f32_unary__avx2(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta) {
  Loops::unary(op, n, x, y, alpha, beta);
}

void f32_binary__avx2(BinaryOp op, int64_t n, const float* a, const float* b, float* y) {
  Loops::binary(op, n, a, b, y);
}

void f32_binary_scalar__avx2(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y) {
  Loops::binary_scalar(op, n, a, s, scalar_left, y);
}

}  // namespace ember::kernels::avx2
