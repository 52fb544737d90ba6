// Native per-tensor QuantizeLinear (float32 -> uint8/int8), DequantizeLinear (uint8/int8/int32
// -> float32) and DynamicQuantizeLinear, split over the pool, written as branch-free loops the
// compiler vectorizes (rounding to nearest-even through the 1.5 * 2^23 trick rather than a
// nearbyint call, which the baseline ISA cannot vectorize). Rounding and saturation follow the
// reference kernels in src/ops/quant exactly. Per-axis / blocked scales, float16 inputs and
// other output types run the reference kernel (at creation when the types say so, else at run
// time when a scale turns out not to be a single value).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/quant_ops.h"
#include "backends/cpu/quant/quantize_vec.h"
#include "backends/cpu/vector/vector_util.h"
#include "support/error.h"

namespace ember::backends::quant {
namespace {

using gemm_conv::has_input;

constexpr int64_t kGrain = 32768;

// float(x - zp) * s; the difference in int32 for 8-bit types (vectorizes), int64 for int32.
template <class T>
void dequantize(int64_t n, const T* x, float s, T zp, float* y) {
  using D = std::conditional_t<sizeof(T) == 1, int32_t, int64_t>;
  for (int64_t i = 0; i < n; ++i) y[i] = float(D(x[i]) - D(zp)) * s;
}

struct Range {
  float lo, hi;  // min(0, x...), max(0, x...) when there is no NaN
  bool nan;
};

// The range of x[0, n) extended to 0, and whether it holds a NaN (then lo/hi mean nothing).
// SSE2 on x86 for the same reason as quantize(): the plain loop stayed scalar.
inline Range range_with_zero(const float* x, int64_t n) {
  float mn = 0.0f, mx = 0.0f;
  bool bad = false;
  int64_t i = 0;
#if defined(__SSE2__)
  __m128 vmn = _mm_setzero_ps(), vmx = _mm_setzero_ps(), vnan = _mm_setzero_ps();
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    vmn = _mm_min_ps(vmn, v);
    vmx = _mm_max_ps(vmx, v);
    vnan = _mm_or_ps(vnan, _mm_cmpunord_ps(v, v));
  }
  alignas(16) float a[4], b[4];
  _mm_store_ps(a, vmn);
  _mm_store_ps(b, vmx);
  for (int j = 0; j < 4; ++j) {
    mn = std::min(mn, a[j]);
    mx = std::max(mx, b[j]);
  }
  bad = _mm_movemask_ps(vnan) != 0;
#endif
  for (; i < n; ++i) {
    mn = std::min(mn, x[i]);
    mx = std::max(mx, x[i]);
    bad |= x[i] != x[i];
  }
  return {mn, mx, bad};
}

class QuantizeKernel final : public ops::Kernel {
 public:
  explicit QuantizeKernel(const ir::Node& node)
      : who_(node.describe()), fallback_(vector::reference_kernel(node)) {}
  const char* name() const override { return "quantize_linear:per_tensor"; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    const bool has_zp = ctx.has_input(2);
    const DType out = has_zp ? ctx.input(2).dtype() : DType::UInt8;
    if (x.dtype() != DType::Float32 || s.dtype() != DType::Float32 || s.numel() != 1 ||
        (has_zp && ctx.input(2).numel() != 1) || (out != DType::UInt8 && out != DType::Int8))
      return fallback_->run(ctx);
    const float scale = s.data<float>()[0];
    EMBER_CHECK(scale != 0.0f, InvalidArgument, who_, ": y_scale element 0 is zero");
    const float zp = !has_zp ? 0.0f
                     : out == DType::Int8 ? float(ctx.input(2).data<int8_t>()[0])
                                          : float(ctx.input(2).data<uint8_t>()[0]);
    Tensor& y = ctx.output(0, out, x.shape());
    const float* xp = x.data<float>();
    vector::parallel(ctx, x.numel(), kGrain, [&](int64_t b, int64_t e) {
      if (out == DType::Int8) quantize(e - b, xp + b, scale, zp, y.data<int8_t>() + b);
      else quantize(e - b, xp + b, scale, zp, y.data<uint8_t>() + b);
    });
  }

 private:
  std::string who_;
  std::unique_ptr<ops::Kernel> fallback_;
};

class DequantizeKernel final : public ops::Kernel {
 public:
  explicit DequantizeKernel(const ir::Node& node)
      : who_(node.describe()), fallback_(vector::reference_kernel(node)) {}
  const char* name() const override { return "dequantize_linear:per_tensor"; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& s = ctx.input(1);
    const bool has_zp = ctx.has_input(2);
    const DType t = x.dtype();
    const bool int_type = t == DType::UInt8 || t == DType::Int8 || t == DType::Int32;
    if (!int_type || s.dtype() != DType::Float32 || s.numel() != 1 ||
        (has_zp && (ctx.input(2).numel() != 1 || ctx.input(2).dtype() != t)))
      return fallback_->run(ctx);
    const float scale = s.data<float>()[0];
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    float* yp = y.data<float>();
    vector::parallel(ctx, x.numel(), kGrain, [&](int64_t b, int64_t e) {
      const int64_t n = e - b;
      if (t == DType::UInt8)
        dequantize(n, x.data<uint8_t>() + b, scale, has_zp ? ctx.input(2).data<uint8_t>()[0] : uint8_t(0), yp + b);
      else if (t == DType::Int8)
        dequantize(n, x.data<int8_t>() + b, scale, has_zp ? ctx.input(2).data<int8_t>()[0] : int8_t(0), yp + b);
      else
        dequantize(n, x.data<int32_t>() + b, scale, has_zp ? ctx.input(2).data<int32_t>()[0] : 0, yp + b);
    });
  }

 private:
  std::string who_;
  std::unique_ptr<ops::Kernel> fallback_;
};

// uint8 quantization with the scale and zero point taken from x's range (extended to 0).
class DynamicQuantizeKernel final : public ops::Kernel {
 public:
  explicit DynamicQuantizeKernel(const ir::Node& node) : who_(node.describe()) {}
  const char* name() const override { return "dynamic_quantize_linear"; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::Float32, Unsupported, who_, ": x of type ", dtype_name(x.dtype()),
                " is not supported (float32 only)");
    const float* p = x.data<float>();
    const int64_t n = x.numel();
    // Per-chunk ranges, combined afterwards (chunks may run on any thread).
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(64, n / kGrain));
    std::vector<float> lo(size_t(chunks), 0.0f), hi(size_t(chunks), 0.0f);
    std::vector<uint8_t> nan(size_t(chunks), 0);
    const int64_t per = (n + chunks - 1) / chunks;
    vector::parallel(ctx, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t e = std::min(n, (c + 1) * per);
        const Range r = range_with_zero(p + c * per, std::max<int64_t>(0, e - c * per));
        lo[size_t(c)] = r.lo;
        hi[size_t(c)] = r.hi;
        nan[size_t(c)] = r.nan;
      }
    });
    float mn = 0.0f, mx = 0.0f;
    for (int64_t c = 0; c < chunks; ++c) {
      EMBER_CHECK(!nan[size_t(c)], InvalidArgument, who_, ": x contains NaN");
      mn = std::min(mn, lo[size_t(c)]);
      mx = std::max(mx, hi[size_t(c)]);
    }
    const float scale = (mx == mn ? 1.0f : (mx - mn)) / 255.0f;
    const float zp = std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - mn / scale)));
    Tensor& y = ctx.output(0, DType::UInt8, x.shape());
    uint8_t* yp = y.data<uint8_t>();
    vector::parallel(ctx, n, kGrain, [&](int64_t b, int64_t e) { quantize(e - b, p + b, scale, zp, yp + b); });
    if (ctx.output_count() > 1 && ctx.wants_output(1)) *ctx.output(1, DType::Float32, {}).data<float>() = scale;
    if (ctx.output_count() > 2 && ctx.wants_output(2)) *ctx.output(2, DType::UInt8, {}).data<uint8_t>() = uint8_t(zp);
  }

 private:
  std::string who_;
};

bool input_f32(const ir::Node& node, size_t i) { return has_input(node, i) && node.inputs[i]->type.dtype == DType::Float32; }

}  // namespace

std::unique_ptr<ops::Kernel> make_quantize_linear(const ir::Node& node, const runtime::BackendOptions&) {
  // Blocked scales (opset 21), explicit output types, non-float32 inputs: the reference.
  if (node.attr_int("block_size", 0) != 0 || node.has_attr("output_dtype") || node.has_attr("precision")) return nullptr;
  if (!input_f32(node, 0) || !input_f32(node, 1)) return nullptr;
  return std::make_unique<QuantizeKernel>(node);
}

std::unique_ptr<ops::Kernel> make_dequantize_linear(const ir::Node& node, const runtime::BackendOptions&) {
  if (node.attr_int("block_size", 0) != 0 || node.has_attr("output_dtype") || !input_f32(node, 1)) return nullptr;
  return std::make_unique<DequantizeKernel>(node);
}

std::unique_ptr<ops::Kernel> make_dynamic_quantize_linear(const ir::Node& node, const runtime::BackendOptions&) {
  if (!input_f32(node, 0)) return nullptr;
  return std::make_unique<DynamicQuantizeKernel>(node);
}

}  // namespace ember::backends::quant
