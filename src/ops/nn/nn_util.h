// Helpers shared by the nn op files: float staging for half-precision inputs, and a GEMM
// split across the session's thread pool.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ir/tensor.h"
#include "kernels/generic/gemm.h"
#include "support/thread_pool.h"

namespace ember::ops::nn {

// Reads any floating-point tensor (f16, bf16, f32, f64) as floats; used for small
// per-channel parameters (scale, bias, mean, var) that may have their own element type.
std::vector<float> read_floats(const Tensor& t);

// Half-precision ops compute in float: convert the inputs up, run the float kernel, round the
// result back. These two do the conversions (any dtype <-> float32).
Tensor to_f32(const Tensor& t);
void store_f32(const Tensor& src_f32, Tensor& dst);

// broadcast_shapes with the node's description prefixed to the error message.
Dims broadcast_named(const Dims& a, const Dims& b, const std::string& node);

// True for the element types that the nn reference kernels compute via float staging.
inline bool is_half_like(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

// C = alpha*op(A)*op(B) + beta*C with the M x N output split into tiles across the pool. Small
// products run inline: splitting them costs more than it saves.
template <class T>
void parallel_gemm(ThreadPool& pool, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
                   bool transA, const T* B, int64_t ldb, bool transB, T* C, int64_t ldc, T alpha,
                   T beta) {
  const int threads = pool.threads();
  const double flops = double(M) * double(N) * double(std::max<int64_t>(K, 1));
  if (threads <= 1 || flops < 1.5e5) {
    kernels::gemm<T>(M, N, K, A, lda, transA, B, ldb, transB, C, ldc, alpha, beta);
    return;
  }
  // Split the longer side first; tiles stay >= 16 rows / 64 columns so Eigen's blocking holds.
  const int64_t want = int64_t(threads) * 2;
  int64_t mt = std::min<int64_t>(want, std::max<int64_t>(1, M / 16));
  int64_t nt = std::min<int64_t>((want + mt - 1) / mt, std::max<int64_t>(1, N / 64));
  const int64_t mb = (M + mt - 1) / mt, nb = (N + nt - 1) / nt;
  mt = (M + mb - 1) / mb;
  nt = (N + nb - 1) / nb;
  pool.parallel_for(mt * nt, 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t m0 = (t / nt) * mb, n0 = (t % nt) * nb;
      const int64_t mm = std::min(mb, M - m0), nn = std::min(nb, N - n0);
      const T* a = transA ? A + m0 : A + m0 * lda;
      const T* bp = transB ? B + n0 * ldb : B + n0;
      kernels::gemm<T>(mm, nn, K, a, lda, transA, bp, ldb, transB, C + m0 * ldc + n0, ldc, alpha,
                       beta);
    }
  });
}

}  // namespace ember::ops::nn
