// BatchNormalization (inference mode; training mode from opset 14) and InstanceNormalization.
// Both reduce to a per-plane affine map y = x * a + b; BatchNormalization's a/b come from the running statistics,
// InstanceNormalization's from each plane's own mean and variance.
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

void check_param(const std::string& node, const Tensor& p, const char* what, int64_t C) {
  EMBER_CHECK(p.rank() == 1 && p.dim(0) == C, ShapeMismatch, node, ": ", what, " must have shape [", C,
              "] (the channel count of X), given ", dims_str(p.shape()));
  EMBER_CHECK(dtype_is_float(p.dtype()), TypeMismatch, node, ": ", what, " has unsupported type ",
              dtype_name(p.dtype()));
}

// Applies y = x * a[c] + b[c] plane by plane (planes are [N, C] in row-major order).
void affine_planes(KernelContext& ctx, const Tensor& x, Tensor& y, const std::vector<double>& a,
                   const std::vector<double>& b, const std::string& node) {
  const int64_t C = x.dim(1), planes = x.dim(0) * C, sz = planes ? x.numel() / planes : 0;
  auto go = [&](auto tag, auto acc_tag) {
    using T = decltype(tag);
    using A = decltype(acc_tag);
    const T* xp = static_cast<const T*>(x.raw());
    T* yp = static_cast<T*>(y.raw());
    ctx.pool().parallel_for(planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(sz, 1)), [&](int64_t s, int64_t e) {
      for (int64_t p = s; p < e; ++p) {
        const A ac = A(a[size_t(p % C)]), bc = A(b[size_t(p % C)]);
        for (int64_t i = p * sz; i < (p + 1) * sz; ++i) yp[i] = T(A(xp[i]) * ac + bc);
      }
    });
  };
  switch (x.dtype()) {
    case DType::Float32: return go(float{}, float{});
    case DType::Float64: return go(double{}, double{});
    case DType::Float16: return go(half{}, float{});
    case DType::BFloat16: return go(bfloat16{}, float{});
    default: break;
  }
  fail(Status::Unsupported, node, ": element type ", dtype_name(x.dtype()), " is not supported");
}

void infer_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  EMBER_CHECK(!x.has_shape || x.dims.size() >= 2, ShapeMismatch, ctx.node().describe(),
              ": input X must be [N, C, ...], given ", x.str());
  infer_same_as_input(ctx);
  // Training mode's running mean / variance: [C], typed like input_mean / input_var.
  for (size_t i = 1; i < ctx.output_count() && i < 3 && ctx.input_count() > 2 + i; ++i)
    ctx.set_output(i, ctx.input_type(2 + i));
}

// ---- BatchNormalization -----------------------------------------------------------------

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(const ir::Node& node, double eps) : node_(node.describe()), eps_(eps) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 2, ShapeMismatch, node_, ": input X must be [N, C, ...], given ", dims_str(x.shape()));
    const int64_t C = x.dim(1);
    const char* names[] = {"scale", "B", "input_mean", "input_var"};
    std::vector<double> p[4];
    for (size_t i = 0; i < 4; ++i) {
      check_param(node_, ctx.input(i + 1), names[i], C);
      p[i] = read_doubles(ctx.input(i + 1));
    }
    std::vector<double> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
    for (size_t c = 0; c < size_t(C); ++c) {
      a[c] = p[0][c] / std::sqrt(p[3][c] + eps_);
      b[c] = p[1][c] - p[2][c] * a[c];
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    affine_planes(ctx, x, y, a, b, node_);
  }

 private:
  std::string node_;
  double eps_;
};

// Training mode (opset 14+): normalise with the batch's own per-channel mean and population
// variance (over N and the spatial dims) and return the updated running statistics
// running = input * momentum + batch * (1 - momentum).
class TrainingBatchNormKernel final : public Kernel {
 public:
  TrainingBatchNormKernel(const ir::Node& node, double eps, double momentum)
      : node_(node.describe()), eps_(eps), momentum_(momentum) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 2, ShapeMismatch, node_, ": input X must be [N, C, ...], given ", dims_str(x.shape()));
    EMBER_CHECK(dtype_is_float(x.dtype()), TypeMismatch, node_, ": X has unsupported type ", dtype_name(x.dtype()));
    const int64_t N = x.dim(0), C = x.dim(1), sz = N * C > 0 ? x.numel() / (N * C) : 0;
    const char* names[] = {"scale", "B", "input_mean", "input_var"};
    std::vector<double> p[4];
    for (size_t i = 0; i < 4; ++i) {
      check_param(node_, ctx.input(i + 1), names[i], C);
      p[i] = read_doubles(ctx.input(i + 1));
    }
    EMBER_CHECK(N * sz > 0, ShapeMismatch, node_, ": training mode needs a non-empty batch, given ",
                dims_str(x.shape()));
    const std::vector<double> xv = read_doubles(x);
    std::vector<double> mean(size_t(C), 0.0), var(size_t(C), 0.0), a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
    const double cnt = double(N * sz);
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < sz; ++i) mean[size_t(c)] += xv[size_t((n * C + c) * sz + i)];
      mean[size_t(c)] /= cnt;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < sz; ++i) {
          const double dv = xv[size_t((n * C + c) * sz + i)] - mean[size_t(c)];
          var[size_t(c)] += dv * dv;
        }
      var[size_t(c)] /= cnt;
      a[size_t(c)] = p[0][size_t(c)] / std::sqrt(var[size_t(c)] + eps_);
      b[size_t(c)] = p[1][size_t(c)] - mean[size_t(c)] * a[size_t(c)];
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    affine_planes(ctx, x, y, a, b, node_);
    for (size_t k = 0; k < 2; ++k) {
      if (ctx.output_count() <= k + 1 || !ctx.wants_output(k + 1)) continue;
      const std::vector<double>& batch = k == 0 ? mean : var;
      std::vector<double> run(static_cast<size_t>(C));
      for (size_t c = 0; c < size_t(C); ++c) run[c] = p[2 + k][c] * momentum_ + batch[c] * (1 - momentum_);
      Tensor& o = ctx.output(k + 1, ctx.input(3 + k).dtype(), {C});
      store_doubles(run, o);
    }
  }

 private:
  std::string node_;
  double eps_, momentum_;
};

std::unique_ptr<Kernel> make_batch_norm(const ir::Node& node, KernelFactoryContext&) {
  const std::string d = node.describe();
  const int64_t training = node.attr_int("training_mode", 0);
  EMBER_CHECK(training == 0 || training == 1, InvalidModel, d, ": training_mode must be 0 or 1, given ", training);
  if (training == 1 && node.opset >= 14) {
    EMBER_CHECK(node.outputs.size() <= 3, InvalidModel, d, ": training mode has at most 3 outputs, given ",
                node.outputs.size());
    return std::make_unique<TrainingBatchNormKernel>(node, node.attr_float("epsilon", 1e-5f),
                                                     node.attr_float("momentum", 0.9f));
  }
  EMBER_CHECK(training == 0, Unsupported, d, ": training_mode=1 is not supported before opset 14");
  EMBER_CHECK(node.attr_int("spatial", 1) == 1, Unsupported, d, ": spatial=",
              node.attr_int("spatial", 1), " is not supported (only spatial=1)");
  // Opsets 1-6 run in training mode unless is_test is non-zero (is_test was removed in 7;
  // consumed_inputs, opsets 1-5, is only an in-place hint).
  if (node.opset < 7)
    EMBER_CHECK(node.attr_int("is_test", 0) != 0, Unsupported, d,
                ": training mode (is_test=0, the default before opset 7) is not supported");
  // Outputs beyond Y are the running/saved statistics, only produced when training.
  for (size_t i = 1; i < node.outputs.size(); ++i)
    EMBER_CHECK(node.outputs[i] == nullptr, Unsupported, d, ": output ", i,
                " (training statistics) is not supported (inference only)");
  return std::make_unique<BatchNormKernel>(node, node.attr_float("epsilon", 1e-5f));
}

// ---- InstanceNormalization --------------------------------------------------------------

class InstanceNormKernel final : public Kernel {
 public:
  InstanceNormKernel(const ir::Node& node, double eps) : node_(node.describe()), eps_(eps) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 3, ShapeMismatch, node_, ": input X must be [N, C, D1, ...], given ", dims_str(x.shape()));
    const int64_t N = x.dim(0), C = x.dim(1), planes = N * C, sz = planes ? x.numel() / planes : 0;
    check_param(node_, ctx.input(1), "scale", C);
    check_param(node_, ctx.input(2), "B", C);
    const std::vector<double> scale = read_doubles(ctx.input(1)), bias = read_doubles(ctx.input(2));
    // Per-plane statistics in double (two passes, so large means do not cancel precision).
    std::vector<double> a(static_cast<size_t>(planes)), b(static_cast<size_t>(planes));
    visit_numeric_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* xp = static_cast<const T*>(x.raw());
      ctx.pool().parallel_for(planes, 1, [&](int64_t s, int64_t e) {
        for (int64_t p = s; p < e; ++p) {
          double mean = 0, var = 0;
          for (int64_t i = p * sz; i < (p + 1) * sz; ++i) mean += double(xp[i]);
          mean /= double(std::max<int64_t>(sz, 1));
          for (int64_t i = p * sz; i < (p + 1) * sz; ++i) var += (double(xp[i]) - mean) * (double(xp[i]) - mean);
          var /= double(std::max<int64_t>(sz, 1));
          const size_t c = size_t(p % C);
          a[size_t(p)] = scale[c] / std::sqrt(var + eps_);
          b[size_t(p)] = bias[c] - mean * a[size_t(p)];
        }
      });
    });
    // affine_planes indexes parameters by channel; here they are per plane, so view the
    // tensor as [1, N*C, ...].
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    Dims flat = {1, planes, sz};
    Tensor yv = y.reshaped(flat);
    affine_planes(ctx, x.reshaped(flat), yv, a, b, node_);
  }

 private:
  std::string node_;
  double eps_;
};

std::unique_ptr<Kernel> make_instance_norm(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<InstanceNormKernel>(node, node.attr_float("epsilon", 1e-5f));
}

}  // namespace

void add_batch_norm_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"BatchNormalization", "", 1, 1 << 30, infer_norm, make_batch_norm, f});
  r.add({"InstanceNormalization", "", 1, 1 << 30, infer_norm, make_instance_norm, f});
}

}  // namespace ember::ops
