// The generic F32GemmKernels entry: Eigen's GEMM on dense copies, the epilogue as a second pass
// over C. Its "packed" B is op(B)^T, i.e. [N,K] row-major (column n0 starts at n0*K, so column
// ranges of a packed B are packed Bs); its packed A is op(A) as [M,K] row-major (row m0 starts
// at m0*K). mr = nr = 1: any row or column split is allowed.
#include <algorithm>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/generic/gemm.h"

namespace ember::kernels {
namespace {

int64_t nonneg(int64_t x) { return std::max<int64_t>(x, 0); }

size_t packed_b_size(int64_t K, int64_t N) { return size_t(nonneg(K) * nonneg(N)); }
size_t packed_b_offset(int64_t K, int64_t n0) { return size_t(nonneg(K) * n0); }

void pack_b(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) packed[n * K + k] = transB ? B[n * ldb + k] : B[k * ldb + n];
}

void gemm_packed(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                 const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                 const GemmEpilogue& ep) {
  if (M <= 0 || N <= 0) return;
  f32_gemm(M, N, nonneg(K), A, lda, transA, packed_b, std::max<int64_t>(K, 1), true, C, ldc, alpha, beta);
  apply_epilogue_scalar(C, ldc, M, N, 0, 0, ep);
}

size_t packed_a_size(int64_t M, int64_t K) { return size_t(nonneg(M) * nonneg(K)); }
size_t packed_a_offset(int64_t K, int64_t m0) { return size_t(nonneg(K) * m0); }

void pack_a(int64_t M, int64_t K, const float* A, int64_t lda, bool transA, float* packed) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) packed[m * K + k] = transA ? A[k * lda + m] : A[m * lda + k];
}

void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* packed_a, const float* B,
                   int64_t ldb, bool transB, float* C, int64_t ldc, float alpha, float beta,
                   const GemmEpilogue& ep) {
  if (M <= 0 || N <= 0) return;
  f32_gemm(M, N, nonneg(K), packed_a, std::max<int64_t>(K, 1), false, B, ldb, transB, C, ldc, alpha, beta);
  apply_epilogue_scalar(C, ldc, M, N, 0, 0, ep);
}

}  // namespace

const F32GemmKernels& f32_gemm_generic_kernels() {
  static const F32GemmKernels k{"f32_gemm__generic", 1,           1,
                                packed_b_size,       pack_b,      gemm_packed,
                                packed_b_offset,     packed_a_size, packed_a_offset,
                                pack_a,              gemm_packed_a};
  return k;
}

}  // namespace ember::kernels
