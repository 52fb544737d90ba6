// Every f32 GEMM entry (generic; AVX2 and native AVX-512 when this CPU has them; AVX-512 via
// SIMDe always) against a naive triple loop in double: odd sizes, transposes, leading
// dimensions wider than the matrices, unaligned pointers, alpha/beta, bias + ReLU, K spanning
// several KC blocks and M several MC blocks. Random inputs come from test::rng() (seed printed
// by main). Tolerance: Tier::Close grown with K, relative to sum |alpha*a*b| + |beta*c| + |bias|
// (the usual GEMM error bound: cancellation can make the result itself arbitrarily small).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/x86/f32_gemm_x86.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::F32GemmKernels;

std::vector<const F32GemmKernels*> kernels_under_test() {
  std::vector<const F32GemmKernels*> ks{&kernels::f32_gemm_generic_kernels()};
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

std::vector<float> random_floats(size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng());
  return v;
}

struct Case {
  int64_t M, N, K;
  bool ta = false, tb = false;
  int64_t pad = 0;  // extra leading-dimension columns on A, B and C
  float alpha = 1.0f, beta = 0.0f;
  bool bias = false;
  Activation act = Activation::None;
};

std::string describe(const Case& c) {
  return "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
         " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " pad=" + std::to_string(c.pad) +
         " alpha=" + std::to_string(c.alpha) + " beta=" + std::to_string(c.beta) +
         " bias=" + std::to_string(c.bias) + " relu=" + std::to_string(c.act == Activation::Relu);
}

// Reports the first mismatch of a case in full, then the count.
void check_case(const F32GemmKernels& k, const Case& c) {
  const int64_t lda = (c.ta ? c.M : c.K) + c.pad, arows = c.ta ? c.K : c.M;
  const int64_t ldb = (c.tb ? c.K : c.N) + c.pad, brows = c.tb ? c.N : c.K;
  const int64_t ldc = c.N + c.pad;
  // +1: the kernels get pointers one float past the allocation start (unaligned).
  std::vector<float> A = random_floats(size_t(arows * lda + 1));
  std::vector<float> B = random_floats(size_t(brows * ldb + 1));
  std::vector<float> C = random_floats(size_t(c.M * ldc + 1));
  std::vector<float> bias = random_floats(size_t(c.N));
  // beta == 0 must not read C: NaN there would leak into the result.
  if (c.beta == 0.0f)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N; ++n) C[1 + m * ldc + n] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> C0 = C;

  std::vector<float> packed(k.packed_b_size(c.K, c.N) + 1);
  k.pack_b(c.K, c.N, B.data() + 1, ldb, c.tb, packed.data() + 1);
  kernels::GemmEpilogue ep;
  ep.bias = c.bias ? bias.data() : nullptr;
  ep.activation = c.act;
  k.gemm_packed(c.M, c.N, c.K, A.data() + 1, lda, c.ta, packed.data() + 1, C.data() + 1, ldc,
                c.alpha, c.beta, ep);

  const double rtol = tier_rtol(Tier::Close, c.K);
  int bad = 0;
  for (int64_t m = 0; m < c.M; ++m) {
    for (int64_t n = 0; n < ldc; ++n) {
      const float got = C[1 + m * ldc + n];
      if (n >= c.N) {  // leading-dimension padding: untouched
        if (got != C0[1 + m * ldc + n] && bad++ == 0)
          FAIL_CHECK(std::string(k.name), " wrote padding at m=", m, " n=", n, " (", describe(c), ")");
        continue;
      }
      double s = 0, mag = 0;
      for (int64_t kk = 0; kk < c.K; ++kk) {
        const double a = c.ta ? A[1 + kk * lda + m] : A[1 + m * lda + kk];
        const double b = c.tb ? B[1 + n * ldb + kk] : B[1 + kk * ldb + n];
        s += a * b;
        mag += std::fabs(a * b);
      }
      double want = double(c.alpha) * s;
      mag *= std::fabs(double(c.alpha));
      if (c.beta != 0.0f) {
        want += double(c.beta) * C0[1 + m * ldc + n];
        mag += std::fabs(double(c.beta) * C0[1 + m * ldc + n]);
      }
      if (c.bias) {
        want += bias[size_t(n)];
        mag += std::fabs(double(bias[size_t(n)]));
      }
      if (c.act == Activation::Relu && want < 0) want = 0;
      const bool ok = std::fabs(double(got) - want) <= rtol * mag + 1e-30;
      if (!ok && bad++ == 0)
        FAIL_CHECK(std::string(k.name), " m=", m, " n=", n, ": got ", got, ", want ", want, " (tol ", rtol * mag,
                   "; ", describe(c), "; seed ", seed(), ")");
    }
  }
  CHECK_MESSAGE(bad == 0, std::string(k.name), ": ", bad, " bad elements (", describe(c), ")");
}

TEST_CASE("f32 gemm kernels: odd sizes x transposes x leading dimensions") {
  const int64_t sizes[] = {1, 7, 17, 63, 129};
  for (const F32GemmKernels* k : kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) {
        Case c{sizes[i], sizes[j], sizes[(i + 2 * j + 1) % 5]};
        c.ta = (i + j) % 2;
        c.tb = ((i + j) / 2) % 2;
        c.pad = (i * 5 + j) % 3 == 0 ? 0 : 3;
        check_case(*k, c);
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: alpha, beta, bias and relu epilogues") {
  for (const F32GemmKernels* k : kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    int variant = 0;
    for (float beta : {0.0f, 1.0f, -0.5f}) {
      for (bool bias : {false, true}) {
        for (Activation act : {Activation::None, Activation::Relu}) {
          Case c{13 + variant % 7, 35 + variant, 31 + 3 * variant, variant % 2 == 1,
                 variant % 3 == 1, 2, variant % 2 ? 0.75f : 1.0f, beta, bias, act};
          check_case(*k, c);
          ++variant;
        }
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: several K and M blocks, K == 0, one row / one column") {
  for (const F32GemmKernels* k : kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    // K over several KC = 256 blocks: beta on the first block only, bias/relu on the last.
    check_case(*k, Case{19, 45, 600, false, false, 1, 1.5f, -1.0f, true, Activation::Relu});
    check_case(*k, Case{7, 33, 513, true, true, 0, 1.0f, 0.0f, true, Activation::None});
    // M over MC (120 for AVX2, 144 for AVX-512).
    check_case(*k, Case{150, 40, 20, false, true, 5, 1.0f, 0.5f, true, Activation::Relu});
    // K == 0: C = beta*C + bias, then the activation.
    check_case(*k, Case{5, 20, 0, false, false, 0, 1.0f, 2.0f, true, Activation::Relu});
    check_case(*k, Case{5, 20, 0, false, false, 0, 1.0f, 0.0f, false, Activation::None});
    check_case(*k, Case{1, 1, 1, false, false, 0, 1.0f, 0.0f, false, Activation::None});
    check_case(*k, Case{1, 300, 64, false, true, 0, 1.0f, 0.0f, true, Activation::None});
    check_case(*k, Case{300, 1, 64, true, false, 0, 1.0f, 0.0f, true, Activation::Relu});
  }
}

TEST_CASE("f32 gemm kernels: relu keeps NaN, like the ONNX Relu") {
  for (const F32GemmKernels* k : kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (int64_t N : {16, 32, 5}) {  // full tiles and an edge tile
      const int64_t M = 12, K = 3;
      std::vector<float> A(size_t(M * K), 1.0f), B(size_t(K * N), -1.0f), C(size_t(M * N), 0.0f);
      A[4] = std::numeric_limits<float>::quiet_NaN();  // row 1, col 1 -> row 1 of C is NaN
      std::vector<float> packed(k->packed_b_size(K, N));
      k->pack_b(K, N, B.data(), N, false, packed.data());
      kernels::GemmEpilogue ep;
      ep.activation = Activation::Relu;
      k->gemm_packed(M, N, K, A.data(), K, false, packed.data(), C.data(), N, 1.0f, 0.0f, ep);
      CHECK(std::isnan(C[size_t(N)]));
      CHECK(C[0] == 0.0f);
    }
  }
}

}  // namespace
}  // namespace ember::test
