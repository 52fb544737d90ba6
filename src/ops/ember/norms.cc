// SkipLayerNormalization (S = X + skip [+ bias]; Y = LayerNorm(S) * gamma + beta over the last
// axis, optional output S) and ai.ember LayerNormalization (the ONNX opset-17 op for models
// that import an older opset: it delegates to the standard kernel, output Y only).
#include <cmath>

#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"
#include "ops/ember/inner_op.h"

namespace ember::ops {
namespace {

using namespace ember_op;

// ---- SkipLayerNormalization --------------------------------------------------------------

void check_channel_param(const ir::Node& node, const TypeInfo& p, const TypeInfo& x, const char* what) {
  require_f32(node, p, what);
  if (!p.has_shape || !x.has_shape || x.dims.empty()) return;
  const ir::Dim& c = x.dims.back();
  EMBER_CHECK(p.dims.size() == 1 && (!c.known() || !p.dims[0].known() || p.dims[0].value == c.value), ShapeMismatch,
              node.describe(), ": ", what, " must have shape [C] = [", c.known() ? c.value : -1, "], given ", p.str());
}

void infer_skip_layer_norm(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const TypeInfo &x = ctx.input_type(0), &skip = ctx.input_type(1);
  require_f32(node, x, "X");
  require_f32(node, skip, "skip");
  EMBER_CHECK(!x.is_static() || !skip.is_static() || x.static_dims() == skip.static_dims(), ShapeMismatch,
              node.describe(), ": X ", x.str(), " and skip ", skip.str(), " must have the same shape");
  EMBER_CHECK(!x.has_shape || !x.dims.empty(), ShapeMismatch, node.describe(), ": X must have rank >= 1");
  check_channel_param(node, ctx.input_type(2), x, "gamma");
  if (ctx.has_input(3)) check_channel_param(node, ctx.input_type(3), x, "beta");
  if (ctx.has_input(4)) check_channel_param(node, ctx.input_type(4), x, "bias");
  ctx.set_output(0, x);
  if (ctx.output_count() > 1) ctx.set_output(1, x);
}

class SkipLayerNormKernel final : public Kernel {
 public:
  explicit SkipLayerNormKernel(const ir::Node& node)
      : node_(node.describe()), eps_(node.attr_float("epsilon", 1e-5f)) {
    EMBER_CHECK(eps_ >= 0, InvalidModel, node_, ": epsilon must be >= 0, given ", eps_);
  }

  void run(KernelContext& ctx) const override {
    const Tensor &x = ctx.input(0), &skip = ctx.input(1);
    require_f32(node_, x, "X");
    require_f32(node_, skip, "skip");
    EMBER_CHECK(x.rank() >= 1 && x.shape() == skip.shape(), ShapeMismatch, node_, ": X ", dims_str(x.shape()),
                " and skip ", dims_str(skip.shape()), " must have the same shape of rank >= 1");
    const int64_t C = x.dim(x.rank() - 1), rows = C ? x.numel() / C : 0;
    const float* gamma = param(ctx, 2, C, "gamma");
    const float* beta = ctx.has_input(3) ? param(ctx, 3, C, "beta") : nullptr;
    const float* bias = ctx.has_input(4) ? param(ctx, 4, C, "bias") : nullptr;
    float* y = ctx.output(0, DType::Float32, x.shape()).data<float>();
    float* sum_out = ctx.output_count() > 1 && ctx.wants_output(1)
                         ? ctx.output(1, DType::Float32, x.shape()).data<float>() : nullptr;
    const float *xp = x.data<float>(), *sp = skip.data<float>();
    ctx.pool().parallel_for(rows, 1, [&](int64_t begin, int64_t end) {
      std::vector<double> s(static_cast<size_t>(C));
      for (int64_t r = begin; r < end; ++r) {
        double mean = 0, var = 0;
        for (int64_t c = 0; c < C; ++c) {
          // The sum is rounded to float first: that is the S a separate Add would produce.
          const float v = xp[r * C + c] + sp[r * C + c] + (bias ? bias[c] : 0.0f);
          s[size_t(c)] = v;
          if (sum_out) sum_out[r * C + c] = v;
          mean += v;
        }
        mean /= double(C);
        for (int64_t c = 0; c < C; ++c) var += (s[size_t(c)] - mean) * (s[size_t(c)] - mean);
        const double inv = 1.0 / std::sqrt(var / double(C) + double(eps_));
        for (int64_t c = 0; c < C; ++c)
          y[r * C + c] = float((s[size_t(c)] - mean) * inv * gamma[c] + (beta ? beta[c] : 0.0f));
      }
    });
  }

 private:
  const float* param(KernelContext& ctx, size_t i, int64_t C, const char* what) const {
    const Tensor& p = ctx.input(i);
    require_f32(node_, p, what);
    EMBER_CHECK(p.rank() == 1 && p.dim(0) == C, ShapeMismatch, node_, ": ", what, " must have shape [", C,
                "], given ", dims_str(p.shape()));
    return p.data<float>();
  }

  std::string node_;
  float eps_;
};

std::unique_ptr<Kernel> make_skip_layer_norm(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<SkipLayerNormKernel>(node);
}

// ---- LayerNormalization (ai.ember) ---------------------------------------------------------

void infer_ember_layer_norm(InferContext& ctx) {
  require_f32(ctx.node(), ctx.input_type(0), "X");
  infer_as(ctx, "LayerNormalization", 17);
}

class EmberLayerNormKernel final : public Kernel {
 public:
  EmberLayerNormKernel(const ir::Node& node, KernelFactoryContext& f)
      : node_(node.describe()), ln_(node, "LayerNormalization", 17, f) {}
  void run(KernelContext& ctx) const override {
    require_f32(node_, ctx.input(0), "X");
    std::vector<const RtValue*> in = {&ctx.input_value(0), &ctx.input_value(1)};
    if (ctx.has_input(2)) in.push_back(&ctx.input_value(2));
    ln_.run_into(ctx, in);
  }

 private:
  std::string node_;
  InnerOp ln_;
};

std::unique_ptr<Kernel> make_ember_layer_norm(const ir::Node& node, KernelFactoryContext& f) {
  EMBER_CHECK(node.outputs.size() <= 1, InvalidModel, node.describe(),
              ": ai.ember LayerNormalization has one output (Y), given ", node.outputs.size());
  return std::make_unique<EmberLayerNormKernel>(node, f);
}

}  // namespace

void add_skip_layer_norm_op(OpRegistry& r) {
  r.add({"SkipLayerNormalization", kEmberDomain, 1, 1 << 30, infer_skip_layer_norm, make_skip_layer_norm,
         {DType::Float32}});
}

void add_ember_layer_norm_op(OpRegistry& r) {
  r.add({"LayerNormalization", kEmberDomain, 1, 1 << 30, infer_ember_layer_norm, make_ember_layer_norm,
         {DType::Float32}});
}

}  // namespace ember::ops
