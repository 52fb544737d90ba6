#include "kernels/generic/vector.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ember::kernels {

const char* unary_op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::Relu: return "relu";
    case UnaryOp::LeakyRelu: return "leaky_relu";
    case UnaryOp::Sigmoid: return "sigmoid";
    case UnaryOp::Tanh: return "tanh";
    case UnaryOp::Erf: return "erf";
    case UnaryOp::Exp: return "exp";
    case UnaryOp::Silu: return "silu";
    case UnaryOp::Gelu: return "gelu";
    case UnaryOp::GeluTanh: return "gelu_tanh";
    case UnaryOp::HardSigmoid: return "hard_sigmoid";
    case UnaryOp::HardSwish: return "hard_swish";
    case UnaryOp::Clip: return "clip";
    case UnaryOp::Log: return "log";
  }
  return "?";
}

const char* binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
  }
  return "?";
}

namespace generic {
namespace {

// Clamps to [0, 1] keeping NaN (both comparisons false).
float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

float sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);  // no overflow for very negative x
  return e / (1.0f + e);
}

}  // namespace

float unary_scalar(UnaryOp op, float x, float alpha, float beta) {
  switch (op) {
    case UnaryOp::Relu: return x > 0.0f ? x : 0.0f;
    case UnaryOp::LeakyRelu: return x >= 0.0f ? x : alpha * x;
    case UnaryOp::Sigmoid: return sigmoid(x);
    case UnaryOp::Tanh: return std::tanh(x);
    case UnaryOp::Erf: return std::erf(x);
    case UnaryOp::Exp: return std::exp(x);
    case UnaryOp::Silu: return x * sigmoid(x);
    case UnaryOp::Gelu: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case UnaryOp::GeluTanh:
      return 0.5f * x * (1.0f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case UnaryOp::HardSigmoid: return clamp01(alpha * x + beta);
    case UnaryOp::HardSwish: return x * clamp01(x / 6.0f + 0.5f);
    case UnaryOp::Clip: return std::min(std::max(x, alpha), beta);  // NaN stays NaN; lo > hi gives hi
    case UnaryOp::Log: return std::log(x);
  }
  return x;
}

float binary_scalar(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
  }
  return a;
}

void f32_unary(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta) {
  for (int64_t i = 0; i < n; ++i) y[i] = unary_scalar(op, x[i], alpha, beta);
}

void f32_binary(BinaryOp op, int64_t n, const float* a, const float* b, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = binary_scalar(op, a[i], b[i]);
}

void f32_binary_scalar(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = scalar_left ? binary_scalar(op, s, a[i]) : binary_scalar(op, a[i], s);
}

void f32_softmax(int64_t rows, int64_t len, const float* x, float* y) {
  for (int64_t r = 0; r < rows; ++r, x += len, y += len) {
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < len; ++i) mx = std::max(mx, x[i]);
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) {
      y[i] = std::exp(x[i] - mx);
      sum += y[i];
    }
    const float inv = float(1.0 / sum);
    for (int64_t i = 0; i < len; ++i) y[i] *= inv;
  }
}

void f32_layernorm(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                   const float* gamma, const float* beta, float eps, float* y, float* sum) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * len;
    float* s = (sum ? sum : y) + r * len;
    double mean = 0;
    for (int64_t i = 0; i < len; ++i) {
      float v = xr[i];
      if (skip) v += skip[r * len + i];
      if (bias) v += bias[i];
      s[i] = v;
      mean += v;
    }
    mean /= double(std::max<int64_t>(len, 1));
    double var = 0;
    for (int64_t i = 0; i < len; ++i) var += (s[i] - mean) * (s[i] - mean);
    var /= double(std::max<int64_t>(len, 1));
    const double inv = 1.0 / std::sqrt(var + double(eps));
    float* yr = y + r * len;
    for (int64_t i = 0; i < len; ++i)
      yr[i] = float((s[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.0f));
  }
}

namespace {

// Visits every output position with its window clipped to the input: [h0, h1) x [w0, w1) and
// the count_include_pad divisor (taps inside the explicitly padded input).
template <class F>
void for_each_window(const Pool2d& g, F&& f) {
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    const int64_t sh = oh * g.stride_h - g.pad_top;
    const int64_t h0 = std::max<int64_t>(sh, 0), h1 = std::min(sh + g.kernel_h, g.in_h);
    const int64_t ph = std::min(sh + g.kernel_h, g.in_h + g.pad_bottom) - std::max(sh, -g.pad_top);
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      const int64_t sw = ow * g.stride_w - g.pad_left;
      const int64_t w0 = std::max<int64_t>(sw, 0), w1 = std::min(sw + g.kernel_w, g.in_w);
      const int64_t pw = std::min(sw + g.kernel_w, g.in_w + g.pad_right) - std::max(sw, -g.pad_left);
      f(oh * g.out_w + ow, h0, h1, w0, w1, std::max<int64_t>(ph, 0) * std::max<int64_t>(pw, 0));
    }
  }
}

}  // namespace

void f32_maxpool2d(const Pool2d& g, const float* x, float* y) {
  for_each_window(g, [&](int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t) {
    float best = std::numeric_limits<float>::lowest();  // what the reference op gives an empty window
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) best = std::max(best, x[h * g.in_w + w]);
    y[o] = best;
  });
}

void f32_avgpool2d(const Pool2d& g, const float* x, float* y) {
  for_each_window(g, [&](int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t padded) {
    float acc = 0;
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) acc += x[h * g.in_w + w];
    const int64_t valid = std::max<int64_t>(h1 - h0, 0) * std::max<int64_t>(w1 - w0, 0);
    const int64_t cnt = g.count_include_pad ? padded : valid;
    y[o] = cnt > 0 ? acc / float(cnt) : 0.0f;
  });
}

float f32_mean(int64_t n, const float* x) {
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += x[i];
  return n > 0 ? float(acc / double(n)) : 0.0f;
}

}  // namespace generic

const F32VectorKernels& f32_vector_generic_kernels() {
  static const F32VectorKernels k{"generic",
                                  generic::f32_unary,
                                  generic::f32_binary,
                                  generic::f32_binary_scalar,
                                  generic::f32_softmax,
                                  generic::f32_layernorm,
                                  generic::f32_maxpool2d,
                                  generic::f32_avgpool2d,
                                  generic::f32_mean};
  return k;
}

}  // namespace ember::kernels
