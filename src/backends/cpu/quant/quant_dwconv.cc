// Native depthwise ConvInteger / QLinearConv (group == C == M, 2-D): one GEMM per channel would
// have N = 1 (one useful column of a 16-wide tile), so each channel plane is computed directly.
// In the shifted domain (x - x_zp) a padded tap contributes 0, so taps outside the input are
// skipped rather than padded; each (output row, tap) is one multiply-add over a contiguous run of
// output columns, which the compiler vectorizes for stride 1. Requantization is the u8s8 GEMM's
// (kernels::u8s8_detail::requant_row: in double, like the reference; SSE2 in this baseline file,
// where the per-output scalar form cost more than the 9 taps). Sums stay far inside int32 (the factories
// take kernels of at most kMaxDwTaps taps).
// Planes (image x channel) are split over the pool.
#include <algorithm>
#include <cmath>
#include <memory>

#include "backends/cpu/quant/quant_dwconv.h"
#include "kernels/generic/u8s8_gemm.h"
#include "ops/nn/window.h"
#include "support/error.h"

namespace ember::backends::quant {
namespace {


class QuantDwConvKernel final : public ops::Kernel {
 public:
  QuantDwConvKernel(const ir::Node& node, bool qlinear, const Tensor& w, std::vector<int32_t> w_zp,
                    std::vector<float> w_scale)
      : who_(node.describe()), qlinear_(qlinear), window_(ops::nn::WindowAttrs::parse(node, false)), C_(w.dim(0)),
        kh_(w.dim(2)), kw_(w.dim(3)), w_scale_(std::move(w_scale)),
        name_(qlinear ? "qlinear_dwconv__generic" : "conv_integer_dwconv__generic") {
    // Weights in the shifted domain, int32 (w - w_zp), [C, kh * kw].
    const int64_t taps = kh_ * kw_;
    w_.resize(size_t(C_ * taps));
    for (int64_t c = 0; c < C_; ++c) {
      const int32_t z = w_zp.empty() ? 0 : w_zp[w_zp.size() > 1 ? size_t(c) : 0];
      for (int64_t t = 0; t < taps; ++t) {
        const int64_t i = c * taps + t;
        const int32_t v = w.dtype() == DType::Int8 ? int32_t(w.data<int8_t>()[i]) : int32_t(w.data<uint8_t>()[i]);
        w_[size_t(i)] = v - z;
      }
    }
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::UInt8, TypeMismatch, who_, ": x must be uint8, given ", dtype_name(x.dtype()));
    EMBER_CHECK(x.rank() == 4 && x.dim(1) == C_, ShapeMismatch, who_, ": input x must be [N, ", C_, ", H, W], given ",
                dims_str(x.shape()));
    EMBER_CHECK(!ctx.has_input(2) || ctx.input(2).dtype() == DType::UInt8, TypeMismatch, who_,
                ": x_zero_point must be uint8 like the input, given ", dtype_name(ctx.input(2).dtype()));
    const Dims in = {x.dim(2), x.dim(3)};
    const ops::nn::Window win = ops::nn::resolve_window(window_, in, {kh_, kw_});
    const Dims out_shape = {x.dim(0), C_, win.out[0], win.out[1]};
    std::vector<float> mult;
    const int32_t* bias = nullptr;
    DType out = DType::Int32;
    double yz = 0;
    if (qlinear_) {
      const float xs = scalar_scale(ctx, 1, who_, "x_scale"), ys = scalar_scale(ctx, 6, who_, "y_scale");
      EMBER_CHECK(ys != 0.0f && std::isfinite(ys), InvalidArgument, who_, ": y_scale must be finite and non-zero");
      out = ctx.input(7).dtype();
      EMBER_CHECK(out == DType::UInt8 || out == DType::Int8, TypeMismatch, who_, ": y_zero_point must be int8 or uint8");
      mult = requant_multipliers(xs, w_scale_, ys);
      yz = scalar_zero_point(ctx, 7, who_, "y_zero_point");
      if (ctx.has_input(8)) {
        const Tensor& b = ctx.input(8);
        EMBER_CHECK(b.dtype() == DType::Int32 && b.rank() == 1 && b.dim(0) == C_, ShapeMismatch, who_,
                    ": B must be int32 of shape [", C_, "], given ", dtype_name(b.dtype()), " ", dims_str(b.shape()));
        bias = b.data<int32_t>();
      }
    }
    const int32_t xz = scalar_zero_point(ctx, 2, who_, "x_zero_point");
    Tensor& y = ctx.output(0, out, out_shape);
    if (y.numel() == 0) return;
    const int64_t H = in[0], W = in[1], OH = win.out[0], OW = win.out[1];
    const int64_t planes = x.dim(0) * C_;
    ctx.pool().parallel_for(planes, 1, [&](int64_t p0, int64_t p1) {
      std::vector<uint32_t> acc(static_cast<size_t>(OW));  // wraps like int32 arithmetic, without UB
      std::vector<float> row_mult(size_t(qlinear_ ? OW : 0));  // the channel's multiplier per column
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % C_;
        if (qlinear_) std::fill(row_mult.begin(), row_mult.end(), mult[size_t(c)]);
        const uint8_t* img = x.data<uint8_t>() + p * H * W;
        const int32_t* wc = w_.data() + c * kh_ * kw_;
        const uint32_t b = bias ? uint32_t(bias[c]) : 0u;
        for (int64_t oy = 0; oy < OH; ++oy) {
          // Wrapping start value: the bias, added like the reference's int32 arithmetic.
          std::fill(acc.begin(), acc.end(), b);
          for (int64_t ky = 0; ky < kh_; ++ky) {
            const int64_t iy = oy * win.stride[0] - win.pad_begin[0] + ky * win.dilation[0];
            if (iy < 0 || iy >= H) continue;
            const uint8_t* row = img + iy * W;
            for (int64_t kx = 0; kx < kw_; ++kx) {
              const int32_t wv = wc[ky * kw_ + kx];
              const int64_t sw = win.stride[1], off = kx * win.dilation[1] - win.pad_begin[1];
              // Output columns whose input column ox * sw + off lies inside [0, W).
              const int64_t ox0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
              const int64_t ox1 = std::min(OW, W - off <= 0 ? 0 : (W - off - 1) / sw + 1);
              // __restrict: uint8_t may alias anything, which would keep the loop scalar.
              uint32_t* __restrict a = acc.data();
              const uint8_t* __restrict r = row + off;
              if (sw == 1)
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += uint32_t((int32_t(r[ox]) - xz) * wv);
              else
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += uint32_t((int32_t(r[ox * sw]) - xz) * wv);
            }
          }
          const int64_t at = (p * OH + oy) * OW;
          const auto* sums = reinterpret_cast<const int32_t*>(acc.data());  // the wrapped int32 values
          if (out == DType::Int32)
            for (int64_t ox = 0; ox < OW; ++ox) y.data<int32_t>()[at + ox] = sums[ox];
          else if (out == DType::UInt8)
            kernels::u8s8_detail::requant_row<uint8_t>(sums, row_mult.data(), OW, yz, 0, 255, y.data<uint8_t>() + at);
          else
            kernels::u8s8_detail::requant_row<int8_t>(sums, row_mult.data(), OW, yz, -128, 127, y.data<int8_t>() + at);
        }
      }
    });
  }

 private:
  std::string who_;
  bool qlinear_;
  ops::nn::WindowAttrs window_;
  int64_t C_, kh_, kw_;
  std::vector<float> w_scale_;
  std::vector<int32_t> w_;
  std::string name_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_quant_dwconv(const ir::Node& node, bool qlinear, const Tensor& w,
                                               const Tensor* w_zp, std::vector<float> w_scale) {
  return std::make_unique<QuantDwConvKernel>(node, qlinear, w,
                                             zero_points(w_zp, w.dtype(), w.dim(0), node.describe(), "w_zero_point"),
                                             std::move(w_scale));
}

}  // namespace ember::backends::quant
