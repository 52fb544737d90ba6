#include "f32_gemm_check.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/x86/f32_gemm_x86.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;

std::vector<float> random_floats(size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng());
  return v;
}

}  // namespace

double activate_ref(double x, Activation act, double a, double b) {
  switch (act) {
    case Activation::None: return x;
    case Activation::Relu: return x < 0 ? 0 : x;
    case Activation::LeakyRelu: return x >= 0 ? x : a * x;
    case Activation::Clip: return std::min(std::max(x, a), b);
    case Activation::Sigmoid: return 1 / (1 + std::exp(-x));
    case Activation::HardSigmoid: return std::min(std::max(a * x + b, 0.0), 1.0);
    case Activation::HardSwish: return x * std::min(std::max(x + 3, 0.0), 6.0) / 6;
    case Activation::Silu: return x / (1 + std::exp(-x));
    case Activation::Gelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case Activation::GeluTanh:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  }
  return x;
}

double activation_lipschitz(Activation act, float act_alpha) {
  switch (act) {
    case Activation::LeakyRelu:
    case Activation::HardSigmoid: return std::max(1.0, std::fabs(double(act_alpha)));
    case Activation::HardSwish:
    case Activation::Silu:
    case Activation::Gelu:
    case Activation::GeluTanh: return 1.5;
    default: return 1.0;
  }
}

bool transcendental_activation(Activation a) {
  return a == Activation::Sigmoid || a == Activation::Silu || a == Activation::Gelu || a == Activation::GeluTanh;
}

std::string describe(const GemmCase& c) {
  return "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
         " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " pad=" + std::to_string(c.pad) +
         " alpha=" + std::to_string(c.alpha) + " beta=" + std::to_string(c.beta) + " bias=" + std::to_string(c.bias) +
         (c.bias_per_row ? "(row)" : "(col)") + " residual=" + std::to_string(c.residual) +
         " act=" + std::to_string(int(c.act)) + " form=" + (c.form == GemmForm::PackedB ? "packed_b" : "packed_a") +
         " split=" + std::to_string(int(c.split));
}

void check_gemm_case(const kernels::F32GemmKernels& k, const GemmCase& c) {
  const int64_t lda = (c.ta ? c.M : c.K) + c.pad, arows = c.ta ? c.K : c.M;
  const int64_t ldb = (c.tb ? c.K : c.N) + c.pad, brows = c.tb ? c.N : c.K;
  const int64_t ldc = c.N + c.pad, ldr = c.N + c.pad;
  // +1: the kernels get pointers one float past the allocation start (unaligned).
  std::vector<float> A = random_floats(size_t(arows * lda + 1));
  std::vector<float> B = random_floats(size_t(brows * ldb + 1));
  std::vector<float> C = random_floats(size_t(c.M * ldc + 1));
  std::vector<float> R = random_floats(size_t(c.M * ldr + 1));
  std::vector<float> bias = random_floats(size_t(c.bias_per_row ? c.M : c.N));
  // Scale up so activations see values on both sides of their bends.
  for (auto& x : bias) x *= 3.0f;
  // beta == 0 must not read C: NaN there would leak into the result.
  if (c.beta == 0.0f)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N; ++n) C[size_t(1 + m * ldc + n)] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> C0 = C;

  kernels::GemmEpilogue ep;
  ep.bias = c.bias ? bias.data() : nullptr;
  ep.bias_per_row = c.bias_per_row;
  ep.residual = c.residual ? R.data() + 1 : nullptr;
  ep.ldr = ldr;
  ep.activation = c.act;
  ep.act_alpha = c.act_alpha;
  ep.act_beta = c.act_beta;

  const float* a = A.data() + 1;
  const float* b = B.data() + 1;
  float* cp = C.data() + 1;
  // One call on rows [m0, m1) x columns [n0, n1); m0 % mr == 0 and n0 % nr == 0 where the
  // packed operand is offset.
  std::vector<float> packed;
  auto call = [&](int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    if (m1 <= m0 || n1 <= n0) return;
    kernels::GemmEpilogue e = ep;
    if (e.bias) e.bias += c.bias_per_row ? m0 : n0;
    if (e.residual) e.residual += m0 * ldr + n0;
    float* cc = cp + m0 * ldc + n0;
    if (c.form == GemmForm::PackedB) {
      const float* aa = c.ta ? a + m0 : a + m0 * lda;
      k.gemm_packed(m1 - m0, n1 - n0, c.K, aa, lda, c.ta, packed.data() + 1 + k.packed_b_offset(c.K, n0), cc,
                    ldc, c.alpha, c.beta, e);
    } else {
      const float* bb = c.tb ? b + n0 * ldb : b + n0;
      k.gemm_packed_a(m1 - m0, n1 - n0, c.K, packed.data() + 1 + k.packed_a_offset(c.K, m0), bb, ldb, c.tb, cc,
                      ldc, c.alpha, c.beta, e);
    }
  };
  if (c.form == GemmForm::PackedB) {
    packed.assign(k.packed_b_size(c.K, c.N) + 1, 0.0f);
    k.pack_b(c.K, c.N, b, ldb, c.tb, packed.data() + 1);
  } else {
    packed.assign(k.packed_a_size(c.M, c.K) + 1, 0.0f);
    k.pack_a(c.M, c.K, a, lda, c.ta, packed.data() + 1);
  }
  if (c.split == GemmSplit::Whole) {
    call(0, c.M, 0, c.N);
  } else if (c.split == GemmSplit::Columns) {
    const int64_t n0 = c.N / 2 / k.nr * k.nr;
    call(0, c.M, 0, n0);
    call(0, c.M, n0, c.N);
  } else {
    const int64_t m0 = c.M / 2 / k.mr * k.mr;
    call(0, m0, 0, c.N);
    call(m0, c.M, 0, c.N);
  }

  const double rtol = tier_rtol(Tier::Close, c.K), lip = activation_lipschitz(c.act, c.act_alpha);
  int bad = 0;
  for (int64_t m = 0; m < c.M; ++m) {
    for (int64_t n = 0; n < ldc; ++n) {
      const float got = C[size_t(1 + m * ldc + n)];
      if (n >= c.N) {  // leading-dimension padding: untouched
        if (got != C0[size_t(1 + m * ldc + n)] && bad++ == 0)
          FAIL_CHECK(std::string(k.name), " wrote padding at m=", m, " n=", n, " (", describe(c), ")");
        continue;
      }
      double s = 0, mag = 0;
      for (int64_t kk = 0; kk < c.K; ++kk) {
        const double x = c.ta ? A[size_t(1 + kk * lda + m)] : A[size_t(1 + m * lda + kk)];
        const double y = c.tb ? B[size_t(1 + n * ldb + kk)] : B[size_t(1 + kk * ldb + n)];
        s += x * y;
        mag += std::fabs(x * y);
      }
      double want = double(c.alpha) * s;
      mag *= std::fabs(double(c.alpha));
      auto add = [&](double v) { want += v; mag += std::fabs(v); };
      if (c.beta != 0.0f) add(double(c.beta) * C0[size_t(1 + m * ldc + n)]);
      if (c.bias) add(bias[size_t(c.bias_per_row ? m : n)]);
      if (c.residual) add(R[size_t(1 + m * ldr + n)]);
      want = activate_ref(want, c.act, c.act_alpha, c.act_beta);
      double tol = lip * rtol * mag + 1e-30;
      if (transcendental_activation(c.act)) tol += tier_rtol(Tier::Close) * (1 + std::fabs(want));
      const bool ok = std::fabs(double(got) - want) <= tol;
      if (!ok && bad++ == 0)
        FAIL_CHECK(std::string(k.name), " m=", m, " n=", n, ": got ", got, ", want ", want, " (tol ", tol, "; ",
                   describe(c), "; seed ", seed(), ")");
    }
  }
  CHECK_MESSAGE(bad == 0, std::string(k.name), ": ", bad, " bad elements (", describe(c), ")");
}

std::vector<const kernels::F32GemmKernels*> f32_gemm_kernels_under_test() {
  std::vector<const kernels::F32GemmKernels*> ks{&kernels::f32_gemm_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) ks.push_back(&kernels::avx2::f32_gemm_kernels());
  if (f & kernels::kCpuAvx512f) ks.push_back(&kernels::avx512::f32_gemm_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  ks.push_back(&kernels::avx512_simde::f32_gemm_kernels());
#endif
  return ks;
}

}  // namespace ember::test
