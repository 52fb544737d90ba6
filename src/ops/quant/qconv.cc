// Integer convolutions, as reference loops (int32 accumulation, wrapping like the spec's int32
// arithmetic):
//   ConvInteger (10):  Y[int32] = conv(X - x_zp, W - w_zp)
//   QLinearConv (10):  Y = saturate(rint(conv(X - x_zp, W - w_zp) + B) * (x_scale * w_scale /
//                      y_scale)) + y_zp)   (rint: ties to even)
// x_zp, x_scale, y_scale and y_zp are per-tensor; w_zp (and w_scale for QLinearConv) may be
// per-tensor or 1-D with one entry per output channel. Padding is zero in the shifted domain,
// i.e. a padded tap contributes nothing, as in the reference. The window attributes (pads,
// strides, dilations, auto_pad, kernel_shape) are parsed and resolved by nn/window.h, the
// same code the float Conv uses.
#include <cmath>

#include "ops/nn/window.h"
#include "ops/op_util.h"
#include "ops/quant/quant_ops.h"

namespace ember::ops::quant {
namespace {

using nn::Window;
using nn::WindowAttrs;

bool is_8bit(DType t) { return t == DType::Int8 || t == DType::UInt8; }

int32_t load_q(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int8 ? int32_t(t.data<int8_t>()[i]) : int32_t(t.data<uint8_t>()[i]);
}

// Wraps like int32 arithmetic (no signed-overflow UB on the way).
int32_t wrap32(int64_t v) { return int32_t(uint32_t(uint64_t(v))); }

// X [N, C, D...] and W [M, C/group, k...]: ranks and channel arithmetic.
void check_shapes(const std::string& who, const Dims& x, const Dims& w, int64_t group) {
  EMBER_CHECK(x.size() >= 3, ShapeMismatch, who, ": input x must be [N, C, D1, ...], given ", dims_str(x));
  EMBER_CHECK(w.size() == x.size(), ShapeMismatch, who, ": weight w of shape ", dims_str(w),
              " must have the same rank as x of shape ", dims_str(x));
  EMBER_CHECK(x[1] < 0 || w[1] < 0 || x[1] == w[1] * group, ShapeMismatch, who, ": input channels mismatch: w ",
              dims_str(w), " with group=", group, " expects C=", w[1] * group, ", given x ", dims_str(x));
  EMBER_CHECK(w[0] < 0 || w[0] % group == 0, ShapeMismatch, who, ": output channels M=", w[0],
              " of w are not divisible by group=", group);
}

// A quantization parameter that is one value per tensor or one per output channel.
std::vector<double> per_channel(const Tensor* t, int64_t M, const std::string& who, const char* what,
                                bool allow_per_channel, double dflt) {
  if (!t) return std::vector<double>(size_t(M), dflt);
  const bool scalar = t->numel() == 1 && t->rank() <= 1;
  const bool vec = allow_per_channel && t->rank() == 1 && t->dim(0) == M;
  EMBER_CHECK(scalar || vec, ShapeMismatch, who, ": ", what, " of shape ", dims_str(t->shape()),
              allow_per_channel ? " must be a scalar or 1-D of length M=" : " must be a scalar",
              allow_per_channel ? std::to_string(M) : std::string());
  std::vector<double> v(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; ++m) {
    const int64_t i = scalar ? 0 : m;
    switch (t->dtype()) {
      case DType::Int8: case DType::UInt8: v[size_t(m)] = load_q(*t, i); break;
      case DType::Float32: v[size_t(m)] = double(t->data<float>()[i]); break;
      default: fail(Status::TypeMismatch, who, ": ", what, " has unsupported type ", dtype_name(t->dtype()));
    }
  }
  return v;
}

// acc[n, m, out...] = sum over (c, taps) of (x - xz) * (w - wz[m]), wrapped to int32.
std::vector<int32_t> int_conv(const Tensor& x, const Tensor& w, int32_t xz, const std::vector<double>& wz,
                              const Window& win, int64_t group) {
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = group, Cg = C / G, Mg = M / G;
  const size_t nd = win.nd();
  int64_t S = 1, K = 1, I = 1;
  for (size_t d = 0; d < nd; ++d) {
    S *= win.out[d];
    K *= win.kernel[d];
    I *= x.dim(int64_t(d) + 2);
  }
  std::vector<int32_t> acc(size_t(N * M * S));
  Dims o(nd), k(nd);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      const int64_t g = m / Mg;
      const int32_t wzm = int32_t(wz[size_t(m)]);
      for (int64_t s = 0; s < S; ++s) {
        for (int64_t r = s, d = int64_t(nd) - 1; d >= 0; --d) { o[size_t(d)] = r % win.out[size_t(d)]; r /= win.out[size_t(d)]; }
        int64_t sum = 0;
        for (int64_t c = 0; c < Cg; ++c) {
          const int64_t xbase = (n * C + g * Cg + c) * I, wbase = (m * Cg + c) * K;
          for (int64_t t = 0; t < K; ++t) {
            for (int64_t r = t, d = int64_t(nd) - 1; d >= 0; --d) { k[size_t(d)] = r % win.kernel[size_t(d)]; r /= win.kernel[size_t(d)]; }
            int64_t off = 0;
            bool inside = true;
            for (size_t d = 0; d < nd && inside; ++d) {
              const int64_t p = o[d] * win.stride[d] - win.pad_begin[d] + k[d] * win.dilation[d];
              const int64_t extent = x.dim(int64_t(d) + 2);
              inside = p >= 0 && p < extent;
              off = off * extent + p;
            }
            if (inside) sum += int64_t(load_q(x, xbase + off) - xz) * int64_t(load_q(w, wbase + t) - wzm);
          }
        }
        acc[size_t((n * M + m) * S + s)] = wrap32(sum);
      }
    }
  return acc;
}

// Shared by both ops: shape checks, window resolution and the output shape.
Window prepare(const std::string& who, const WindowAttrs& at, const Tensor& x, const Tensor& w, int64_t group,
               Dims& out_shape) {
  EMBER_CHECK(is_8bit(x.dtype()) && is_8bit(w.dtype()), TypeMismatch, who, ": x and w must be int8 or uint8, given ",
              dtype_name(x.dtype()), " and ", dtype_name(w.dtype()));
  check_shapes(who, x.shape(), w.shape(), group);
  const Window win = nn::resolve_window(at, Dims(x.shape().begin() + 2, x.shape().end()),
                                        Dims(w.shape().begin() + 2, w.shape().end()));
  out_shape = {x.dim(0), w.dim(0)};
  out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());
  return win;
}

int32_t scalar_zp(const Tensor* t, const std::string& who, const char* what, DType want) {
  if (!t) return 0;
  EMBER_CHECK(t->dtype() == want, TypeMismatch, who, ": ", what, " has type ", dtype_name(t->dtype()),
              ", expected ", dtype_name(want));
  return int32_t(per_channel(t, 1, who, what, false, 0)[0]);
}

class ConvIntegerKernel final : public Kernel {
 public:
  ConvIntegerKernel(const ir::Node& n, int64_t group)
      : who_(n.describe()), at_(WindowAttrs::parse(n, false)), group_(group) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    Dims shape;
    const Window win = prepare(who_, at_, x, w, group_, shape);
    const int32_t xz = scalar_zp(ctx.has_input(2) ? &ctx.input(2) : nullptr, who_, "x_zero_point", x.dtype());
    const Tensor* wzt = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    EMBER_CHECK(!wzt || wzt->dtype() == w.dtype(), TypeMismatch, who_, ": w_zero_point type differs from w");
    const auto wz = per_channel(wzt, w.dim(0), who_, "w_zero_point", true, 0);
    Tensor& y = ctx.output(0, DType::Int32, shape);
    if (y.numel() == 0) return;
    const auto acc = int_conv(x, w, xz, wz, win, group_);
    std::copy(acc.begin(), acc.end(), y.data<int32_t>());
  }

 private:
  std::string who_;
  WindowAttrs at_;
  int64_t group_;
};

// The scale product is rounded to float32 as the reference computes it in the scales' type,
// then applied in double.
class QLinearConvKernel final : public Kernel {
 public:
  QLinearConvKernel(const ir::Node& n, int64_t group)
      : who_(n.describe()), at_(WindowAttrs::parse(n, false)), group_(group) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    Dims shape;
    const Window win = prepare(who_, at_, x, w, group_, shape);
    const int64_t M = w.dim(0);
    for (size_t i : {1, 4, 6})
      EMBER_CHECK(ctx.input(i).dtype() == DType::Float32, TypeMismatch, who_, ": scales must be float32, input ", i,
                  " has type ", dtype_name(ctx.input(i).dtype()));
    const double xs = per_channel(&ctx.input(1), 1, who_, "x_scale", false, 1)[0];
    const auto ws = per_channel(&ctx.input(4), M, who_, "w_scale", true, 1);
    const double ys = per_channel(&ctx.input(6), 1, who_, "y_scale", false, 1)[0];
    const int32_t xz = scalar_zp(&ctx.input(2), who_, "x_zero_point", x.dtype());
    EMBER_CHECK(ctx.input(5).dtype() == w.dtype(), TypeMismatch, who_, ": w_zero_point type differs from w");
    const auto wz = per_channel(&ctx.input(5), M, who_, "w_zero_point", true, 0);
    const Tensor& yzt = ctx.input(7);
    EMBER_CHECK(is_8bit(yzt.dtype()), TypeMismatch, who_, ": y_zero_point must be int8 or uint8");
    const double yz = per_channel(&yzt, 1, who_, "y_zero_point", false, 0)[0];
    EMBER_CHECK(ys != 0.0 && std::isfinite(ys), InvalidArgument, who_, ": y_scale must be finite and non-zero");
    std::vector<int32_t> bias(size_t(M), 0);
    if (ctx.has_input(8)) {
      const Tensor& b = ctx.input(8);
      EMBER_CHECK(b.dtype() == DType::Int32, TypeMismatch, who_, ": B must be int32, given ", dtype_name(b.dtype()));
      EMBER_CHECK(b.rank() == 1 && b.dim(0) == M, ShapeMismatch, who_, ": B must have shape [", M, "], given ",
                  dims_str(b.shape()));
      std::copy(b.data<int32_t>(), b.data<int32_t>() + M, bias.begin());
    }
    const DType out = yzt.dtype();
    Tensor& y = ctx.output(0, out, shape);
    if (y.numel() == 0) return;
    const auto acc = int_conv(x, w, xz, wz, win, group_);
    const int64_t S = y.numel() / (shape[0] * M);
    const double lo = out == DType::Int8 ? -128 : 0, hi = out == DType::Int8 ? 127 : 255;
    for (int64_t m = 0; m < M; ++m) {
      const double f = double(float(double(float(xs * ws[size_t(m)])) / ys));
      for (int64_t n = 0; n < shape[0]; ++n)
        for (int64_t s = 0; s < S; ++s) {
          const int64_t i = (n * M + m) * S + s;
          const int32_t a = wrap32(int64_t(acc[size_t(i)]) + bias[size_t(m)]);
          const double v = std::min(hi, std::max(lo, std::nearbyint(double(a) * f) + yz));
          if (out == DType::Int8) y.data<int8_t>()[i] = int8_t(v);
          else y.data<uint8_t>()[i] = uint8_t(v);
        }
    }
  }

 private:
  std::string who_;
  WindowAttrs at_;
  int64_t group_;
};

// Output type and, when shapes are known, the spatial output size from the shared window code.
void infer_qconv(InferContext& ctx, size_t w_index, DType out) {
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& w = ctx.input_type(w_index);
  if (!x.has_shape || !w.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(out));
  const int64_t group = ctx.node().attr_int("group", 1);
  const Dims xd = nn::spatial_dims(x, 0), wd = nn::spatial_dims(w, 0);
  check_shapes(ctx.node().describe(), xd, wd, group);
  const Window win = nn::resolve_window(WindowAttrs::parse(ctx.node(), false), Dims(xd.begin() + 2, xd.end()),
                                        Dims(wd.begin() + 2, wd.end()));
  TypeInfo t = TypeInfo::tensor(out, {});
  t.dims = {x.dims[0], w.dims[0]};
  for (int64_t o : win.out) t.dims.push_back(o >= 0 ? ir::Dim::of(o) : ir::Dim{});
  ctx.set_output(0, t);
}

void infer_conv_integer(InferContext& ctx) { infer_qconv(ctx, 1, DType::Int32); }
void infer_qlinear_conv(InferContext& ctx) { infer_qconv(ctx, 3, ctx.input_type(7).dtype); }

template <class K>
std::unique_ptr<Kernel> make(const ir::Node& n, KernelFactoryContext&) {
  const int64_t group = n.attr_int("group", 1);
  EMBER_CHECK(group >= 1, InvalidModel, n.describe(), ": group must be >= 1, given ", group);
  return std::make_unique<K>(n, group);
}

}  // namespace

void add_qconv_ops(OpRegistry& r) {
  r.add(OpSchema{"ConvInteger", "", 10, 1 << 30, &infer_conv_integer, &make<ConvIntegerKernel>,
                 {DType::Int8, DType::UInt8}});
  r.add(OpSchema{"QLinearConv", "", 10, 1 << 30, &infer_qlinear_conv, &make<QLinearConvKernel>,
                 {DType::Int8, DType::UInt8}});
}

}  // namespace ember::ops::quant
