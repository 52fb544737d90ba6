// Every matrix-vector entry (kernels/dispatch/f32_gemv.h: generic; AVX2 and native AVX-512 when
// this CPU has them; AVX-512 via SIMDe always) against a double-precision loop with its own
// epilogue (f32_gemm_check.h's activate_ref): odd N and K around the vector widths, the
// 2-vector steps and the 4 bands of rows, weights with a leading dimension wider than their
// rows, alpha, per-column and per-row bias, residual, every activation, and a call split in
// two column ranges as two threads make it. Outputs beyond N must stay untouched. Random
// inputs from test::rng() (seed printed by main). Tolerance: Tier::Close grown with K, relative
// to sum |alpha*a*w| + |bias| + |residual|, as the GEMM checks.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "f32_gemm_check.h"
#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_gemv.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::F32GemvKernels;

std::vector<const F32GemvKernels*> tables() {
  std::vector<const F32GemvKernels*> t{&kernels::f32_gemv_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) t.push_back(&kernels::avx2::f32_gemv_kernels());
  if (f & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_gemv_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_gemv_kernels());
#endif
  return t;
}

struct GemvCase {
  int64_t N, K;
  float alpha = 1.0f;
  bool bias = false, bias_per_row = false, residual = false, split = false;
  Activation act = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};

std::string describe(const GemvCase& c) {
  return "N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) + 
         " alpha=" + std::to_string(c.alpha) + " bias=" + std::to_string(c.bias) + (c.bias_per_row ? "(row)" : "(col)") +
         " residual=" + std::to_string(c.residual) + " act=" + std::to_string(int(c.act)) +
         " split=" + std::to_string(c.split);
}

void check(const F32GemvKernels& k, const GemvCase& c) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  auto random = [&](size_t n, float scale) {
    std::vector<float> v(n);
    for (auto& x : v) x = scale * d(rng());
    return v;
  };
  const int64_t ld = c.K + 3;
  // +1: every pointer one float past its allocation's start (unaligned).
  const std::vector<float> a = random(size_t(c.K + 1), 1.0f), w = random(size_t(c.N * ld + 1), 1.0f);
  const std::vector<float> bias = random(size_t(c.N), 3.0f), res = random(size_t(c.N + 1), 1.0f);
  const float guard = 12345.0f;
  std::vector<float> y(size_t(c.N + 2), guard);

  kernels::GemmEpilogue ep;
  ep.bias = c.bias ? bias.data() : nullptr;
  ep.bias_per_row = c.bias_per_row;
  ep.residual = c.residual ? res.data() + 1 : nullptr;
  ep.ldr = c.N;
  ep.activation = c.act;
  ep.act_alpha = c.act_alpha;
  ep.act_beta = c.act_beta;
  auto call = [&](int64_t n0, int64_t n1) {
    kernels::GemmEpilogue e = ep;
    if (e.bias && !e.bias_per_row) e.bias += n0;
    if (e.residual) e.residual += n0;
    k.gemv_rows(n1 - n0, c.K, a.data() + 1, w.data() + 1 + n0 * ld, ld, y.data() + 1 + n0, c.alpha, e);
  };
  if (c.split) {
    call(0, c.N / 3);
    call(c.N / 3, c.N);
  } else {
    call(0, c.N);
  }

  REQUIRE(y[0] == guard);
  REQUIRE(y[size_t(c.N + 1)] == guard);
  const double rtol = tier_rtol(Tier::Close, c.K), lip = activation_lipschitz(c.act, c.act_alpha);
  for (int64_t n = 0; n < c.N; ++n) {
    double s = 0, mag = 0;
    for (int64_t kk = 0; kk < c.K; ++kk) {
      const double x = double(a[size_t(1 + kk)]) * w[size_t(1 + n * ld + kk)];
      s += x;
      mag += std::fabs(x);
    }
    double want = double(c.alpha) * s;
    mag *= std::fabs(double(c.alpha));
    auto add = [&](double v) { want += v; mag += std::fabs(v); };
    if (c.bias) add(bias[size_t(c.bias_per_row ? 0 : n)]);
    if (c.residual) add(res[size_t(1 + n)]);
    want = activate_ref(want, c.act, c.act_alpha, c.act_beta);
    double tol = lip * rtol * mag + 1e-30;
    if (transcendental_activation(c.act)) tol += tier_rtol(Tier::Close) * (1 + std::fabs(want));
    const double got = y[size_t(1 + n)];
    if (!(std::fabs(got - want) <= tol)) {
      FAIL_CHECK(std::string(k.name), " n=", n, ": got ", got, ", want ", want, " (tol ", tol, "; ", describe(c),
                 "; seed ", seed(), ")");
      return;
    }
  }
}

TEST_CASE("f32 gemv: every entry, odd N and K, split in two") {
  for (const F32GemvKernels* k : tables())
    for (int64_t N : {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 63, 64, 65, 129, 1000})
      for (int64_t K : {1, 7, 8, 16, 17, 31, 32, 33, 63, 129, 300})
        for (bool split : {false, true}) {
          GemvCase c{N, K};
          c.split = split;
          check(*k, c);
        }
}

TEST_CASE("f32 gemv: every epilogue (alpha, bias per column and per row, residual, activations)") {
  struct Act { Activation act; float a, b; };
  const Act acts[] = {{Activation::None, 0, 0},       {Activation::Relu, 0, 0},       {Activation::LeakyRelu, 0.1f, 0},
                      {Activation::Clip, -0.3f, 0.4f}, {Activation::Sigmoid, 0, 0},    {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},       {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32GemvKernels* k : tables())
    for (const Act& a : acts)
      for (int bias = 0; bias < 3; ++bias)
        for (bool residual : {false, true})
          for (int64_t N : {5, 37}) {
            GemvCase c{N, 23, 0.75f};
            c.bias = bias > 0;
            c.bias_per_row = bias == 2;
            c.residual = residual;
            c.act = a.act;
            c.act_alpha = a.a;
            c.act_beta = a.b;
            c.split = N > 8;
            check(*k, c);
          }
}

}  // namespace
}  // namespace ember::test
