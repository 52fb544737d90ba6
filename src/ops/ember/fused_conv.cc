// FusedConv: Y = act(Conv(X, W) + B + Z). The reference runs the standard Conv kernel into
// the output, then adds the residual and applies the activation.
#include "ops/ember/activation.h"
#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"
#include "ops/ember/inner_op.h"

namespace ember::ops {
namespace {

using namespace ember_op;

void infer_fused_conv(InferContext& ctx) {
  for (size_t i = 0; i < ctx.input_count() && i < 4; ++i)
    if (ctx.has_input(i)) require_f32(ctx.node(), ctx.input_type(i), i == 3 ? "Z" : "input");
  Activation::parse(ctx.node());  // validates the attributes early
  infer_as(ctx, "Conv", 11);
  if (!ctx.has_input(3)) return;
  const TypeInfo& z = ctx.input_type(3);
  const TypeInfo& y = ctx.outputs()[0];
  if (!z.is_static() || !y.is_static()) return;
  EMBER_CHECK(z.static_dims() == y.static_dims(), ShapeMismatch, ctx.node().describe(), ": residual Z ", z.str(),
              " must have the output's shape ", y.str());
}

class FusedConvKernel final : public Kernel {
 public:
  FusedConvKernel(const ir::Node& node, KernelFactoryContext& f)
      : node_(node.describe()), conv_(node, "Conv", 11, f), act_(Activation::parse(node)) {}

  void run(KernelContext& ctx) const override {
    require_f32(node_, ctx.input(0), "X");
    std::vector<const RtValue*> in = {&ctx.input_value(0), &ctx.input_value(1)};
    if (ctx.has_input(2)) in.push_back(&ctx.input_value(2));
    Tensor& y = conv_.run_into(ctx, in);
    if (ctx.has_input(3)) add_same_shape(node_, y, ctx.input(3), "residual Z");
    act_.apply(y.data<float>(), y.numel());
  }

 private:
  std::string node_;
  InnerOp conv_;
  Activation act_;
};

std::unique_ptr<Kernel> make_fused_conv(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<FusedConvKernel>(node, f);
}

}  // namespace

void add_fused_conv_op(OpRegistry& r) {
  r.add({"FusedConv", kEmberDomain, 1, 1 << 30, infer_fused_conv, make_fused_conv, {DType::Float32}});
}

}  // namespace ember::ops
