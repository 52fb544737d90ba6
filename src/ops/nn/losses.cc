// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
//
// Both view the scores as [N, C, D] (D = product of the trailing dims, 1 when absent) and the
// target as [N, D]. Element (n, d) contributes loss = -w[t] * x[n, t, d] with t = target[n, d]
// and w[t] = weight[t] (1 without weights); an element whose target equals ignore_index
// contributes 0 and has weight 0. reduction: none keeps [N, d1, ...], sum adds, mean divides
// the sum by the sum of the weights of the contributing elements (their count when unweighted).
// SoftmaxCrossEntropyLoss is NLL applied to LogSoftmax(scores) over axis 1, and may also return
// that log-probability tensor.
#include <cmath>
#include <optional>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class Reduction { None, Sum, Mean };

struct LossAttrs {
  Reduction reduction = Reduction::Mean;
  std::optional<int64_t> ignore_index;
};

LossAttrs parse_attrs(const ir::Node& node) {
  LossAttrs a;
  const std::string r = node.attr_string("reduction", "mean");
  if (r == "none") a.reduction = Reduction::None;
  else if (r == "sum") a.reduction = Reduction::Sum;
  else if (r == "mean") a.reduction = Reduction::Mean;
  else fail(Status::InvalidModel, node.describe(), ": reduction must be none, sum or mean, given '", r, "'");
  if (node.has_attr("ignore_index")) a.ignore_index = node.attr_int("ignore_index");
  return a;
}

// Checks scores [N, C, ...], target [N, ...] (the same trailing dims) and weight [C].
void check_shapes(const std::string& node, const Dims& x, const Dims& t, const Dims* w) {
  EMBER_CHECK(x.size() >= 2, ShapeMismatch, node, ": scores must be [N, C, ...], given ", dims_str(x));
  bool ok = t.size() + 1 == x.size() && t[0] == x[0];
  for (size_t i = 1; ok && i < t.size(); ++i) ok = t[i] == x[i + 1];
  EMBER_CHECK(ok, ShapeMismatch, node, ": target shape ", dims_str(t), " does not match scores shape ",
              dims_str(x), " (expected [N, d1, ...])");
  if (w)
    EMBER_CHECK(w->size() == 1 && (*w)[0] == x[1], ShapeMismatch, node, ": weight must have shape [", x[1],
                "], given ", dims_str(*w));
}

// The loss from log-probabilities `lp` laid out [N, C, D] (D = inner); writes output 0.
void nll(KernelContext& ctx, const std::string& node, const LossAttrs& a, DType out_dtype,
         const std::vector<double>& lp, const Dims& xshape, const Tensor& target, const Tensor* weight) {
  const int64_t N = xshape[0], C = xshape[1];
  const int64_t D = N * C > 0 ? dims_numel(xshape) / (N * C) : 0;
  const std::vector<int64_t> t = target.to_int64_vector();
  const std::vector<double> w = weight ? read_doubles(*weight) : std::vector<double>();
  std::vector<double> loss(size_t(N * D));
  double wsum = 0, lsum = 0;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t d = 0; d < D; ++d) {
      const int64_t i = n * D + d, c = t[size_t(i)];
      if (a.ignore_index && c == *a.ignore_index) {
        loss[size_t(i)] = 0;
        continue;
      }
      EMBER_CHECK(c >= 0 && c < C, InvalidArgument, node, ": target value ", c, " at index ", i,
                  " is outside [0, ", C, ") and is not ignore_index");
      const double wc = weight ? w[size_t(c)] : 1.0;
      loss[size_t(i)] = -wc * lp[size_t((n * C + c) * D + d)];
      wsum += wc;
      lsum += loss[size_t(i)];
    }
  }
  if (a.reduction == Reduction::None) {
    Tensor& out = ctx.output(0, out_dtype, target.shape());
    store_doubles(loss, out);
    return;
  }
  // A mean over zero total weight is 0/0 = NaN, as in the onnx reference.
  const double v = a.reduction == Reduction::Sum ? lsum : lsum / wsum;
  Tensor& out = ctx.output(0, out_dtype, {});
  store_doubles({v}, out);
}

void check_types(const std::string& node, const Tensor& x, const Tensor& t, const Tensor* w) {
  EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node, ": scores have unsupported type ",
              dtype_name(x.dtype()));
  EMBER_CHECK(t.dtype() == DType::Int32 || t.dtype() == DType::Int64, TypeMismatch, node,
              ": target must be int32 or int64, given ", dtype_name(t.dtype()));
  if (w)
    EMBER_CHECK(w->dtype() == x.dtype(), TypeMismatch, node, ": weight type ", dtype_name(w->dtype()),
                " differs from the scores type ", dtype_name(x.dtype()));
}

class NllKernel final : public Kernel {
 public:
  NllKernel(const ir::Node& node) : node_(node.describe()), a_(parse_attrs(node)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    const Tensor* w = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    check_types(node_, x, t, w);
    check_shapes(node_, x.shape(), t.shape(), w ? &w->shape() : nullptr);
    nll(ctx, node_, a_, x.dtype(), read_doubles(x), x.shape(), t, w);
  }

 private:
  std::string node_;
  LossAttrs a_;
};

class SceKernel final : public Kernel {
 public:
  SceKernel(const ir::Node& node) : node_(node.describe()), a_(parse_attrs(node)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    const Tensor* w = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    check_types(node_, x, t, w);
    check_shapes(node_, x.shape(), t.shape(), w ? &w->shape() : nullptr);
    // log_softmax over C for every (n, d), in double.
    std::vector<double> lp = read_doubles(x);
    const int64_t N = x.dim(0), C = x.dim(1), D = N * C > 0 ? x.numel() / (N * C) : 0;
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t d = 0; d < D; ++d) {
        double mx = -INFINITY, sum = 0;
        for (int64_t c = 0; c < C; ++c) mx = std::max(mx, lp[size_t((n * C + c) * D + d)]);
        for (int64_t c = 0; c < C; ++c) sum += std::exp(lp[size_t((n * C + c) * D + d)] - mx);
        const double lse = mx + std::log(sum);
        for (int64_t c = 0; c < C; ++c) lp[size_t((n * C + c) * D + d)] -= lse;
      }
    }
    nll(ctx, node_, a_, x.dtype(), lp, x.shape(), t, w);
    if (ctx.output_count() > 1 && ctx.wants_output(1)) {
      Tensor& out = ctx.output(1, x.dtype(), x.shape());
      store_doubles(lp, out);
    }
  }

 private:
  std::string node_;
  LossAttrs a_;
};

void infer_loss(InferContext& ctx) {
  const std::string node = ctx.node().describe();
  const LossAttrs a = parse_attrs(ctx.node());
  const TypeInfo& x = ctx.input_type(0);
  const TypeInfo& t = ctx.input_type(1);
  EMBER_CHECK(!x.has_shape || x.dims.size() >= 2, ShapeMismatch, node, ": scores must be [N, C, ...], given ",
              x.str());
  EMBER_CHECK(!x.has_shape || !t.has_shape || t.dims.size() + 1 == x.dims.size(), ShapeMismatch, node,
              ": target ", t.str(), " must have rank one less than scores ", x.str());
  TypeInfo out;
  if (a.reduction == Reduction::None) {
    out = t;
    out.dtype = x.dtype;
  } else {
    out = TypeInfo::tensor(x.dtype, {});
  }
  ctx.set_output(0, out);
  if (ctx.output_count() > 1) ctx.set_output(1, x);
}

std::unique_ptr<Kernel> make_nll(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<NllKernel>(node);
}
std::unique_ptr<Kernel> make_sce(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<SceKernel>(node);
}

}  // namespace

void add_loss_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"NegativeLogLikelihoodLoss", "", 12, 1 << 30, infer_loss, make_nll, f});
  r.add({"SoftmaxCrossEntropyLoss", "", 12, 1 << 30, infer_loss, make_sce, f});
}

}  // namespace ember::ops
