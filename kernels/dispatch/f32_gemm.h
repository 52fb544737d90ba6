// The f32 GEMM kernel interface every ISA implements, with B packed ahead of time:
//
//   C[M,N] = act(alpha * op(A)[M,K] * op(B)[K,N] + beta * C + bias[N])
//
// Row-major operands given by pointer + leading dimension. op(A) is A ([M,K], lda >= K) or,
// with transA, A stored as [K,M] (lda >= M); likewise B is [K,N] or, with transB, [N,K]. The
// transposes are absorbed by the packing routines, so the micro-kernels see one layout.
//
// B (typically a weight) is packed once with pack_b into a caller-owned buffer of
// packed_b_size(K, N) floats, e.g. at session creation; gemm_packed then runs any number of
// times against it. Each ISA has its own packed layout: a buffer packed by one entry is only
// valid for that entry's gemm_packed.
//
// beta == 0 never reads C (it may be uninitialised). bias (per output column, may be null)
// and the activation are applied once, after the full K reduction, on the tile in registers.
// The kernels are single-threaded and allocate nothing; callers split M/N across threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::kernels {

enum class Activation : int { None = 0, Relu = 1 };

struct GemmEpilogue {
  const float* bias = nullptr;  // N values, one per output column; null: no bias
  Activation activation = Activation::None;
};

struct F32GemmKernels {
  const char* name;  // the micro-kernel, e.g. "f32_gemm_6x16__avx2_fma"
  int mr, nr;        // register tile (rows of A, columns of B)
  size_t (*packed_b_size)(int64_t K, int64_t N);  // in floats
  void (*pack_b)(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed);
  void (*gemm_packed)(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                      const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                      const GemmEpilogue& epilogue);
};

// Portable entry: op(B) copied row-major, Eigen's GEMM, then the epilogue in a loop.
const F32GemmKernels& f32_gemm_generic_kernels();

}  // namespace ember::kernels
