// Swish (opset 24): Y = X * sigmoid(alpha * X), and SwiGLU (opset 28): Y = Swish(A) * B with
// A, B of one shape (no broadcasting). Each step is rounded to the input type as the ONNX
// reference computes it in that type, so float16 results agree to the last unit.
#include <cmath>

#include "ops/attention/attention_ops.h"
#include "ops/attention/attention_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using attn::round_to;

// x * (1 / (1 + exp(-alpha * x))) in type t, alpha already rounded to t.
double swish(DType t, double alpha, double x) {
  const double e = round_to(t, std::exp(round_to(t, -alpha * x)));
  return round_to(t, x * round_to(t, 1.0 / round_to(t, 1.0 + e)));
}

class SwishKernel final : public Kernel {
 public:
  SwishKernel(const ir::Node& node, bool glu) : node_(node.describe()), glu_(glu), alpha_(node.attr_float("alpha", 1.f)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const DType t = a.dtype();
    attn::require_float(node_, "input", t);
    const double alpha = round_to(t, double(alpha_));
    std::vector<double> v = read_doubles(a);
    if (glu_) {
      const Tensor& b = ctx.input(1);
      EMBER_CHECK(b.dtype() == t, TypeMismatch, node_, ": A and B must share one type, given ", dtype_name(t), " and ",
                  dtype_name(b.dtype()));
      EMBER_CHECK(b.shape() == a.shape(), ShapeMismatch, node_, ": A and B must have the same shape, given ",
                  dims_str(a.shape()), " and ", dims_str(b.shape()));
      const std::vector<double> bv = read_doubles(b);
      for (size_t i = 0; i < v.size(); ++i) v[i] = round_to(t, swish(t, alpha, v[i]) * bv[i]);
    } else {
      for (double& x : v) x = swish(t, alpha, x);
    }
    store_doubles(v.data(), ctx.output(0, t, a.shape()));
  }

 private:
  std::string node_;
  bool glu_;
  float alpha_;
};

template <bool Glu>
std::unique_ptr<Kernel> make_swish(const ir::Node& node, KernelFactoryContext&) {
  EMBER_CHECK(std::isfinite(node.attr_float("alpha", 1.f)), InvalidModel, node.describe(), ": alpha must be finite");
  return std::make_unique<SwishKernel>(node, Glu);
}

void infer_swiglu(InferContext& ctx) {
  const TypeInfo& a = ctx.input_type(0);
  const TypeInfo& b = ctx.input_type(1);
  if (a.has_shape && b.has_shape) {
    bool same = a.dims.size() == b.dims.size();
    for (size_t i = 0; same && i < a.dims.size(); ++i)
      same = !a.dims[i].known() || !b.dims[i].known() || a.dims[i].value == b.dims[i].value;
    EMBER_CHECK(same, ShapeMismatch, ctx.node().describe(), ": A and B must have the same shape, given ", a.str(),
                " and ", b.str());
  }
  ctx.set_output(0, a);
}

}  // namespace

void add_swish_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"Swish", "", 24, 1 << 30, infer_same_as_input, make_swish<false>, f});
  r.add({"SwiGLU", "", 28, 1 << 30, infer_swiglu, make_swish<true>, f});
}

}  // namespace ember::ops
