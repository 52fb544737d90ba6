// The generic (portable, scalar) f32 vector kernels: the reference the ISA versions are tested
// against and the fallback on CPUs without AVX2. Plain loops in the obvious order; sums over
// rows (Softmax, LayerNorm statistics, the plane mean) accumulate in double.
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_vector.h"

namespace ember::kernels::generic {

// One activation on one value, with std:: functions in float (the op's reference semantics:
// NaN stays NaN except for Relu, whose x > 0 ? x : 0 maps NaN to 0).
float unary_scalar(UnaryOp op, float x, float alpha, float beta);
float binary_scalar(BinaryOp op, float a, float b);

void f32_unary(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta);
void f32_binary(BinaryOp op, int64_t n, const float* a, const float* b, float* y);
void f32_binary_scalar(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y);
void f32_softmax(int64_t rows, int64_t len, const float* x, float* y);
void f32_layernorm(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                   const float* gamma, const float* beta, float eps, float* y, float* sum);
void f32_maxpool2d(const Pool2d& g, const float* x, float* y);
void f32_avgpool2d(const Pool2d& g, const float* x, float* y);
float f32_mean(int64_t n, const float* x);

}  // namespace ember::kernels::generic
