// The generic F32GemmKernels entry. Its "packed" B is op(B) as a dense row-major [K,N], so the
// Eigen GEMM in kernels/generic runs on it unchanged; the epilogue is a second pass over C.
#include <algorithm>

#include "kernels/dispatch/f32_gemm.h"
#include "kernels/generic/gemm.h"

namespace ember::kernels {
namespace {

size_t packed_b_size(int64_t K, int64_t N) { return size_t(std::max<int64_t>(K, 0) * std::max<int64_t>(N, 0)); }

void pack_b(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed) {
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) packed[k * N + n] = transB ? B[n * ldb + k] : B[k * ldb + n];
}

void gemm_packed(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                 const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                 const GemmEpilogue& ep) {
  if (M <= 0 || N <= 0) return;
  f32_gemm(M, N, K, A, lda, transA, packed_b, N, false, C, ldc, alpha, beta);
  apply_epilogue_scalar(C, ldc, M, N, 0, 0, ep);
}

}  // namespace

const F32GemmKernels& f32_gemm_generic_kernels() {
  static const F32GemmKernels k{"f32_gemm__generic", 1, 1, packed_b_size, pack_b, gemm_packed};
  return k;
}

}  // namespace ember::kernels
