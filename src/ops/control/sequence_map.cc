// SequenceMap (opset 17): runs `body` once per element of the first input sequence. Body
// input 0 gets element i; each further body input gets element i of the matching
// additional input when that is a sequence (of the same length), or the whole tensor
// otherwise. Body output k, collected over the iterations, becomes output sequence k.
#include "ops/control/control_ops.h"
#include "ops/control/control_util.h"
#include "ops/graph_inference.h"

namespace ember::ops::control {
namespace {

void check_arity(const ir::Node& node, const ir::Graph& body) {
  const size_t in = node.explicit_input_count();
  EMBER_CHECK(in >= 1, InvalidModel, node.describe(), ": SequenceMap needs an input sequence");
  EMBER_CHECK(body.inputs.size() == in, InvalidModel, node.describe(), ": body '", body.name, "' takes ",
              body.inputs.size(), " inputs, the node gives ", in);
  EMBER_CHECK(body.outputs.size() == node.outputs.size(), InvalidModel, node.describe(), ": body '", body.name,
              "' produces ", body.outputs.size(), " outputs, the node has ", node.outputs.size());
}

// Body inputs: a sequence's element type without a shape (elements may differ in shape), a
// tensor's full type.
void type_body_inputs(ir::Node& node) {
  ir::Graph* body = mutable_body(node, "body");
  if (!body) return;
  check_arity(node, *body);
  for (size_t j = 0; j < body->inputs.size(); ++j) {
    const ir::Value* in = node.inputs[j];
    if (!in) continue;
    if (in->type.kind == ir::ValueKind::Sequence) {
      if (in->type.elem) fill_body_input(body->inputs[j], without_shape(*in->type.elem), node);
    } else if (in->type.kind == ir::ValueKind::Tensor) {
      fill_body_input(body->inputs[j], in->type, node);
    }
  }
}

void infer_sequence_map(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const ir::Graph& body = require_body(node, "body");
  check_arity(node, body);
  const TypeInfo& in = ctx.input_type(0);
  EMBER_CHECK(in.kind == ir::ValueKind::Sequence || in.dtype == DType::Undefined, TypeMismatch, node.describe(),
              ": input 0 must be a sequence, got ", in.str());
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    TypeInfo t;
    t.kind = ir::ValueKind::Sequence;
    t.elem = std::make_shared<TypeInfo>(body.outputs[k]->type);
    t.dtype = t.elem->dtype;
    ctx.set_output(k, t);
  }
}

class SequenceMapKernel final : public Kernel {
 public:
  SequenceMapKernel(const ir::Node& node, KernelFactoryContext& f) : desc_(node.describe()) {
    const ir::Graph& body = require_body(node, "body");
    check_arity(node, body);
    inputs_ = node.explicit_input_count();
    outputs_ = node.outputs.size();
    body_ = f.compile_subgraph(body);
    captures_ = capture_inputs(node, body);
  }

  void run(KernelContext& ctx) const override {
    const RtValue& first = ctx.input_value(0);
    EMBER_CHECK(first.is_sequence(), TypeMismatch, desc_, ": input 0 must be a sequence");
    const size_t n = first.sequence->size();
    for (size_t j = 1; j < inputs_; ++j) {
      const RtValue& v = ctx.input_value(j);
      EMBER_CHECK(!v.is_none, InvalidArgument, desc_, ": input ", j, " is an empty optional");
      if (v.is_sequence())
        EMBER_CHECK(v.sequence->size() == n, ShapeMismatch, desc_, ": input ", j, " has ", v.sequence->size(),
                    " elements, input 0 has ", n);
    }
    std::vector<std::vector<Tensor>> results(outputs_);
    for (size_t i = 0; i < n; ++i) {
      std::vector<RtValue> in;
      in.reserve(inputs_ + captures_.size());
      for (size_t j = 0; j < inputs_; ++j) {
        const RtValue& v = ctx.input_value(j);
        in.push_back(RtValue{v.is_sequence() ? (*v.sequence)[i] : v.tensor, nullptr, false});
      }
      append_captures(ctx, captures_, in);
      std::vector<RtValue> outs = body_->run(ctx, std::move(in));
      EMBER_CHECK(outs.size() == outputs_, InvalidModel, desc_, ": body produced ", outs.size(), " outputs");
      for (size_t k = 0; k < outputs_; ++k) {
        EMBER_CHECK(!outs[k].is_sequence() && !outs[k].is_none && outs[k].tensor.defined(), Unsupported, desc_,
                    ": body output ", k, " must be a tensor");
        // Cloned: a sequence outlives the body's arena.
        results[k].push_back(outs[k].tensor.clone());
      }
    }
    for (size_t k = 0; k < outputs_; ++k)
      if (ctx.wants_output(k))
        ctx.set_output(k, RtValue{Tensor{}, std::make_shared<const std::vector<Tensor>>(std::move(results[k])), false});
  }

 private:
  std::string desc_;
  size_t inputs_ = 0, outputs_ = 0;
  std::shared_ptr<const Subgraph> body_;
  std::vector<size_t> captures_;
};

std::unique_ptr<Kernel> make_sequence_map(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<SequenceMapKernel>(node, f);
}

}  // namespace

void add_sequence_map_ops(OpRegistry& r) {
  r.add(OpSchema{"SequenceMap", "", 17, 1 << 30, infer_sequence_map, make_sequence_map, {}});
  register_body_input_typer("SequenceMap", "", type_body_inputs);
}

}  // namespace ember::ops::control
