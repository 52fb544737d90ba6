#include "ops/ember/inner_op.h"

namespace ember::ops::ember_op {

namespace {

// Hands the inner kernel the chosen inputs and forwards its output 0 to the parent context,
// so the result lands in the session arena without a copy.
class ForwardingContext final : public KernelContext {
 public:
  ForwardingContext(KernelContext& parent, const std::vector<const RtValue*>& inputs) : parent_(parent) {
    inputs_ = inputs;
    output_count_ = 1;
  }
  bool wants_output(size_t i) const override { return i == 0; }
  Tensor& output(size_t i, DType dtype, const Dims& shape) override {
    EMBER_CHECK(i == 0, Runtime, "inner kernel wrote output ", i, "; only output 0 is forwarded");
    result_ = &parent_.output(0, dtype, shape);
    return *result_;
  }
  void set_output(size_t i, RtValue v) override {
    EMBER_CHECK(i == 0 && !v.is_sequence() && !v.is_none, Runtime, "inner kernel set output ", i,
                " to a value that is not a tensor");
    Tensor& out = output(0, v.tensor.dtype(), v.tensor.shape());
    out.copy_from(v.tensor);
  }
  ThreadPool& pool() override { return parent_.pool(); }
  Tensor* result() const { return result_; }

 private:
  KernelContext& parent_;
  Tensor* result_ = nullptr;
};

}  // namespace

InnerOp::InnerOp(const ir::Node& like, const char* op_type, int opset, KernelFactoryContext& factory) {
  ir::Node inner = like;
  inner.op_type = op_type;
  inner.domain = "";
  inner.opset = opset;
  inner.fused_from.clear();
  inner.outputs = {nullptr};
  const OpSchema* schema = OpRegistry::global().find(op_type, "", opset);
  EMBER_CHECK(schema && schema->make, Runtime, like.describe(), ": no reference ", op_type, " at opset ", opset);
  kernel_ = schema->make(inner, factory);
}

Tensor& InnerOp::run_into(KernelContext& parent, const std::vector<const RtValue*>& inputs) const {
  ForwardingContext ctx(parent, inputs);
  kernel_->run(ctx);
  EMBER_CHECK(ctx.result(), Runtime, "inner kernel produced no output");
  return *ctx.result();
}

}  // namespace ember::ops::ember_op
