// Native depthwise ConvInteger / QLinearConv (group == C == M, 2-D): one GEMM per channel would
// have N = 1 (one useful column of a 16-wide tile), so each channel plane goes to the int8
// depthwise kernel (kernels/dispatch/u8s8_dwconv.h: generic loops, AVX2 or AVX-512BW with two
// kernel rows per vpmaddwd), which also requantizes (in double, like the reference). Weights are
// shifted (w - w_zp) once here. Sums stay far inside int32 (the factories take kernels of at most
// kMaxDwTaps taps). Planes (image x channel) are split over the pool.
#include <algorithm>
#include <cmath>
#include <memory>

#include "backends/cpu/quant/quant_dwconv.h"
#include "kernels/dispatch/u8s8_dwconv.h"
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
        k_(kernels::u8s8_dwconv_kernels()),
        name_(std::string(qlinear ? "qlinear_dwconv:" : "conv_integer_dwconv:") + k_.name) {
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
    int32_t yz = 0;
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
    kernels::U8S8DwShape sh;
    sh.H = in[0], sh.W = in[1], sh.OH = win.out[0], sh.OW = win.out[1], sh.kh = kh_, sh.kw = kw_;
    sh.stride_h = win.stride[0], sh.stride_w = win.stride[1], sh.dil_h = win.dilation[0], sh.dil_w = win.dilation[1];
    sh.pad_top = win.pad_begin[0], sh.pad_left = win.pad_begin[1];
    const int64_t planes = x.dim(0) * C_, in_plane = sh.H * sh.W, out_plane = sh.OH * sh.OW;
    const size_t esize = out == DType::Int32 ? 4 : 1;
    const kernels::QuantOut qout = out == DType::Int32   ? kernels::QuantOut::Int32
                                   : out == DType::UInt8 ? kernels::QuantOut::UInt8
                                                         : kernels::QuantOut::Int8;
    ctx.pool().parallel_for(planes, 1, [&](int64_t p0, int64_t p1) {
      std::vector<uint64_t> scratch((k_.scratch_bytes(sh) + 7) / 8 + 8);  // 8-byte units; aligned to 64 below
      void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
      std::vector<float> row_mult(size_t(qlinear_ ? sh.OW + kernels::kDwRowSlack : 0));  // the channel's multiplier
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % C_;
        if (qlinear_) std::fill(row_mult.begin(), row_mult.end(), mult[size_t(c)]);
        kernels::U8S8DwOut o;
        o.out = qout;
        o.y = static_cast<uint8_t*>(y.raw()) + size_t(p * out_plane) * esize;
        o.row_mult = row_mult.data();
        o.y_zero_point = int32_t(yz);
        k_.plane(sh, x.data<uint8_t>() + p * in_plane, xz, w_.data() + c * kh_ * kw_, bias ? bias[c] : 0, o, aligned);
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
  const kernels::U8S8DwConvKernels& k_;
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
