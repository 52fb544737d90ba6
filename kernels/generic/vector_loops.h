// The loops of the f32 vector kernels written once over an ISA "traits" type V, which each
// x86 source (kernels/x86/avx2/f32_vector_avx2.h, kernels/x86/avx512/f32_vector_avx512.h)
// supplies and instantiates under its own -m flags. Everything here is a member of the class
// template VectorLoops<V>, so each ISA gets its own instantiation and no out-of-line function
// built with one ISA's flags is shared with code compiled for another.
//
// V provides: R (register), M (lane mask), W (lanes); loadu, storeu, load_part(p, n, fill)
// (n < W lanes, the rest `fill`), store_part(p, v, n), tail_mask(n); set1, add, sub, mul, div,
// fmadd(a, b, c) = a*b + c, max/min with x86 semantics (the second operand when either is NaN),
// ge(a, b), select(m, if_set, if_clear); hsum, hmax; load_strided(p, stride) (W values
// p[0], p[stride], ...; reads no further than p[(W-1)*stride] except stride 2, which reads
// p[0..2W)); and the vector math exp, log, tanh, erf, sigmoid, silu, gelu, gelu_tanh.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/dispatch/f32_vector.h"
#include "kernels/generic/pool_loops.h"

namespace ember::kernels {

// The lambdas over registers are forced inline, so none is emitted out of line: that keeps the
// loops tight and, in the SIMDe test build, avoids GCC's -Wpsabi note on __m512 signatures.
#define EMBER_VEC_INLINE __attribute__((always_inline))

template <class V>
struct VectorLoops {
  using R = typename V::R;
  static constexpr int W = V::W;

  // y = f(x) over n values: two registers per step, then one, then a partial one.
  template <class F>
  static void map(int64_t n, const float* x, float* y, F f) {
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      const R a = f(V::loadu(x + i)), b = f(V::loadu(x + i + W));
      V::storeu(y + i, a);
      V::storeu(y + i + W, b);
    }
    for (; i + W <= n; i += W) V::storeu(y + i, f(V::loadu(x + i)));
    if (i < n) V::store_part(y + i, f(V::load_part(x + i, int(n - i), 0.0f)), int(n - i));
  }

  template <class F>
  static void map2(int64_t n, const float* a, const float* b, float* y, F f) {
    int64_t i = 0;
    for (; i + W <= n; i += W) V::storeu(y + i, f(V::loadu(a + i), V::loadu(b + i)));
    if (i < n) {
      const int k = int(n - i);
      V::store_part(y + i, f(V::load_part(a + i, k, 1.0f), V::load_part(b + i, k, 1.0f)), k);
    }
  }

  static void unary(UnaryOp op, int64_t n, const float* x, float* y, float alpha, float beta) {
    const R zero = V::set1(0.0f), one = V::set1(1.0f), va = V::set1(alpha), vb = V::set1(beta);
    switch (op) {
      // max(x, 0) returns 0 for NaN, as the reference's x > 0 ? x : 0 does.
      case UnaryOp::Relu: return map(n, x, y, [&](R v) EMBER_VEC_INLINE { return V::max(v, zero); });
      case UnaryOp::LeakyRelu:
        return map(n, x, y, [&](R v) EMBER_VEC_INLINE { return V::select(V::ge(v, zero), v, V::mul(v, va)); });
      case UnaryOp::Sigmoid: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::sigmoid(v); });
      case UnaryOp::Tanh: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::tanh(v); });
      case UnaryOp::Erf: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::erf(v); });
      case UnaryOp::Exp: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::exp(v); });
      case UnaryOp::Silu: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::silu(v); });
      case UnaryOp::Gelu: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::gelu(v); });
      case UnaryOp::GeluTanh: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::gelu_tanh(v); });
      // Constant first: max/min then return the computed value when it is NaN.
      case UnaryOp::HardSigmoid:
        return map(n, x, y, [&](R v) EMBER_VEC_INLINE { return V::min(one, V::max(zero, V::fmadd(v, va, vb))); });
      case UnaryOp::HardSwish: {
        const R sixth = V::set1(1.0f / 6.0f), half = V::set1(0.5f);
        return map(n, x, y, [&](R v) EMBER_VEC_INLINE { return V::mul(v, V::min(one, V::max(zero, V::fmadd(v, sixth, half)))); });
      }
      case UnaryOp::Clip: return map(n, x, y, [&](R v) EMBER_VEC_INLINE { return V::min(vb, V::max(va, v)); });
      case UnaryOp::Log: return map(n, x, y, [](R v) EMBER_VEC_INLINE { return V::log(v); });
    }
  }

  template <class F>
  static void binary_with(BinaryOp op, F&& run) {
    switch (op) {
      case BinaryOp::Add: return run([](R a, R b) EMBER_VEC_INLINE { return V::add(a, b); });
      case BinaryOp::Sub: return run([](R a, R b) EMBER_VEC_INLINE { return V::sub(a, b); });
      case BinaryOp::Mul: return run([](R a, R b) EMBER_VEC_INLINE { return V::mul(a, b); });
      case BinaryOp::Div: return run([](R a, R b) EMBER_VEC_INLINE { return V::div(a, b); });
    }
  }

  static void binary(BinaryOp op, int64_t n, const float* a, const float* b, float* y) {
    binary_with(op, [&](auto f) { map2(n, a, b, y, f); });
  }

  static void binary_scalar(BinaryOp op, int64_t n, const float* a, float s, bool scalar_left, float* y) {
    const R vs = V::set1(s);
    binary_with(op, [&](auto f) {
      if (scalar_left) map(n, a, y, [&](R v) EMBER_VEC_INLINE { return f(vs, v); });
      else map(n, a, y, [&](R v) EMBER_VEC_INLINE { return f(v, vs); });
    });
  }

  // Three passes over a row that stays in L1: max; exp(x - max) stored and summed; scale.
  static void softmax(int64_t rows, int64_t len, const float* x, float* y) {
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    for (int64_t r = 0; r < rows; ++r, x += len, y += len) {
      R m0 = V::set1(kNegInf), m1 = m0;
      int64_t i = 0;
      for (; i + 2 * W <= len; i += 2 * W) {
        m0 = V::max(m0, V::loadu(x + i));
        m1 = V::max(m1, V::loadu(x + i + W));
      }
      for (; i + W <= len; i += W) m0 = V::max(m0, V::loadu(x + i));
      if (i < len) m1 = V::max(m1, V::load_part(x + i, int(len - i), kNegInf));
      const R mx = V::set1(V::hmax(V::max(m0, m1)));
      // Lanes past the end hold -inf, whose exp is 0: they add nothing to the sum.
      R s0 = V::set1(0.0f), s1 = s0;
      i = 0;
      for (; i + 2 * W <= len; i += 2 * W) {
        const R e0 = V::exp(V::sub(V::loadu(x + i), mx)), e1 = V::exp(V::sub(V::loadu(x + i + W), mx));
        V::storeu(y + i, e0);
        V::storeu(y + i + W, e1);
        s0 = V::add(s0, e0);
        s1 = V::add(s1, e1);
      }
      for (; i + W <= len; i += W) {
        const R e = V::exp(V::sub(V::loadu(x + i), mx));
        V::storeu(y + i, e);
        s0 = V::add(s0, e);
      }
      if (i < len) {
        const R e = V::exp(V::sub(V::load_part(x + i, int(len - i), kNegInf), mx));
        V::store_part(y + i, e, int(len - i));
        s1 = V::add(s1, e);
      }
      const R inv = V::set1(1.0f / V::hsum(V::add(s0, s1)));
      map(len, y, y, [&](R v) EMBER_VEC_INLINE { return V::mul(v, inv); });
    }
  }

  // One pass for the statistics: sums of d = s - k and d^2 with k = the row's first value.
  // Shifting by a value from the row keeps sum(d^2) - sum(d)^2/n free of the cancellation the
  // unshifted formula suffers when |mean| >> std; lanes are combined only at the end.
  static void layernorm(int64_t rows, int64_t len, const float* x, const float* skip, const float* bias,
                        const float* gamma, const float* beta, float eps, float* y, float* sum) {
    if (len <= 0) return;
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * len;
      const float* sk = skip ? skip + r * len : nullptr;
      float* s = (sum ? sum : y) + r * len;
      const float k = xr[0] + (sk ? sk[0] : 0.0f) + (bias ? bias[0] : 0.0f);
      const R vk = V::set1(k);
      R a1 = V::set1(0.0f), a2 = a1;
      auto feed = [&](R v, R valid_only) EMBER_VEC_INLINE {
        const R d = V::mul(V::sub(v, vk), valid_only);
        a1 = V::add(a1, d);
        a2 = V::fmadd(d, d, a2);
      };
      const R all = V::set1(1.0f);
      int64_t i = 0;
      for (; i + W <= len; i += W) {
        R v = V::loadu(xr + i);
        if (sk) v = V::add(v, V::loadu(sk + i));
        if (bias) v = V::add(v, V::loadu(bias + i));
        if (sk || bias || sum) V::storeu(s + i, v);
        feed(v, all);
      }
      if (i < len) {
        const int t = int(len - i);
        R v = V::load_part(xr + i, t, 0.0f);
        if (sk) v = V::add(v, V::load_part(sk + i, t, 0.0f));
        if (bias) v = V::add(v, V::load_part(bias + i, t, 0.0f));
        if (sk || bias || sum) V::store_part(s + i, v, t);
        feed(v, V::load_part(kOnes, t, 0.0f));  // padding lanes count 0
      }
      const float n = float(len);
      const float md = V::hsum(a1) / n;
      const float var = std::max(V::hsum(a2) / n - md * md, 0.0f);
      const float rstd = 1.0f / std::sqrt(var + eps);
      const float* src = (sk || bias || sum) ? s : xr;
      // (s - k) - md rather than s - (k + md): s - k is exact for values near k, and the mean
      // never gets rounded to the precision of the (possibly large) values themselves.
      const R vmd = V::set1(md), vr = V::set1(rstd);
      float* yr = y + r * len;
      i = 0;
      for (; i + W <= len; i += W) {
        const R c = V::mul(V::sub(V::sub(V::loadu(src + i), vk), vmd), vr);
        const R g = V::loadu(gamma + i);
        V::storeu(yr + i, beta ? V::fmadd(c, g, V::loadu(beta + i)) : V::mul(c, g));
      }
      if (i < len) {
        const int t = int(len - i);
        const R c = V::mul(V::sub(V::sub(V::load_part(src + i, t, 0.0f), vk), vmd), vr);
        const R g = V::load_part(gamma + i, t, 0.0f);
        V::store_part(yr + i, beta ? V::fmadd(c, g, V::load_part(beta + i, t, 0.0f)) : V::mul(c, g), t);
      }
    }
  }

  static constexpr float kOnes[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

  static float mean(int64_t n, const float* x) {
    if (n <= 0) return 0.0f;
    R a0 = V::set1(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      a0 = V::add(a0, V::loadu(x + i));
      a1 = V::add(a1, V::loadu(x + i + W));
      a2 = V::add(a2, V::loadu(x + i + 2 * W));
      a3 = V::add(a3, V::loadu(x + i + 3 * W));
    }
    for (; i + W <= n; i += W) a0 = V::add(a0, V::loadu(x + i));
    if (i < n) a1 = V::add(a1, V::load_part(x + i, int(n - i), 0.0f));
    return V::hsum(V::add(V::add(a0, a1), V::add(a2, a3))) / float(n);
  }
  static void maxpool2d(const Pool2d& g, const float* x, float* y) { PoolLoops<V>::template pool2d<true>(g, x, y); }
  static void avgpool2d(const Pool2d& g, const float* x, float* y) { PoolLoops<V>::template pool2d<false>(g, x, y); }
};


}  // namespace ember::kernels
