// The generic GEMM kernels (Eigen-backed f32/f64, triple-loop integer) against a naive loop,
// over every transpose combination, odd sizes, padded leading dimensions and alpha/beta.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/generic/gemm.h"
#include "nn_test_util.h"

namespace ember::test {
namespace {

template <class T>
void check_gemm(int64_t M, int64_t N, int64_t K, bool ta, bool tb, double alpha, double beta) {
  const int64_t pad = 3;  // leading dimensions larger than the row length
  const int64_t lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<T> A(size_t((ta ? K : M) * lda)), B(size_t((tb ? N : K) * ldb)), C(size_t(M * ldc));
  for (auto& v : A) v = T(u(rng()));
  for (auto& v : B) v = T(u(rng()));
  for (auto& v : C) v = beta == 0 ? std::numeric_limits<T>::quiet_NaN() : T(u(rng()));
  std::vector<double> want(size_t(M * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += double(ta ? A[size_t(k * lda + m)] : A[size_t(m * lda + k)]) *
             double(tb ? B[size_t(n * ldb + k)] : B[size_t(k * ldb + n)]);
      want[size_t(m * N + n)] = alpha * s + (beta == 0 ? 0.0 : beta * double(C[size_t(m * ldc + n)]));
    }
  const T sentinel = C[size_t(N)];  // inside the row padding: must stay untouched
  kernels::gemm<T>(M, N, K, A.data(), lda, ta, B.data(), ldb, tb, C.data(), ldc, T(alpha), T(beta));
  const double tol = (std::is_same_v<T, float> ? 1e-6 : 1e-13) * double(K + 1);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      const double got = double(C[size_t(m * ldc + n)]), w = want[size_t(m * N + n)];
      REQUIRE_MESSAGE(std::fabs(got - w) <= tol * (1 + std::fabs(w)),
                      "M=", M, " N=", N, " K=", K, " ta=", ta, " tb=", tb, " at (", m, ",", n, "): got ", got,
                      " want ", w, " seed ", seed());
    }
  const double after = double(C[size_t(N)]);
  CHECK((std::isnan(double(sentinel)) ? std::isnan(after) : after == double(sentinel)));
}

TEST_CASE("nn gemm kernel: f32 and f64 against a naive loop") {
  const int64_t sizes[] = {1, 7, 17, 63};
  for (int64_t M : sizes)
    for (int64_t N : sizes)
      for (int64_t K : {int64_t(1), int64_t(17), int64_t(129)})
        for (int t = 0; t < 4; ++t) {
          check_gemm<float>(M, N, K, t & 1, t & 2, 1.0, 0.0);
          check_gemm<double>(M, N, K, t & 1, t & 2, 1.0, 0.0);
        }
  check_gemm<float>(17, 7, 63, false, true, 0.5, 2.0);
  check_gemm<float>(7, 17, 63, true, false, -1.5, 1.0);
  check_gemm<double>(63, 17, 7, true, true, 2.0, -0.5);
}

TEST_CASE("nn gemm kernel: K = 0 leaves beta*C, beta = 0 ignores NaN in C") {
  std::vector<float> A(1), B(1), C = {std::nanf(""), 2.0f};
  kernels::f32_gemm(1, 2, 0, A.data(), 1, false, B.data(), 2, false, C.data(), 2, 1.0f, 0.0f);
  CHECK(C[0] == 0.0f);
  CHECK(C[1] == 0.0f);
  C = {3.0f, 4.0f};
  kernels::f32_gemm(1, 2, 0, A.data(), 1, false, B.data(), 2, false, C.data(), 2, 1.0f, 0.5f);
  CHECK(C[0] == 1.5f);
  CHECK(C[1] == 2.0f);
}

TEST_CASE("nn gemm kernel: integer reference wraps like int32 arithmetic") {
  std::vector<int32_t> A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C(4);
  kernels::gemm<int32_t>(2, 2, 2, A.data(), 2, false, B.data(), 2, false, C.data(), 2, 1, 0);
  CHECK(C == std::vector<int32_t>({19, 22, 43, 50}));
  kernels::gemm<int32_t>(2, 2, 2, A.data(), 2, true, B.data(), 2, true, C.data(), 2, 1, 0);
  CHECK(C == std::vector<int32_t>({23, 31, 34, 46}));
}

}  // namespace
}  // namespace ember::test
