// Generic (portable) dense matrix multiply kernels. Plain C-like interface: row-major
// matrices given by pointer + leading dimension, so callers can multiply sub-blocks and
// strided views without copying.
//
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
//
// op(X) is X or X^T. With transA, A is stored as [K,M] (lda >= M); otherwise [M,K] (lda >= K).
// Likewise B is [N,K] with transB, else [K,N]. When beta == 0, C is write-only: its previous
// contents (possibly uninitialised, NaN) are never read.
#pragma once

#include <cstdint>

namespace ember::kernels {

// Backed by Eigen's blocked GEMM (single-threaded; callers split work across threads).
void f32_gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
              const float* B, int64_t ldb, bool transB, float* C, int64_t ldc, float alpha,
              float beta);
void f64_gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t lda, bool transA,
              const double* B, int64_t ldb, bool transB, double* C, int64_t ldc, double alpha,
              double beta);

// Straight triple loop for element types Eigen is not used for (integers). Accumulates in T,
// which wraps on overflow exactly like ONNX integer MatMul.
template <class T>
void ref_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, bool transA, const T* B,
              int64_t ldb, bool transB, T* C, int64_t ldc, T alpha, T beta) {
  for (int64_t m = 0; m < M; ++m) {
    T* c = C + m * ldc;
    for (int64_t n = 0; n < N; ++n) c[n] = beta == T(0) ? T(0) : T(beta * c[n]);
    for (int64_t k = 0; k < K; ++k) {
      const T a = T(alpha * (transA ? A[k * lda + m] : A[m * lda + k]));
      if (a == T(0)) continue;
      if (!transB) {
        const T* b = B + k * ldb;
        for (int64_t n = 0; n < N; ++n) c[n] = T(c[n] + a * b[n]);
      } else {
        for (int64_t n = 0; n < N; ++n) c[n] = T(c[n] + a * B[n * ldb + k]);
      }
    }
  }
}

// One entry point per element type so templated op code can call gemm<T>(...).
template <class T>
inline void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, bool transA, const T* B,
                 int64_t ldb, bool transB, T* C, int64_t ldc, T alpha, T beta) {
  ref_gemm<T>(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
}
template <>
inline void gemm<float>(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                        const float* B, int64_t ldb, bool transB, float* C, int64_t ldc,
                        float alpha, float beta) {
  f32_gemm(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
}
template <>
inline void gemm<double>(int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
                         bool transA, const double* B, int64_t ldb, bool transB, double* C,
                         int64_t ldc, double alpha, double beta) {
  f64_gemm(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
}

}  // namespace ember::kernels
