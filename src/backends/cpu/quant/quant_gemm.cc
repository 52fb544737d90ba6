#include "backends/cpu/quant/quant_gemm.h"

#include <algorithm>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "support/error.h"

namespace ember::backends::quant {

namespace {

// gemm_conv::thread_scratch slot holding packed activations (that file's kernels use 0 and 2).
constexpr int kPackSlot = 1;

uint8_t* scratch_bytes(int slot, size_t bytes) {
  return reinterpret_cast<uint8_t*>(gemm_conv::thread_scratch(slot, (bytes + 3) / 4 + 1));
}

bool is_8bit(DType t) { return t == DType::Int8 || t == DType::UInt8; }

}  // namespace

PackedWeights::PackedWeights(const U8S8GemmKernels& k, int64_t K, int64_t N, DType b_dtype, const uint8_t* b_bytes,
                             int64_t ldb, bool transB, const std::vector<int32_t>& zp)
    : k_(&kernels::u8s8_gemm_kernels_for_weights(k, K, N, b_bytes, ldb, transB, b_dtype == DType::UInt8)),
      K_(K),
      N_(N) {
  data_.resize(k_->packed_b_size(K, N));
  k_->pack_b(K, N, b_bytes, ldb, transB, b_dtype == DType::UInt8, zp.empty() ? nullptr : zp.data(), zp.size() > 1,
           data_.data());
  // zb' = zb for int8 weights, zb - 128 for uint8 ones (kernels/dispatch/u8s8_gemm.h).
  const int32_t shift = b_dtype == DType::UInt8 ? 128 : 0;
  needs_row_sums_ = zp.empty() ? shift != 0 : std::any_of(zp.begin(), zp.end(), [&](int32_t z) { return z != shift; });
}

std::vector<int32_t> zero_points(const Tensor* zp, DType w_dtype, int64_t n, const std::string& who, const char* what) {
  EMBER_CHECK(is_8bit(w_dtype), TypeMismatch, who, ": weights must be int8 or uint8, given ", dtype_name(w_dtype));
  if (!zp) return {};
  EMBER_CHECK(zp->dtype() == w_dtype, TypeMismatch, who, ": ", what, " has type ", dtype_name(zp->dtype()),
              " but the weights have ", dtype_name(w_dtype));
  EMBER_CHECK(zp->numel() == 1 || (zp->rank() == 1 && zp->dim(0) == n), ShapeMismatch, who, ": ", what, " of shape ",
              dims_str(zp->shape()), " must have 1 or ", n, " elements");
  std::vector<int32_t> z(size_t(zp->numel()));
  for (int64_t i = 0; i < zp->numel(); ++i)
    z[size_t(i)] = w_dtype == DType::Int8 ? int32_t(zp->data<int8_t>()[i]) : int32_t(zp->data<uint8_t>()[i]);
  return z;
}

namespace {

// Packs A (pack(M, K, packed) with w's entry) once on the calling thread, then runs the product,
// split over the pool when it is big enough.
template <class Pack>
void multiply(ThreadPool* pool, int64_t M, const PackedWeights& w, const U8S8Epilogue& ep, const Pack& pack) {
  const int64_t N = w.N(), K = w.K();
  if (M <= 0 || N <= 0) return;
  const U8S8GemmKernels& k = w.kernels();
  const gemm_conv::Split s =
      pool ? gemm_conv::plan_split(M, N, K, k.mr, k.nr, true, true, pool->threads()) : gemm_conv::Split{};
  // Packed once here, read by every block: the calling thread waits in parallel_for, so its
  // scratch stays untouched until all blocks are done.
  uint8_t* pa = scratch_bytes(kPackSlot, k.packed_a_size(M, K));
  pack(M, K, pa);
  if (!pool || s.tasks() == 1) return k.gemm(M, N, K, 0, M, 0, N, pa, w.data(), ep);
  pool->parallel_for(s.tasks(), 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t m0 = (t / s.nt) * s.mb, n0 = (t % s.nt) * s.nb;
      k.gemm(M, N, K, m0, std::min(M, m0 + s.mb), n0, std::min(N, n0 + s.nb), pa, w.data(), ep);
    }
  });
}

}  // namespace

void u8s8_multiply(ThreadPool& pool, int64_t rows, const uint8_t* A, int64_t lda, bool transA, const PackedWeights& w,
                   const U8S8Epilogue& ep) {
  multiply(&pool, rows, w, ep, [&](int64_t M, int64_t K, uint8_t* pa) { w.kernels().pack_a(M, K, A, lda, transA, pa); });
}

void u8s8_multiply_rows_here(int64_t rows, const uint8_t* const* a_rows, const PackedWeights& w, const U8S8Epilogue& ep) {
  multiply(nullptr, rows, w, ep, [&](int64_t M, int64_t K, uint8_t* pa) {
    w.kernels().pack_a_rows(M, K, a_rows, w.needs_row_sums(), pa);
  });
}

void u8s8_multiply_rows(ThreadPool& pool, int64_t rows, const uint8_t* const* a_rows, const PackedWeights& w,
                        const U8S8Epilogue& ep) {
  multiply(&pool, rows, w, ep, [&](int64_t M, int64_t K, uint8_t* pa) {
    w.kernels().pack_a_rows(M, K, a_rows, w.needs_row_sums(), pa);
  });
}

int32_t scalar_zero_point(const ops::KernelContext& ctx, size_t i, const std::string& who, const char* what) {
  if (!ctx.has_input(i)) return 0;
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(is_8bit(t.dtype()), TypeMismatch, who, ": ", what, " must be int8 or uint8, given ", dtype_name(t.dtype()));
  EMBER_CHECK(t.numel() == 1, Unsupported, who, ": only a per-tensor (one-element) ", what,
              " is supported, given shape ", dims_str(t.shape()));
  return t.dtype() == DType::Int8 ? int32_t(t.data<int8_t>()[0]) : int32_t(t.data<uint8_t>()[0]);
}

std::vector<float> channel_scales(const Tensor& t, int64_t n, const std::string& who, const char* what) {
  EMBER_CHECK(t.dtype() == DType::Float32, TypeMismatch, who, ": ", what, " must be float32, given ",
              dtype_name(t.dtype()));
  const bool one = t.numel() == 1;
  EMBER_CHECK(one || (t.rank() == 1 && t.dim(0) == n), ShapeMismatch, who, ": ", what, " of shape ",
              dims_str(t.shape()), " must have 1 or ", n, " elements");
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) v[size_t(j)] = t.data<float>()[one ? 0 : j];
  return v;
}

float scalar_scale(const ops::KernelContext& ctx, size_t i, const std::string& who, const char* what) {
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(t.numel() == 1, Unsupported, who, ": only a per-tensor (one-element) ", what,
              " is supported, given shape ", dims_str(t.shape()));
  return channel_scales(t, 1, who, what)[0];
}

std::vector<float> requant_multipliers(float a_scale, const std::vector<float>& b_scale, float y_scale) {
  std::vector<float> m(b_scale.size());
  for (size_t j = 0; j < m.size(); ++j) {
    const float ab = float(double(a_scale) * double(b_scale[j]));  // exact product, rounded once
    m[j] = float(double(ab) / double(y_scale));
  }
  return m;
}

std::string path_name(const char* what, const U8S8GemmKernels& k) { return std::string(what) + ":" + k.name; }

}  // namespace ember::backends::quant
