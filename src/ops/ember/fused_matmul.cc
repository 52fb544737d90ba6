// FusedMatMul: Y = act(alpha * op(A) @ op(B) + bias + Z). The reference transposes A or B
// explicitly when asked, runs the standard MatMul kernel into the output, then applies the
// scale, bias, residual and activation in that order.
#include "ops/ember/activation.h"
#include "ops/ember/ember_ops.h"
#include "ops/ember/ember_util.h"
#include "ops/ember/inner_op.h"

namespace ember::ops {
namespace {

using namespace ember_op;

struct MatMulAttrs {
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f;
};

MatMulAttrs parse_attrs(const ir::Node& node) {
  MatMulAttrs a;
  const int64_t ta = node.attr_int("transA", 0), tb = node.attr_int("transB", 0);
  EMBER_CHECK((ta == 0 || ta == 1) && (tb == 0 || tb == 1), InvalidModel, node.describe(),
              ": transA and transB must be 0 or 1, given ", ta, " and ", tb);
  a.trans_a = ta == 1;
  a.trans_b = tb == 1;
  a.alpha = node.attr_float("alpha", 1.0f);
  return a;
}

// The type with its last two dims swapped (rank >= 2); `what` names the operand in errors.
TypeInfo swap_last_two(const ir::Node& node, TypeInfo t, const char* what) {
  if (!t.has_shape) return t;
  EMBER_CHECK(t.dims.size() >= 2, ShapeMismatch, node.describe(), ": ", what,
              " must have rank >= 2 to be transposed, given ", t.str());
  std::swap(t.dims[t.dims.size() - 1], t.dims[t.dims.size() - 2]);
  return t;
}

void infer_fused_matmul(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const MatMulAttrs at = parse_attrs(node);
  Activation::parse(node);
  for (size_t i = 0; i < ctx.input_count() && i < 4; ++i)
    if (ctx.has_input(i)) require_f32(node, ctx.input_type(i), "input");
  const TypeInfo a = at.trans_a ? swap_last_two(node, ctx.input_type(0), "A") : ctx.input_type(0);
  const TypeInfo b = at.trans_b ? swap_last_two(node, ctx.input_type(1), "B") : ctx.input_type(1);
  InferContext inner(node, {&a, &b}, {nullptr, nullptr});
  infer_as(inner, "MatMul", 13);
  const TypeInfo y = inner.outputs()[0];
  if (ctx.has_input(2) && ctx.input_type(2).has_shape && y.has_shape && !y.dims.empty()) {
    const TypeInfo& bias = ctx.input_type(2);
    const ir::Dim& n = y.dims.back();
    EMBER_CHECK(bias.dims.size() == 1 && (!n.known() || !bias.dims[0].known() || bias.dims[0].value == n.value),
                ShapeMismatch, node.describe(), ": bias must have shape [N] = [", n.known() ? n.value : -1,
                "], given ", bias.str());
  }
  if (ctx.has_input(3) && ctx.input_type(3).is_static() && y.is_static())
    EMBER_CHECK(ctx.input_type(3).static_dims() == y.static_dims(), ShapeMismatch, node.describe(), ": residual Z ",
                ctx.input_type(3).str(), " must have the output's shape ", y.str());
  ctx.set_output(0, y);
}

// A copy of `t` with its last two dims swapped.
Tensor transposed_last_two(const std::string& node, const Tensor& t, const char* what) {
  EMBER_CHECK(t.rank() >= 2, ShapeMismatch, node, ": ", what, " must have rank >= 2 to be transposed, given ",
              dims_str(t.shape()));
  Dims shape = t.shape();
  const int64_t r = shape[shape.size() - 2], c = shape[shape.size() - 1];
  std::swap(shape[shape.size() - 2], shape[shape.size() - 1]);
  Tensor out(DType::Float32, shape);
  const float* src = t.data<float>();
  float* dst = out.data<float>();
  const int64_t batches = (r * c != 0) ? t.numel() / (r * c) : 0;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < c; ++j) dst[b * r * c + j * r + i] = src[b * r * c + i * c + j];
  return out;
}

class FusedMatMulKernel final : public Kernel {
 public:
  FusedMatMulKernel(const ir::Node& node, KernelFactoryContext& f)
      : node_(node.describe()), at_(parse_attrs(node)), matmul_(node, "MatMul", 13, f), act_(Activation::parse(node)) {}

  void run(KernelContext& ctx) const override {
    require_f32(node_, ctx.input(0), "A");
    require_f32(node_, ctx.input(1), "B");
    RtValue a{at_.trans_a ? transposed_last_two(node_, ctx.input(0), "A") : ctx.input(0), nullptr, false};
    RtValue b{at_.trans_b ? transposed_last_two(node_, ctx.input(1), "B") : ctx.input(1), nullptr, false};
    Tensor& y = matmul_.run_into(ctx, {&a, &b});
    float* yp = y.data<float>();
    const int64_t n = y.numel();
    if (at_.alpha != 1.0f)
      for (int64_t i = 0; i < n; ++i) yp[i] *= at_.alpha;
    if (ctx.has_input(2)) {
      const Tensor& bias = ctx.input(2);
      require_f32(node_, bias, "bias");
      const int64_t cols = y.rank() ? y.dim(y.rank() - 1) : 1;
      EMBER_CHECK(bias.rank() == 1 && bias.dim(0) == cols, ShapeMismatch, node_, ": bias must have shape [", cols,
                  "], given ", dims_str(bias.shape()));
      const float* bp = bias.data<float>();
      for (int64_t i = 0; i < n; ++i) yp[i] += bp[i % cols];
    }
    if (ctx.has_input(3)) add_same_shape(node_, y, ctx.input(3), "residual Z");
    act_.apply(yp, n);
  }

 private:
  std::string node_;
  MatMulAttrs at_;
  InnerOp matmul_;
  Activation act_;
};

std::unique_ptr<Kernel> make_fused_matmul(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<FusedMatMulKernel>(node, f);
}

}  // namespace

void add_fused_matmul_op(OpRegistry& r) {
  r.add({"FusedMatMul", kEmberDomain, 1, 1 << 30, infer_fused_matmul, make_fused_matmul, {DType::Float32}});
}

}  // namespace ember::ops
