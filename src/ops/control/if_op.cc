// If: runs then_branch or else_branch depending on a one-element bool condition. The branches
// take no formal inputs; everything they read from outside arrives as captures. Every opset
// (1, 11, 13, 16, 19, 21, ...) has these semantics; later versions only widen the types.
#include "ops/control/control_ops.h"
#include "ops/control/control_util.h"

namespace ember::ops::control {
namespace {

void infer_if(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const TypeInfo& cond = ctx.input_type(0);
  EMBER_CHECK(cond.dtype == DType::Undefined || cond.dtype == DType::Bool, TypeMismatch, node.describe(),
              ": cond must be bool, got ", dtype_name(cond.dtype));
  const ir::Graph& then_b = require_body(node, "then_branch");
  const ir::Graph& else_b = require_body(node, "else_branch");
  EMBER_CHECK(then_b.outputs.size() == node.outputs.size() && else_b.outputs.size() == node.outputs.size(),
              InvalidModel, node.describe(), ": node has ", node.outputs.size(), " outputs but the branches have ",
              then_b.outputs.size(), " and ", else_b.outputs.size());
  for (size_t i = 0; i < node.outputs.size(); ++i)
    ctx.set_output(i, merge_alternatives(then_b.outputs[i]->type, else_b.outputs[i]->type, node,
                                         "output " + std::to_string(i)));
}

class IfKernel final : public Kernel {
 public:
  IfKernel(const ir::Node& node, KernelFactoryContext& f)
      : desc_(node.describe()), outputs_(node.outputs.size()) {
    const ir::Graph& then_b = require_body(node, "then_branch");
    const ir::Graph& else_b = require_body(node, "else_branch");
    EMBER_CHECK(then_b.inputs.empty() && else_b.inputs.empty(), InvalidModel, desc_,
                ": If branches must not declare inputs");
    then_ = f.compile_subgraph(then_b);
    else_ = f.compile_subgraph(else_b);
    then_captures_ = capture_inputs(node, then_b);
    else_captures_ = capture_inputs(node, else_b);
  }

  void run(KernelContext& ctx) const override {
    const bool cond = read_condition(ctx.input(0), desc_, "cond");
    const Subgraph& body = cond ? *then_ : *else_;
    std::vector<RtValue> inputs;
    append_captures(ctx, cond ? then_captures_ : else_captures_, inputs);
    std::vector<RtValue> outs = body.run(ctx, std::move(inputs));
    EMBER_CHECK(outs.size() == outputs_, InvalidModel, desc_, ": the ", cond ? "then" : "else", " branch produced ",
                outs.size(), " outputs, the node has ", outputs_);
    for (size_t i = 0; i < outs.size(); ++i)
      if (ctx.wants_output(i)) ctx.set_output(i, std::move(outs[i]));
  }

 private:
  std::string desc_;
  size_t outputs_;
  std::shared_ptr<const Subgraph> then_, else_;
  std::vector<size_t> then_captures_, else_captures_;
};

std::unique_ptr<Kernel> make_if(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<IfKernel>(node, f);
}

}  // namespace

void add_if_ops(OpRegistry& r) { r.add(OpSchema{"If", "", 1, 1 << 30, infer_if, make_if, {DType::Bool}}); }

}  // namespace ember::ops::control
