// Eigen-backed GEMM. Operands are wrapped as row-major maps with an outer stride (the leading
// dimension), so no data is copied before Eigen's own packing.
#include "kernels/generic/gemm.h"

#include <Eigen/Core>

namespace ember::kernels {
namespace {

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using CMap = Eigen::Map<const RowMat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <class T>
using MMap = Eigen::Map<RowMat<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

template <class T>
void eigen_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, bool transA, const T* B,
                int64_t ldb, bool transB, T* C, int64_t ldc, T alpha, T beta) {
  if (M <= 0 || N <= 0) return;
  MMap<T> c(C, M, N, Eigen::OuterStride<>(ldc));
  // beta == 0 must not read C (it may hold uninitialised memory); K == 0 leaves beta*C.
  if (beta == T(0)) c.setZero();
  else if (beta != T(1)) c *= beta;
  if (K <= 0) return;
  // A stored transposed is the row-major [K,M] matrix; its transpose is op(A).
  CMap<T> a(A, transA ? K : M, transA ? M : K, Eigen::OuterStride<>(lda));
  CMap<T> b(B, transB ? N : K, transB ? K : N, Eigen::OuterStride<>(ldb));
  if (!transA && !transB) c.noalias() += alpha * (a * b);
  else if (transA && !transB) c.noalias() += alpha * (a.transpose() * b);
  else if (!transA && transB) c.noalias() += alpha * (a * b.transpose());
  else c.noalias() += alpha * (a.transpose() * b.transpose());
}

}  // namespace

void f32_gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
              const float* B, int64_t ldb, bool transB, float* C, int64_t ldc, float alpha,
              float beta) {
  eigen_gemm<float>(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
}

void f64_gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, bool transA,
              const double* B, int64_t ldb, bool transB, double* C, int64_t ldc, double alpha,
              double beta) {
  eigen_gemm<double>(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
}

}  // namespace ember::kernels
