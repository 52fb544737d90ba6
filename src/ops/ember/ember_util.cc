#include "ops/ember/ember_util.h"

namespace ember::ops::ember_op {

void require_f32(const ir::Node& node, const TypeInfo& t, const char* what) {
  EMBER_CHECK(t.dtype == DType::Float32 || t.dtype == DType::Undefined, TypeMismatch, node.describe(), ": ", what,
              " has type ", dtype_name(t.dtype), "; ai.ember ops take float32");
}

void require_f32(const std::string& node, const Tensor& t, const char* what) {
  EMBER_CHECK(t.dtype() == DType::Float32, TypeMismatch, node, ": ", what, " has type ", dtype_name(t.dtype()),
              "; ai.ember ops take float32");
}

void infer_as(InferContext& ctx, const char* op_type, int opset) {
  const OpSchema* s = OpRegistry::global().find(op_type, "", opset);
  EMBER_CHECK(s && s->infer, Runtime, ctx.node().describe(), ": no inference for ", op_type);
  s->infer(ctx);
}

void add_same_shape(const std::string& node, Tensor& y, const Tensor& z, const char* what) {
  require_f32(node, z, what);
  EMBER_CHECK(z.shape() == y.shape(), ShapeMismatch, node, ": ", what, " of shape ", dims_str(z.shape()),
              " must have the output's shape ", dims_str(y.shape()));
  float* yp = y.data<float>();
  const float* zp = z.data<float>();
  for (int64_t i = 0, n = y.numel(); i < n; ++i) yp[i] += zp[i];
}

}  // namespace ember::ops::ember_op
