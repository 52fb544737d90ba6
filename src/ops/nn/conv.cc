// Conv (1-D, 2-D, 3-D ... with groups, strides, dilations, pads / auto_pad, optional bias)
// computed as im2col + GEMM per (image, group, tile of output positions). Tiling the output
// positions is what spreads a single-image convolution over the thread pool.
#include <algorithm>

#include "kernels/generic/gemm.h"
#include "kernels/generic/im2col.h"
#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/nn/window.h"

namespace ember::ops {
namespace {

using nn::Window;
using nn::WindowAttrs;

// Checks the channel arithmetic of X [N, C, ...], W [M, C/group, ...] and B [M].
void check_conv_shapes(const std::string& node, const Dims& x, const Dims& w, const Dims* b, int64_t group) {
  EMBER_CHECK(x.size() >= 3, ShapeMismatch, node, ": input X must be [N, C, D1, ...], given ", dims_str(x));
  EMBER_CHECK(w.size() == x.size(), ShapeMismatch, node, ": weight W of shape ", dims_str(w),
              " must have the same rank as X of shape ", dims_str(x));
  EMBER_CHECK(x[1] < 0 || w[1] < 0 || x[1] == w[1] * group, ShapeMismatch, node,
              ": input channels mismatch: W ", dims_str(w), " with group=", group, " expects C=",
              w[1] * group, ", given X ", dims_str(x), " with C=", x[1]);
  EMBER_CHECK(w[0] < 0 || w[0] % group == 0, ShapeMismatch, node, ": output channels M=", w[0],
              " of W are not divisible by group=", group);
  if (b)
    EMBER_CHECK(b->size() == 1 && (w[0] < 0 || (*b)[0] < 0 || (*b)[0] == w[0]), ShapeMismatch, node,
                ": bias B must have shape [", w[0], "], given ", dims_str(*b));
}

Dims dims_of(const TypeInfo& t) { return nn::spatial_dims(t, 0); }

void infer_conv(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& w = ctx.input_type(1);
  const std::string node = ctx.node().describe();
  EMBER_CHECK(x.dtype == w.dtype, TypeMismatch, node, ": W has type ", dtype_name(w.dtype),
              ", expected ", dtype_name(x.dtype), " (same as X)");
  if (!x.has_shape || !w.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(x.dtype));
  const int64_t group = ctx.node().attr_int("group", 1);
  const Dims xd = dims_of(x), wd = dims_of(w);
  Dims bd;
  const bool has_b = ctx.has_input(2) && ctx.input_type(2).has_shape;
  if (has_b) bd = dims_of(ctx.input_type(2));
  check_conv_shapes(node, xd, wd, has_b ? &bd : nullptr, group);
  const WindowAttrs at = WindowAttrs::parse(ctx.node(), false);
  const Window win = nn::resolve_window(at, Dims(xd.begin() + 2, xd.end()), Dims(wd.begin() + 2, wd.end()));
  TypeInfo out = TypeInfo::tensor(x.dtype, {});
  out.dims = {x.dims[0], w.dims[0]};
  for (int64_t o : win.out) out.dims.push_back(o >= 0 ? ir::Dim::of(o) : ir::Dim{});
  ctx.set_output(0, out);
}

class ConvKernel final : public Kernel {
 public:
  ConvKernel(const ir::Node& node, WindowAttrs at, int64_t group)
      : node_(node.describe()), at_(std::move(at)), group_(group) {}
  const char* name() const override { return "im2col_eigen"; }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    EMBER_CHECK(x.dtype() == w.dtype() && (!b || b->dtype() == x.dtype()), TypeMismatch, node_,
                ": X, W and B must share one element type, given ", dtype_name(x.dtype()), ", ",
                dtype_name(w.dtype()), (b ? std::string(", ") + dtype_name(b->dtype()) : ""));
    check_conv_shapes(node_, x.shape(), w.shape(), b ? &b->shape() : nullptr, group_);
    const Dims in(x.shape().begin() + 2, x.shape().end());
    const Window win = nn::resolve_window(at_, in, Dims(w.shape().begin() + 2, w.shape().end()));
    Dims out_shape = {x.dim(0), w.dim(0)};
    out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    if (y.numel() == 0) return;
    const kernels::ConvGeom g = nn::to_geom(win, in);
    switch (x.dtype()) {
      case DType::Float32:
        return compute<float>(ctx, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
                              y.data<float>(), x.dim(0), x.dim(1), w.dim(0), g);
      case DType::Float64:
        return compute<double>(ctx, x.data<double>(), w.data<double>(), b ? b->data<double>() : nullptr,
                               y.data<double>(), x.dim(0), x.dim(1), w.dim(0), g);
      case DType::Float16:
      case DType::BFloat16: {
        Tensor xf = nn::to_f32(x), wf = nn::to_f32(w), bf = b ? nn::to_f32(*b) : Tensor();
        Tensor yf(DType::Float32, out_shape);
        compute<float>(ctx, xf.data<float>(), wf.data<float>(), b ? bf.data<float>() : nullptr,
                       yf.data<float>(), x.dim(0), x.dim(1), w.dim(0), g);
        return nn::store_f32(yf, y);
      }
      default:
        fail(Status::Unsupported, node_, ": element type ", dtype_name(x.dtype()), " is not supported");
    }
  }

 private:
  template <class T>
  void compute(KernelContext& ctx, const T* X, const T* W, const T* B, T* Y, int64_t N, int64_t C,
               int64_t M, const kernels::ConvGeom& g) const {
    const int64_t G = group_, Cg = C / G, Mg = M / G;
    const int64_t S = g.out_size(), in_sz = g.in_size(), Kd = Cg * g.kernel_size();
    const bool pointwise = g.is_pointwise();
    // Enough tiles for every thread to have two, none narrower than 64 columns, and the
    // column buffer of one tile capped near 4 MiB.
    const int64_t units = N * G, want = 2 * int64_t(ctx.pool().threads());
    int64_t tw = std::max<int64_t>(64, (S * units + want - 1) / want);
    if (!pointwise) tw = std::min(tw, std::max<int64_t>(16, (int64_t(4) << 20) / int64_t(sizeof(T)) / std::max<int64_t>(Kd, 1)));
    tw = std::min(tw, S);
    const int64_t tiles = (S + tw - 1) / tw;
    auto one = [&](int64_t u, std::vector<T>& col, bool par) {
      const int64_t n = u / (G * tiles), grp = (u / tiles) % G, t = u % tiles;
      const int64_t s0 = t * tw, len = std::min(tw, S - s0);
      const T* img = X + (n * C + grp * Cg) * in_sz;
      const T* bm = img + s0;
      int64_t ldb = S;
      if (!pointwise) {
        col.resize(size_t(Kd * len));
        kernels::im2col<T>(img, Cg, g, s0, s0 + len, col.data());
        bm = col.data();
        ldb = len;
      }
      T* out = Y + (n * M + grp * Mg) * S + s0;
      const T* wg = W + grp * Mg * Kd;
      if (par) nn::parallel_gemm<T>(ctx.pool(), Mg, len, Kd, wg, Kd, false, bm, ldb, false, out, S, T(1), T(0));
      else kernels::gemm<T>(Mg, len, Kd, wg, Kd, false, bm, ldb, false, out, S, T(1), T(0));
      if (B)
        for (int64_t m = 0; m < Mg; ++m) {
          const T bias = B[grp * Mg + m];
          T* row = out + m * S;
          for (int64_t j = 0; j < len; ++j) row[j] += bias;
        }
    };
    if (units * tiles < int64_t(ctx.pool().threads())) {
      // Small spatial extent (deep layers: 7x7 outputs, many channels): too few tiles to go
      // round, so split each GEMM over its output channels instead.
      std::vector<T> col;
      for (int64_t u = 0; u < units * tiles; ++u) one(u, col, true);
      return;
    }
    ctx.pool().parallel_for(units * tiles, 1, [&](int64_t begin, int64_t end) {
      std::vector<T> col;
      for (int64_t u = begin; u < end; ++u) one(u, col, false);
    });
  }

  std::string node_;
  WindowAttrs at_;
  int64_t group_;
};

std::unique_ptr<Kernel> make_conv(const ir::Node& node, KernelFactoryContext&) {
  const int64_t group = node.attr_int("group", 1);
  EMBER_CHECK(group >= 1, InvalidModel, node.describe(), ": group must be >= 1, given ", group);
  return std::make_unique<ConvKernel>(node, WindowAttrs::parse(node, false), group);
}

}  // namespace

void add_conv_ops(OpRegistry& r) {
  r.add({"Conv", "", 1, 1 << 30, infer_conv, make_conv,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64}});
}

}  // namespace ember::ops
