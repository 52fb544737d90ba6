// The piecewise-linear activations on one vector, shared by the x86 convolution kernels
// (depthwise and direct): these are what their epilogues fuse in registers; the others
// (Sigmoid, Silu, Gelu...) are finished after the store by activate_stored, through the ISA's
// vectorised elementwise kernel.
//
// Templated on vector traits V (zero, set1, add, mul, fmadd, max, min, select_ge0), defined by
// each ISA source; internal linkage on purpose, so copies built with different -m flags are
// never merged by the linker.
#pragma once

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/dispatch/f32_vector.h"

namespace ember::kernels {
namespace {

inline bool conv_vector_activation(Activation a) {
  return a == Activation::None || a == Activation::Relu || a == Activation::LeakyRelu || a == Activation::Clip ||
         a == Activation::HardSigmoid || a == Activation::HardSwish;
}

// Matches activate_scalar (constants first: x86 MAX/MIN return the second operand when one is
// NaN, so NaN propagates like the scalar form).
template <class V>
inline typename V::vec conv_activate(typename V::vec v, Activation act, float alpha, float beta) {
  const auto zero = V::zero();
  switch (act) {
    case Activation::Relu: return V::max(zero, v);
    case Activation::LeakyRelu: return V::select_ge0(v, v, V::mul(v, V::set1(alpha)));
    case Activation::Clip: return V::min(V::set1(beta), V::max(V::set1(alpha), v));
    case Activation::HardSigmoid:
      return V::min(V::set1(1.0f), V::max(zero, V::fmadd(V::set1(alpha), v, V::set1(beta))));
    case Activation::HardSwish: {
      const auto t = V::min(V::set1(6.0f), V::max(zero, V::add(v, V::set1(3.0f))));
      return V::mul(V::mul(v, t), V::set1(1.0f / 6.0f));
    }
    default: return v;
  }
}

// The activations conv_activate has no vector form for, on n outputs just stored at y (still in
// L1), in place, through `unary` (the ISA's f32_unary__<isa>, whose exp/erf/tanh are vectorised).
// activate_scalar per element was 3-4 ns an output: EfficientNet-B0's SiLU convolutions ran at
// 5-14 GFLOP/s and the network 3.3x onnxruntime's time (torchvision export, 1 thread).
using F32UnaryFn = void (*)(UnaryOp, int64_t, const float*, float*, float, float);
inline void activate_stored(F32UnaryFn unary, float* y, int64_t n, Activation act, float alpha, float beta) {
  switch (act) {
    case Activation::Sigmoid: return unary(UnaryOp::Sigmoid, n, y, y, alpha, beta);
    case Activation::Silu: return unary(UnaryOp::Silu, n, y, y, alpha, beta);
    case Activation::Gelu: return unary(UnaryOp::Gelu, n, y, y, alpha, beta);
    case Activation::GeluTanh: return unary(UnaryOp::GeluTanh, n, y, y, alpha, beta);
    default:
      for (int64_t i = 0; i < n; ++i) y[i] = activate_scalar(y[i], act, alpha, beta);
  }
}

}  // namespace
}  // namespace ember::kernels
