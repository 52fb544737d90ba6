// Native elementwise activations: Relu, LeakyRelu, Sigmoid, Tanh, Erf, Exp, HardSigmoid,
// HardSwish, Clip and Gelu (ONNX opset 20 and ai.ember), float32 only, split across the pool.
#include <limits>
#include <string>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

using kernels::UnaryOp;

class UnaryKernel final : public NativeKernel {
 public:
  UnaryKernel(const ir::Node& node, UnaryOp op, float alpha, float beta, bool clip_bounds_from_inputs)
      : NativeKernel(kernel_name(kernels::unary_op_name(op), kernels::vector_kernels()), node, false),
        op_(op), alpha_(alpha), beta_(beta), clip_inputs_(clip_bounds_from_inputs) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::Float32, TypeMismatch, node_, ": input has type ", dtype_name(x.dtype()),
                ", expected float32");
    float alpha = alpha_, beta = beta_;
    if (clip_inputs_) {
      alpha = bound(ctx, 1, alpha);
      beta = bound(ctx, 2, beta);
    }
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const bool cheap = op_ == UnaryOp::Relu || op_ == UnaryOp::LeakyRelu || op_ == UnaryOp::Clip ||
                       op_ == UnaryOp::HardSigmoid || op_ == UnaryOp::HardSwish;
    parallel(ctx, x.numel(), cheap ? kCheapGrain : kCostlyGrain, [&](int64_t b, int64_t e) {
      k_.unary(op_, e - b, xp + b, yp + b, alpha, beta);
    });
  }

 private:
  // Clip's optional min (1) / max (2) inputs: one float32 value each.
  float bound(ops::KernelContext& ctx, size_t i, float dflt) const {
    if (!ctx.has_input(i)) return dflt;
    const Tensor& b = ctx.input(i);
    EMBER_CHECK(b.dtype() == DType::Float32, TypeMismatch, node_, ": input ", i, " (", i == 1 ? "min" : "max",
                ") has type ", dtype_name(b.dtype()), " but the input has type float32");
    EMBER_CHECK(b.numel() == 1, ShapeMismatch, node_, ": input ", i, " (", i == 1 ? "min" : "max",
                ") must be a scalar, given shape ", dims_str(b.shape()));
    return b.data<float>()[0];
  }

  UnaryOp op_;
  float alpha_, beta_;
  bool clip_inputs_;
};

std::unique_ptr<ops::Kernel> make(const ir::Node& node, UnaryOp op, float alpha = 0, float beta = 0,
                                  bool clip_inputs = false) {
  if (!all_inputs_f32(node)) return nullptr;
  return std::make_unique<UnaryKernel>(node, op, alpha, beta, clip_inputs);
}

template <UnaryOp kOp>
std::unique_ptr<ops::Kernel> make_plain(const ir::Node& node, const runtime::BackendOptions&) {
  return make(node, kOp);
}

std::unique_ptr<ops::Kernel> make_leaky_relu(const ir::Node& node, const runtime::BackendOptions&) {
  return make(node, UnaryOp::LeakyRelu, node.attr_float("alpha", 0.01f));
}

std::unique_ptr<ops::Kernel> make_hard_sigmoid(const ir::Node& node, const runtime::BackendOptions&) {
  return make(node, UnaryOp::HardSigmoid, node.attr_float("alpha", 0.2f), node.attr_float("beta", 0.5f));
}

std::unique_ptr<ops::Kernel> make_clip(const ir::Node& node, const runtime::BackendOptions&) {
  const float inf = std::numeric_limits<float>::infinity();
  if (node.opset < 11)  // bounds are attributes before opset 11
    return make(node, UnaryOp::Clip, node.attr_float("min", -inf), node.attr_float("max", inf));
  return make(node, UnaryOp::Clip, -inf, inf, true);
}

std::unique_ptr<ops::Kernel> make_gelu(const ir::Node& node, const runtime::BackendOptions&) {
  const std::string a = node.attr_string("approximate", "none");
  if (a != "none" && a != "tanh") return nullptr;  // the reference names the bad value
  return make(node, a == "tanh" ? UnaryOp::GeluTanh : UnaryOp::Gelu);
}

}  // namespace

void register_unary_ops(NativeRegistry& r) {
  r.add("", "Relu", make_plain<UnaryOp::Relu>);
  r.add("", "Sigmoid", make_plain<UnaryOp::Sigmoid>);
  r.add("", "Tanh", make_plain<UnaryOp::Tanh>);
  r.add("", "Erf", make_plain<UnaryOp::Erf>);
  r.add("", "Exp", make_plain<UnaryOp::Exp>);
  r.add("", "HardSwish", make_plain<UnaryOp::HardSwish>);
  r.add("", "LeakyRelu", make_leaky_relu);
  r.add("", "HardSigmoid", make_hard_sigmoid);
  r.add("", "Clip", make_clip);
  r.add("", "Gelu", make_gelu);
  r.add("ai.ember", "Gelu", make_gelu);
}

}  // namespace ember::backends::vector
