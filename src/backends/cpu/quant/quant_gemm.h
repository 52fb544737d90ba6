// How the native int8 ops (MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv) call the
// kernel table's u8s8 GEMM (kernels/dispatch/u8s8_gemm.h): weights packed once at session
// creation, activations packed per call, the product split over the session's pool; and the
// small run-time questions they share (8-bit zero points and float scales as scalars or per
// channel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dispatch/u8s8_gemm.h"
#include "ops/op_registry.h"
#include "support/thread_pool.h"

namespace ember::backends::quant {

using kernels::U8S8Epilogue;
using kernels::U8S8GemmKernels;

// Constant weights op(B) [K, N] (int8 or uint8) with their zero points, packed once by the
// entry that suits them: k's narrow (vpmaddubsw) entry when every weight fits 7 bits, else k.
class PackedWeights {
 public:
  // B is [K, N] row-major (transB: [N, K]) with leading dimension ldb; `zero_points` holds
  // none (0), one, or N values (see zero_points()).
  PackedWeights(const U8S8GemmKernels& k, int64_t K, int64_t N, DType b_dtype, const uint8_t* b_bytes, int64_t ldb,
                bool transB, const std::vector<int32_t>& zero_points);
  const void* data() const { return data_.data(); }
  int64_t K() const { return K_; }
  int64_t N() const { return N_; }
  // The entry that packed the weights: activations must be packed and multiplied by it.
  const U8S8GemmKernels& kernels() const { return *k_; }
  // Whether the products need A's row sums: only a non-zero zb' multiplies them (symmetric int8
  // weights, what onnxruntime's quantizer writes, have none).
  bool needs_row_sums() const { return needs_row_sums_; }

 private:
  const U8S8GemmKernels* k_;
  std::vector<uint8_t> data_;
  int64_t K_ = 0, N_ = 0;
  bool needs_row_sums_ = true;
};

// The values of an optional weight zero point (null: none) of the weights' type `w_dtype`,
// with one element or `n` elements. Throws naming `what` otherwise.
std::vector<int32_t> zero_points(const Tensor* zp, DType w_dtype, int64_t n, const std::string& who, const char* what);

// rows x N = A (uint8 [rows, K], or [K, rows] with transA, leading dimension lda) times the
// packed weights (with w.kernels()), through `ep` (its c, ldc, trans_c and per-column arrays
// refer to the whole result). Packs A once on the calling thread, then splits rows and columns
// over the pool.
void u8s8_multiply(ThreadPool& pool, int64_t rows, const uint8_t* A, int64_t lda, bool transA, const PackedWeights& w,
                   const U8S8Epilogue& ep);
// The same for A given as w.K() row pointers of its transpose: a_rows[k] holds the `rows`
// bytes a[0..rows, k] (pack_a_rows), e.g. a convolution's input planes without an im2col copy;
// row sums only packed when the weights need them.
void u8s8_multiply_rows(ThreadPool& pool, int64_t rows, const uint8_t* const* a_rows, const PackedWeights& w,
                        const U8S8Epilogue& ep);
// The same on the calling thread only (callers that split the work themselves).
void u8s8_multiply_rows_here(int64_t rows, const uint8_t* const* a_rows, const PackedWeights& w, const U8S8Epilogue& ep);

// A one-element 8-bit zero point as int32 (absent: 0). Throws naming `what` for other shapes.
int32_t scalar_zero_point(const ops::KernelContext& ctx, size_t i, const std::string& who, const char* what);
// A one-element float32 scale. Throws naming `what` for other shapes or types.
float scalar_scale(const ops::KernelContext& ctx, size_t i, const std::string& who, const char* what);
// A float32 scale with one element or `n` elements, as n floats.
std::vector<float> channel_scales(const Tensor& t, int64_t n, const std::string& who, const char* what);

// The requantization multipliers float(float(a_scale * b_scale[j]) / y_scale), rounded in float
// as the reference ops compute them, for n columns.
std::vector<float> requant_multipliers(float a_scale, const std::vector<float>& b_scale, float y_scale);

// "<what>:<micro-kernel>" for profiles, e.g. "qlinear_matmul:u8s8_gemm_6x16__avx2".
std::string path_name(const char* what, const U8S8GemmKernels& k);

}  // namespace ember::backends::quant
