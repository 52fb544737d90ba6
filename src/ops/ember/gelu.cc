// ai.ember Gelu: 0.5 x (1 + erf(x / sqrt 2)), or the tanh approximation with
// approximate="tanh". Computed in double per element, rounded once.
#include "ops/ember/activation.h"
#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"

namespace ember::ops {
namespace {

using namespace ember_op;

ActKind gelu_kind(const ir::Node& node) {
  const std::string a = node.attr_string("approximate", "none");
  EMBER_CHECK(a == "none" || a == "tanh", InvalidModel, node.describe(), ": approximate must be \"none\" or \"tanh\", given \"",
              a, "\"");
  return a == "tanh" ? ActKind::GeluTanh : ActKind::Gelu;
}

void infer_gelu(InferContext& ctx) {
  gelu_kind(ctx.node());
  require_f32(ctx.node(), ctx.input_type(0), "X");
  ctx.set_output(0, ctx.input_type(0));
}

class GeluKernel final : public Kernel {
 public:
  explicit GeluKernel(const ir::Node& node) : node_(node.describe()) { act_.kind = gelu_kind(node); }
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    require_f32(node_, x, "X");
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    ctx.pool().parallel_for(x.numel(), 4096, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) yp[i] = act_.apply(xp[i]);
    });
  }

 private:
  std::string node_;
  Activation act_;
};

std::unique_ptr<Kernel> make_gelu(const ir::Node& node, KernelFactoryContext&) { return std::make_unique<GeluKernel>(node); }

}  // namespace

void add_gelu_op(OpRegistry& r) {
  r.add({"Gelu", kEmberDomain, 1, 1 << 30, infer_gelu, make_gelu, {DType::Float32}});
}

}  // namespace ember::ops
