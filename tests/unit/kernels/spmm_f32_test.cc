// Every sparse x dense entry (generic; AVX2 and native AVX-512 when this CPU has them; AVX-512
// via SIMDe always) against a dense double-precision product with the same weights: sparsity
// 0 / 50 / 70 / 90 / 99 / 100%, odd sizes around the vector and block widths (P = 1..129),
// row ranges, leading dimensions wider than the rows, with and without bias. The CSR comes
// from csr_from_dense, which is checked to drop exactly the zeros. Random inputs from
// test::rng() (seed printed by main). Tolerance: Tier::Close grown with K, relative to
// sum |w*b| + |bias|.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_spmm.h"
#include "kernels/generic/spmm.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::F32SpmmKernels;

std::vector<const F32SpmmKernels*> tables() {
  std::vector<const F32SpmmKernels*> t{&kernels::f32_spmm_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) t.push_back(&kernels::avx2::f32_spmm_kernels());
  if (f & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_spmm_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_spmm_kernels());
#endif
  return t;
}

// A dense [rows, ld] matrix whose first `cols` columns are random with about `sparsity` zeros.
std::vector<float> sparse_weights(int64_t rows, int64_t cols, int64_t ld, double sparsity) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> w(size_t(rows * ld), 777.0f);  // padding columns must never be read
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) w[size_t(r * ld + c)] = u(rng()) < sparsity ? 0.0f : d(rng());
  return w;
}

void check(const F32SpmmKernels& t, int64_t rows, int64_t K, int64_t P, double sparsity, bool bias_on) {
  const int64_t ldw = K + 3, ldb = P + 5, ldc = P + 2;
  const auto w = sparse_weights(rows, K, ldw, sparsity);
  const kernels::CsrStorage csr = kernels::csr_from_dense(rows, K, w.data(), ldw, false);
  int64_t zeros = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < K; ++c) zeros += w[size_t(r * ldw + c)] == 0.0f;
  REQUIRE(csr.nnz() == rows * K - zeros);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> b(static_cast<size_t>(K * ldb)), bias(static_cast<size_t>(rows));
  for (auto& x : b) x = d(rng());
  for (auto& x : bias) x = d(rng());
  const float guard = 12345.0f;
  std::vector<float> c(size_t(rows * ldc), guard);
  // Two row ranges, as two threads would split them.
  const int64_t split = rows / 3;
  const float* bp = bias_on ? bias.data() : nullptr;
  t.spmm(csr.view(), 0, split, P, b.data(), ldb, bp, c.data(), ldc);
  t.spmm(csr.view(), split, rows, P, b.data(), ldb, bp, c.data(), ldc);
  const double rtol = tier_rtol(Tier::Close, K);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t p = P; p < ldc; ++p) REQUIRE(c[size_t(r * ldc + p)] == guard);
    for (int64_t p = 0; p < P; ++p) {
      double acc = bias_on ? bias[size_t(r)] : 0.0, mag = std::fabs(acc);
      for (int64_t k = 0; k < K; ++k) {
        const double x = double(w[size_t(r * ldw + k)]) * b[size_t(k * ldb + p)];
        acc += x;
        mag += std::fabs(x);
      }
      const double got = c[size_t(r * ldc + p)];
      if (std::fabs(got - acc) > 1e-6 + rtol * mag) {
        FAIL_CHECK(t.name, " rows=", rows, " K=", K, " P=", P, " sparsity=", sparsity, " bias=", bias_on, " at (", r,
                   ",", p, "): got ", got, ", want ", acc, " (seed ", seed(), ")");
        return;
      }
    }
  }
}

TEST_CASE("f32 spmm: every entry against a dense double product, sparsity 0-100%, odd sizes") {
  for (const F32SpmmKernels* t : tables()) {
    INFO(t->name);
    for (double s : {0.0, 0.5, 0.7, 0.9, 0.99, 1.0})
      for (int64_t P : {1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 129})
        for (bool bias : {false, true}) check(*t, 13, 37, P, s, bias);
    check(*t, 64, 256, 200, 0.9, true);  // a 1x1 convolution-sized case
    check(*t, 1, 1, 1, 0.0, false);
  }
}

TEST_CASE("f32 spmm: csr_from_dense of a transposed weight") {
  // W stored [K=3, N=2]: the CSR is of W^T [2, 3].
  const float w[] = {1, 0, 0, 2, 3, -0.0f};
  const kernels::CsrStorage s = kernels::csr_from_dense(2, 3, w, 2, true);
  CHECK(s.row_ptr == std::vector<int32_t>{0, 2, 3});
  CHECK(s.col_idx == std::vector<int32_t>{0, 2, 1});
  CHECK(s.values == std::vector<float>{1, 3, 2});
}

TEST_CASE("f32 spmm: the dispatched table is one of the entries and honours the ISA cap") {
  const bool generic_when_capped = kernels::make_f32_spmm_kernels(kernels::cpu_features(), kernels::Isa::Generic).spmm ==
                                   kernels::f32_spmm_generic_kernels().spmm;
  CHECK(generic_when_capped);
  const bool filled = kernels::f32_spmm_kernels().spmm != nullptr;
  CHECK(filled);
}

}  // namespace
}  // namespace ember::test
