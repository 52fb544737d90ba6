// Native LayerNormalization (ONNX opset 17 and ai.ember: normalised over dims [axis, rank)
// flattened, Y only) and ai.ember SkipLayerNormalization (docs/ember_ops.md), float32.
// LayerNormalization with Mean / InvStdDev outputs or a double stash type is left to the
// reference; Scale / B that are not one value per normalised element (smaller broadcasts) fall
// back to it at run time.
#include <algorithm>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

// Rows of `len` elements split across the pool.
int64_t row_grain(int64_t len) { return std::max<int64_t>(1, kCostlyGrain / std::max<int64_t>(len, 1)); }

class LayerNormKernel final : public NativeKernel {
 public:
  LayerNormKernel(const ir::Node& node, int64_t axis, float eps)
      : NativeKernel(kernel_name("layernorm", kernels::vector_kernels()), node, true), axis_(axis), eps_(eps) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = int64_t(x.rank());
    if (x.dtype() != DType::Float32 || axis_ < -rank || axis_ >= rank) return run_reference(ctx);
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    int64_t len = 1;
    for (int64_t i = axis; i < rank; ++i) len *= x.dim(size_t(i));
    const Tensor& scale = ctx.input(1);
    const bool has_bias = ctx.has_input(2);
    if (scale.dtype() != DType::Float32 || scale.numel() != len ||
        (has_bias && (ctx.input(2).dtype() != DType::Float32 || ctx.input(2).numel() != len)))
      return run_reference(ctx);
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    if (len == 0) return;
    const int64_t rows = x.numel() / len;
    const float* xp = x.data<float>();
    const float* g = scale.data<float>();
    const float* b = has_bias ? ctx.input(2).data<float>() : nullptr;
    float* yp = y.data<float>();
    parallel(ctx, rows, row_grain(len), [&](int64_t s, int64_t e) {
      k_.layernorm(e - s, len, xp + s * len, nullptr, nullptr, g, b, eps_, yp + s * len, nullptr);
    });
  }

 private:
  int64_t axis_;
  float eps_;
};

std::unique_ptr<ops::Kernel> make_layer_norm(const ir::Node& node, const runtime::BackendOptions&) {
  if (!all_inputs_f32(node) || has_output(node, 1) || has_output(node, 2)) return nullptr;
  if (node.attr_int("stash_type", 1) != 1) return nullptr;
  return std::make_unique<LayerNormKernel>(node, node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
}

// Inputs X, skip [.., C]; gamma [C]; beta, bias [C] optional. Outputs Y and, optionally, S.
class SkipLayerNormKernel final : public NativeKernel {
 public:
  SkipLayerNormKernel(const ir::Node& node, float eps)
      : NativeKernel(kernel_name("skip_layernorm", kernels::vector_kernels()), node, false), eps_(eps) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& skip = ctx.input(1);
    const Tensor& gamma = ctx.input(2);
    EMBER_CHECK(x.rank() >= 1, ShapeMismatch, node_, ": input X must have a last axis, given a scalar");
    EMBER_CHECK(skip.shape() == x.shape(), ShapeMismatch, node_, ": skip has shape ", dims_str(skip.shape()),
                " but X has shape ", dims_str(x.shape()));
    const int64_t c = x.shape().back();
    const float* params[3] = {gamma.data<float>(), nullptr, nullptr};  // gamma, beta, bias
    const char* names[3] = {"gamma", "beta", "bias"};
    for (size_t i = 0; i < 3; ++i) {
      if (i > 0 && !ctx.has_input(2 + i)) continue;
      const Tensor& p = ctx.input(2 + i);
      EMBER_CHECK(p.dtype() == DType::Float32 && p.numel() == c, ShapeMismatch, node_, ": ", names[i],
                  " must be float32 [", c, "], given ", dtype_name(p.dtype()), dims_str(p.shape()));
      params[i] = p.data<float>();
    }
    EMBER_CHECK(x.dtype() == DType::Float32 && skip.dtype() == DType::Float32, TypeMismatch, node_,
                ": X and skip must be float32");
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    float* sum = nullptr;
    if (ctx.output_count() > 1 && ctx.wants_output(1)) sum = ctx.output(1, DType::Float32, x.shape()).data<float>();
    if (c == 0) return;
    const int64_t rows = x.numel() / c;
    const float* xp = x.data<float>();
    const float* sp = skip.data<float>();
    float* yp = y.data<float>();
    parallel(ctx, rows, row_grain(c), [&](int64_t s, int64_t e) {
      k_.layernorm(e - s, c, xp + s * c, sp + s * c, params[2], params[0], params[1], eps_, yp + s * c,
                   sum ? sum + s * c : nullptr);
    });
  }

 private:
  float eps_;
};

std::unique_ptr<ops::Kernel> make_skip_layer_norm(const ir::Node& node, const runtime::BackendOptions&) {
  if (!all_inputs_f32(node)) return nullptr;
  return std::make_unique<SkipLayerNormKernel>(node, node.attr_float("epsilon", 1e-5f));
}

}  // namespace

void register_norm_ops(NativeRegistry& r) {
  r.add("", "LayerNormalization", make_layer_norm);
  r.add("ai.ember", "LayerNormalization", make_layer_norm);
  r.add("ai.ember", "SkipLayerNormalization", make_skip_layer_norm);
}

}  // namespace ember::backends::vector
