// How the native MatMul/Gemm/Conv kernels call the kernel table's f32 GEMM: one operand packed
// once at session creation, the product split in two dimensions over the session's pool.
//
// The table's entries may not implement every function of kernels/dispatch/f32_gemm.h (the
// generic entry has no packed-A form and no column offsets): each helper here checks for null
// and falls back (no column split; a plain GEMM plus the scalar epilogue), so every table works.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/cpu/gemm_conv/prepacked_buffer.h"
#include "ir/tensor.h"
#include "kernels/dispatch/f32_gemm.h"
#include "support/thread_pool.h"

namespace ember::backends::gemm_conv {

using kernels::F32GemmKernels;
using kernels::GemmEpilogue;

// Below this many multiply-adds a second thread costs more (wake-up, cache traffic) than it
// saves: ~30 us of single-core work.
inline constexpr double kMinParallelMacs = 1.0e6;

// How a product of M x N x K is cut for `threads` threads: mt x nt blocks of mb x nb (mb a
// multiple of mr, nb of nr). A single block when the work is too small to share.
struct Split {
  int64_t mb = 0, nb = 0, mt = 1, nt = 1;
  int64_t tasks() const { return mt * nt; }
};
// How many blocks plan_split aims at for `macs` multiply-adds (when the work is worth sharing):
// twice the threads once the work is large, since the pool hands blocks out dynamically, which
// evens out threads slowed by other processes.
inline int64_t split_blocks_wanted(double macs, int threads) {
  return macs > 3.0e7 ? 2 * int64_t(threads) : int64_t(threads);
}
// `prefer_n`: split columns first (packed B: each block then reads half of B); otherwise rows.
Split plan_split(int64_t M, int64_t N, int64_t K, int mr, int nr, bool can_split_n, bool prefer_n,
                 int threads);

// The epilogue for the block at rows m0.., columns n0.. of the whole C.
GemmEpilogue block_epilogue(const GemmEpilogue& ep, int64_t m0, int64_t n0);

// B ([K, N] after op) packed once for gemm_packed. With a pool, large weights are packed in
// column ranges on all its threads (the packed layout of columns n0.. is a packed B of its own).
class PackedB {
 public:
  PackedB() = default;
  PackedB(const F32GemmKernels& k, int64_t K, int64_t N, const float* B, int64_t ldb, bool transB,
          ThreadPool* pool = nullptr);
  // B a constant float32 matrix ([K, N], or [N, K] with transB; a vector is one column). A
  // deferred B (ir/tensor.h) is read by blocks of whole panels through weight_rows.h, so it goes
  // from the model file to the panels in one pass.
  PackedB(const F32GemmKernels& k, const Tensor& b, bool transB, ThreadPool* pool = nullptr);
  const float* data() const { return data_.data(); }
  int64_t K() const { return K_; }
  int64_t N() const { return N_; }

 private:
  // Calls pack(n0, n) over column ranges of whole panels that tile [0, N), on the pool's threads
  // when B is large enough to share; each range packed where pack_b of all of B puts it.
  template <class Pack>
  void pack_ranges(const F32GemmKernels& k, ThreadPool* pool, Pack&& pack);
  // A deferred, untransposed B packed band of rows by band of rows.
  void pack_row_bands(const F32GemmKernels& k, const Tensor& b);

  PrepackedBuffer data_;
  int64_t K_ = 0, N_ = 0;
};

// C = act(alpha * op(A) * B + beta * C + bias + residual) with B packed by `k.pack_b`,
// split over the pool (threads == 1 or tiny work: inline).
void gemm_packed_b(ThreadPool& pool, const F32GemmKernels& k, int64_t M, int64_t N, int64_t K,
                   const float* A, int64_t lda, bool transA, const float* packed_b, float* C,
                   int64_t ldc, float alpha, float beta, const GemmEpilogue& ep);
// The same on one thread for a row/column block (callers that split work themselves).
void gemm_packed_b_block(const F32GemmKernels& k, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                         int64_t K, const float* A, int64_t lda, bool transA,
                         const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                         const GemmEpilogue& ep);

// A (rows [row0, row0 + M) of float32 weights W viewed [rows, K], K = numel / dim(0)) prepared
// once for products W * X: packed by `k.pack_a` when the entry has the packed-A form, else kept
// as a plain copy for the fallback GEMM. W is read through weight_rows.h (one pass when deferred).
class PackedA {
 public:
  PackedA() = default;
  PackedA(const F32GemmKernels& k, const Tensor& w, int64_t row0, int64_t M);
  bool packed() const { return packed_; }
  int64_t M() const { return M_; }
  int64_t K() const { return K_; }

  // Rows [m0, m1) (m0 a multiple of mr) of C = act(A * B + bias + residual), B [K, N] unpacked.
  void multiply(const F32GemmKernels& k, int64_t m0, int64_t m1, int64_t N, const float* B,
                int64_t ldb, float* C, int64_t ldc, const GemmEpilogue& ep) const;

 private:
  PrepackedBuffer data_;
  int64_t M_ = 0, K_ = 0;
  bool packed_ = false;
};

// A growable per-thread float buffer (Kernel::run may run on several threads at once); `slot`
// keeps simultaneous uses on one thread apart. Contents are uninitialised.
float* thread_scratch(int slot, size_t floats);

// "<what>:<micro-kernel>", e.g. "f32_conv_im2col:f32_gemm_6x16__avx2_fma".
std::string path_name(const char* what, const F32GemmKernels& k);

}  // namespace ember::backends::gemm_conv
