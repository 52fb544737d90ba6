// Elementwise activations and arithmetic for AVX-512F (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx512/f32_vector_avx512.h"

namespace ember::kernels::EMBER_VEC512_NS {

void f32_unary__avx512f(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta) {
  Loops::unary(op, n, x, y, alpha, beta);
}

void f32_binary__avx512f(BinaryOp op, int64_t n, const float* a, const float* b, float* y) {
  Loops::binary(op, n, a, b, y);
}

void f32_binary_scalar__avx512f(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y) {
  Loops::binary_scalar(op, n, a, s, scalar_left, y);
}

}  // namespace ember::kernels::EMBER_VEC512_NS
