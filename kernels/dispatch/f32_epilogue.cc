// The scalar GEMM epilogue: the reference for every vectorised epilogue, and what the generic
// entry (and edge tiles) use.
#include <algorithm>
#include <cmath>

#include "kernels/dispatch/f32_gemm.h"

namespace ember::kernels {

float activate_scalar(float x, Activation act, float alpha, float beta) {
  switch (act) {
    case Activation::None: return x;
    case Activation::Relu: return std::max(x, 0.0f);
    case Activation::LeakyRelu: return x >= 0.0f ? x : alpha * x;
    case Activation::Clip: return std::min(std::max(x, alpha), beta);
    case Activation::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::HardSigmoid: return std::min(std::max(alpha * x + beta, 0.0f), 1.0f);
    case Activation::HardSwish: return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case Activation::Silu: return x / (1.0f + std::exp(-x));
    case Activation::Gelu: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Activation::GeluTanh:
      return 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  }
  return x;
}

void apply_epilogue_scalar(float* C, int64_t ldc, int64_t rows, int64_t cols, int64_t m0,
                           int64_t n0, const GemmEpilogue& ep) {
  for (int64_t r = 0; r < rows; ++r) {
    float* c = C + r * ldc;
    if (ep.bias) {
      if (ep.bias_per_row) {
        const float b = ep.bias[m0 + r];
        for (int64_t n = 0; n < cols; ++n) c[n] += b;
      } else {
        for (int64_t n = 0; n < cols; ++n) c[n] += ep.bias[n0 + n];
      }
    }
    if (ep.residual) {
      const float* z = ep.residual + (m0 + r) * ep.ldr + n0;
      for (int64_t n = 0; n < cols; ++n) c[n] += z[n];
    }
    if (ep.activation != Activation::None)
      for (int64_t n = 0; n < cols; ++n) c[n] = activate_scalar(c[n], ep.activation, ep.act_alpha, ep.act_beta);
  }
}

}  // namespace ember::kernels
