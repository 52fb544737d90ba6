// RMSNormalization (opset 23): Y = X / sqrt(mean(X^2 over axes [axis, rank)) + epsilon) * Scale.
// Statistics are computed in double (stash_type 1 asks for at least float precision); the
// result is rounded once to X's type. Scale broadcasts unidirectionally to X (right-aligned).
#include <cmath>

#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

void check_stash(const ir::Node& node) {
  const int64_t s = node.attr_int("stash_type", 1);
  EMBER_CHECK(s == 1, Unsupported, node.describe(), ": stash_type=", s, " is not supported (only 1, float)");
}

void infer_rms_norm(InferContext& ctx) {
  check_stash(ctx.node());
  const TypeInfo& x = ctx.input_type(0);
  if (x.has_shape) normalize_axis(ctx.node().attr_int("axis", -1), int64_t(x.dims.size()), ctx.node());
  ctx.set_output(0, x);
}

class RmsNormKernel final : public Kernel {
 public:
  RmsNormKernel(const ir::Node& node, int64_t axis, double eps) : node_(node.describe()), axis_(axis), eps_(eps) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    attn::require_float(node_, "input X", x.dtype());
    attn::require_float(node_, "input scale", w.dtype());
    const int64_t rank = int64_t(x.rank());
    EMBER_CHECK(rank >= 1 && axis_ >= -rank && axis_ < rank, InvalidModel, node_, ": axis ", axis_,
                " is out of range for input of shape ", dims_str(x.shape()));
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    bool ok = w.rank() <= x.rank();
    for (size_t i = 0; ok && i < w.rank(); ++i) {
      const int64_t d = w.dim(w.rank() - 1 - i);
      ok = d == 1 || d == x.dim(x.rank() - 1 - i);
    }
    EMBER_CHECK(ok, ShapeMismatch, node_, ": scale of shape ", dims_str(w.shape()),
                " cannot be broadcast to X of shape ", dims_str(x.shape()));
    int64_t len = 1;
    for (int64_t i = axis; i < rank; ++i) len *= x.dim(size_t(i));
    const int64_t rows = len ? x.numel() / len : 0;
    const std::vector<double> xv = read_doubles(x), wv = read_doubles(w);
    std::vector<double> y(xv.size());
    const Dims ws = broadcast_strides(w.shape(), x.shape());
    StridedCounter it(x.shape(), {ws});
    std::vector<double> wfull(xv.size());
    for (size_t i = 0; i < wfull.size(); ++i, it.next()) wfull[i] = wv[size_t(it.offset(0))];
    for (int64_t r = 0; r < rows; ++r) {
      const double* xr = xv.data() + r * len;
      double ms = 0;
      for (int64_t i = 0; i < len; ++i) ms += xr[i] * xr[i];
      const double inv = 1.0 / std::sqrt(ms / double(len) + eps_);
      for (int64_t i = 0; i < len; ++i) y[size_t(r * len + i)] = xr[i] * inv * wfull[size_t(r * len + i)];
    }
    store_doubles(y.data(), ctx.output(0, x.dtype(), x.shape()));
  }

 private:
  std::string node_;
  int64_t axis_;
  double eps_;
};

std::unique_ptr<Kernel> make_rms_norm(const ir::Node& node, KernelFactoryContext&) {
  check_stash(node);
  const float eps = node.attr_float("epsilon", 1e-5f);
  EMBER_CHECK(std::isfinite(eps) && eps >= 0, InvalidModel, node.describe(), ": epsilon must be >= 0, given ", eps);
  return std::make_unique<RmsNormKernel>(node, node.attr_int("axis", -1), double(eps));
}

}  // namespace

void add_rms_norm_op(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"RMSNormalization", "", 23, 1 << 30, infer_rms_norm, make_rms_norm, f});
}

}  // namespace ember::ops
