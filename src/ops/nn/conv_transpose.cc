// ConvTranspose: the adjoint of Conv. Per (image, group) it computes col = W_g^T * X_g (a
// GEMM) and scatters the columns onto the output with col2im, so the same im2col geometry
// serves both directions (the output plays the role of Conv's input).
#include <algorithm>

#include "kernels/generic/gemm.h"
#include "kernels/generic/im2col.h"
#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/nn/window.h"

namespace ember::ops {
namespace {

using nn::AutoPad;
using nn::WindowAttrs;

struct TransposeAttrs {
  WindowAttrs win;
  Dims output_padding, output_shape;
  int64_t group = 1;
};

struct TransposeGeom {
  Dims out;                 // output spatial sizes
  kernels::ConvGeom geom;   // in = output spatial, out = X spatial
};

// X [N, C, ...], W [C, M/group, k...], B [M].
void check_shapes(const std::string& node, const Dims& x, const Dims& w, const Dims* b, int64_t group) {
  EMBER_CHECK(x.size() >= 3, ShapeMismatch, node, ": input X must be [N, C, D1, ...], given ", dims_str(x));
  EMBER_CHECK(w.size() == x.size(), ShapeMismatch, node, ": weight W of shape ", dims_str(w),
              " must have the same rank as X of shape ", dims_str(x));
  EMBER_CHECK(x[1] < 0 || w[0] < 0 || x[1] == w[0], ShapeMismatch, node,
              ": input channels mismatch: W ", dims_str(w), " expects C=", w[0], ", given X ",
              dims_str(x), " with C=", x[1]);
  EMBER_CHECK(w[0] < 0 || w[0] % group == 0, ShapeMismatch, node, ": input channels C=", w[0],
              " are not divisible by group=", group);
  if (b)
    EMBER_CHECK(b->size() == 1 && (w[1] < 0 || (*b)[0] < 0 || (*b)[0] == w[1] * group), ShapeMismatch,
                node, ": bias B must have shape [", w[1] * group, "], given ", dims_str(*b));
}

// Output sizes and begin pads per the ONNX formulas; -1 where an input size is unknown.
TransposeGeom resolve(const TransposeAttrs& a, const Dims& in, const Dims& k) {
  const std::string& node = a.win.node;
  const size_t nd = in.size();
  // resolve_window validates the attribute lengths and kernel_shape; its output is unused.
  const nn::Window w = nn::resolve_window(WindowAttrs{a.win.node, AutoPad::Valid, a.win.kernel, a.win.strides,
                                                      a.win.dilations, {}, false},
                                          Dims(nd, -1), k);
  EMBER_CHECK(a.win.pads.empty() || a.win.pads.size() == 2 * nd, InvalidModel, node, ": attribute 'pads' has ",
              a.win.pads.size(), " values, expected ", 2 * nd);
  EMBER_CHECK(a.output_padding.empty() || a.output_padding.size() == nd, InvalidModel, node,
              ": attribute 'output_padding' has ", a.output_padding.size(), " values, expected ", nd);
  EMBER_CHECK(a.output_shape.empty() || a.output_shape.size() == nd || a.output_shape.size() == nd + 2,
              InvalidModel, node, ": attribute 'output_shape' has ", a.output_shape.size(),
              " values, expected ", nd);
  TransposeGeom t;
  t.out.assign(nd, -1);
  t.geom.nd = int(nd);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t s = w.stride[i], eff = (k[i] - 1) * w.dilation[i] + 1;
    const int64_t op = a.output_padding.empty() ? 0 : a.output_padding[i];
    EMBER_CHECK(op >= 0 && op < std::max(s, w.dilation[i]), InvalidModel, node, ": output_padding ", op,
                " must be smaller than the stride or dilation");
    int64_t pb = 0, pe = 0;
    const bool same = a.win.auto_pad == AutoPad::SameUpper || a.win.auto_pad == AutoPad::SameLower;
    if (!a.output_shape.empty() || same) {
      if (in[i] < 0) continue;
      const int64_t out = !a.output_shape.empty() ? a.output_shape[a.output_shape.size() - nd + i] : in[i] * s;
      // total is negative when output_shape asks for more than the full result; the halving
      // then rounds toward -inf (as the ONNX reference does), so the extra lands at the end.
      const int64_t total = s * (in[i] - 1) + op + eff - out;
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      pb = a.win.auto_pad == AutoPad::SameUpper ? half : total - half;
      pe = total - pb;
    } else if (a.win.auto_pad == AutoPad::NotSet && !a.win.pads.empty()) {
      pb = a.win.pads[i];
      pe = a.win.pads[i + nd];
    }
    t.geom.kernel[i] = k[i];
    t.geom.stride[i] = s;
    t.geom.dilation[i] = w.dilation[i];
    t.geom.pad[i] = pb;
    t.geom.out[i] = in[i];
    if (in[i] < 0) continue;
    t.out[i] = s * (in[i] - 1) + op + eff - pb - pe;
    EMBER_CHECK(t.out[i] >= 0, ShapeMismatch, node, ": pads make output dimension ", i, " negative");
    t.geom.in[i] = t.out[i];
  }
  return t;
}

void infer_conv_transpose(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& w = ctx.input_type(1);
  const std::string node = ctx.node().describe();
  EMBER_CHECK(x.dtype == w.dtype, TypeMismatch, node, ": W has type ", dtype_name(w.dtype),
              ", expected ", dtype_name(x.dtype), " (same as X)");
  if (!x.has_shape || !w.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(x.dtype));
  TransposeAttrs a{WindowAttrs::parse(ctx.node(), false), ctx.node().attr_ints("output_padding"),
                   ctx.node().attr_ints("output_shape"), ctx.node().attr_int("group", 1)};
  const Dims xd = nn::spatial_dims(x, 0), wd = nn::spatial_dims(w, 0);
  Dims bd;
  const bool has_b = ctx.has_input(2) && ctx.input_type(2).has_shape;
  if (has_b) bd = nn::spatial_dims(ctx.input_type(2), 0);
  check_shapes(node, xd, wd, has_b ? &bd : nullptr, a.group);
  TypeInfo out = TypeInfo::tensor(x.dtype, {});
  out.dims = {x.dims[0], wd[1] >= 0 ? ir::Dim::of(wd[1] * a.group) : ir::Dim{}};
  const Dims k(wd.begin() + 2, wd.end());
  if (std::any_of(k.begin(), k.end(), [](int64_t v) { return v < 0; })) {
    out.dims.resize(xd.size());
  } else {
    const TransposeGeom t = resolve(a, Dims(xd.begin() + 2, xd.end()), k);
    for (int64_t o : t.out) out.dims.push_back(o >= 0 ? ir::Dim::of(o) : ir::Dim{});
  }
  ctx.set_output(0, out);
}

class ConvTransposeKernel final : public Kernel {
 public:
  explicit ConvTransposeKernel(TransposeAttrs a) : a_(std::move(a)) {}
  const char* name() const override { return "col2im_eigen"; }

  void run(KernelContext& ctx) const override {
    const std::string& node = a_.win.node;
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    EMBER_CHECK(x.dtype() == w.dtype() && (!b || b->dtype() == x.dtype()), TypeMismatch, node,
                ": X, W and B must share one element type, given ", dtype_name(x.dtype()), ", ",
                dtype_name(w.dtype()), (b ? std::string(", ") + dtype_name(b->dtype()) : ""));
    check_shapes(node, x.shape(), w.shape(), b ? &b->shape() : nullptr, a_.group);
    const TransposeGeom t = resolve(a_, Dims(x.shape().begin() + 2, x.shape().end()),
                                    Dims(w.shape().begin() + 2, w.shape().end()));
    Dims out_shape = {x.dim(0), w.dim(1) * a_.group};
    out_shape.insert(out_shape.end(), t.out.begin(), t.out.end());
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    if (y.numel() == 0) return;
    switch (x.dtype()) {
      case DType::Float32:
        return compute<float>(ctx, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
                              y.data<float>(), x.dim(0), x.dim(1), w.dim(1), t.geom);
      case DType::Float64:
        return compute<double>(ctx, x.data<double>(), w.data<double>(), b ? b->data<double>() : nullptr,
                               y.data<double>(), x.dim(0), x.dim(1), w.dim(1), t.geom);
      case DType::Float16:
      case DType::BFloat16: {
        Tensor xf = nn::to_f32(x), wf = nn::to_f32(w), bf = b ? nn::to_f32(*b) : Tensor();
        Tensor yf(DType::Float32, out_shape);
        compute<float>(ctx, xf.data<float>(), wf.data<float>(), b ? bf.data<float>() : nullptr,
                       yf.data<float>(), x.dim(0), x.dim(1), w.dim(1), t.geom);
        return nn::store_f32(yf, y);
      }
      default:
        fail(Status::Unsupported, node, ": element type ", dtype_name(x.dtype()), " is not supported");
    }
  }

 private:
  template <class T>
  void compute(KernelContext& ctx, const T* X, const T* W, const T* B, T* Y, int64_t N, int64_t C,
               int64_t Mg, const kernels::ConvGeom& g) const {
    const int64_t G = a_.group, Cg = C / G, M = Mg * G;
    const int64_t S_in = g.out_size(), S_out = g.in_size(), rows = Mg * g.kernel_size();
    const int64_t units = N * G;
    // Few (image, group) units: parallelise inside each one; many: one unit per task.
    const bool inner = units < 2 * int64_t(ctx.pool().threads());
    auto one = [&](int64_t u, std::vector<T>& col) {
      const int64_t n = u / G, grp = u % G;
      col.resize(size_t(rows * S_in));
      const T* xg = X + (n * C + grp * Cg) * S_in;
      const T* wg = W + grp * Cg * rows;
      T* yg = Y + (n * M + grp * Mg) * S_out;
      if (inner) nn::parallel_gemm<T>(ctx.pool(), rows, S_in, Cg, wg, rows, true, xg, S_in, false, col.data(), S_in, T(1), T(0));
      else kernels::gemm<T>(rows, S_in, Cg, wg, rows, true, xg, S_in, false, col.data(), S_in, T(1), T(0));
      auto scatter = [&](int64_t c0, int64_t c1) {
        for (int64_t m = c0; m < c1; ++m) std::fill(yg + m * S_out, yg + (m + 1) * S_out, B ? B[grp * Mg + m] : T(0));
        kernels::col2im_add<T>(col.data(), c0, c1, g, yg);
      };
      if (inner) ctx.pool().parallel_for(Mg, 1, scatter);
      else scatter(0, Mg);
    };
    if (inner) {
      std::vector<T> col;
      for (int64_t u = 0; u < units; ++u) one(u, col);
    } else {
      ctx.pool().parallel_for(units, 1, [&](int64_t s, int64_t e) {
        std::vector<T> col;
        for (int64_t u = s; u < e; ++u) one(u, col);
      });
    }
  }

  TransposeAttrs a_;
};

std::unique_ptr<Kernel> make_conv_transpose(const ir::Node& node, KernelFactoryContext&) {
  TransposeAttrs a{WindowAttrs::parse(node, false), node.attr_ints("output_padding"),
                   node.attr_ints("output_shape"), node.attr_int("group", 1)};
  EMBER_CHECK(a.group >= 1, InvalidModel, node.describe(), ": group must be >= 1, given ", a.group);
  return std::make_unique<ConvTransposeKernel>(std::move(a));
}

}  // namespace

void add_conv_transpose_ops(OpRegistry& r) {
  r.add({"ConvTranspose", "", 1, 1 << 30, infer_conv_transpose, make_conv_transpose,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
