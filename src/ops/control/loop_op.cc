// Loop: a for / while / do-while loop over a body graph.
//   node inputs:  M (optional int64 trip count), cond (optional bool), v_initial... (N values)
//   body inputs:  iteration number (int64 scalar), cond, the N loop-carried values
//   body outputs: cond, the N updated values, K per-iteration "scan" outputs
//   node outputs: the N final values, then the K scan outputs stacked along a new axis 0
// Loop-carried values may be tensors, sequences or absent optionals (RtValue carries all).
// Without a cond input the body's cond output is ignored (a plain for loop); without both M
// and cond the loop would never end, which we refuse instead of hanging.
#include <limits>

#include "ops/control/control_ops.h"
#include "ops/control/control_util.h"
#include "ops/graph_inference.h"

namespace ember::ops::control {
namespace {

struct LoopShape {
  size_t carried = 0;  // N
  size_t scans = 0;    // K
};

LoopShape loop_shape(const ir::Node& node, const ir::Graph& body) {
  const size_t explicit_in = node.explicit_input_count();
  EMBER_CHECK(explicit_in >= 2, InvalidModel, node.describe(), ": Loop needs the M and cond inputs (possibly empty)");
  LoopShape s;
  s.carried = explicit_in - 2;
  EMBER_CHECK(node.outputs.size() >= s.carried, InvalidModel, node.describe(), ": ", s.carried,
              " loop-carried inputs but only ", node.outputs.size(), " outputs");
  s.scans = node.outputs.size() - s.carried;
  EMBER_CHECK(body.inputs.size() == 2 + s.carried, InvalidModel, node.describe(), ": body '", body.name,
              "' must take 2 + ", s.carried, " inputs, it takes ", body.inputs.size());
  EMBER_CHECK(body.outputs.size() == 1 + s.carried + s.scans, InvalidModel, node.describe(), ": body '", body.name,
              "' must produce 1 + ", s.carried, " + ", s.scans, " outputs, it produces ", body.outputs.size());
  return s;
}

// Body inputs: the iteration number and cond as the kernel feeds them (scalars), and the
// loop-carried values' element types only: their shapes may change between iterations (onnx's
// inference forgets them too).
void type_body_inputs(ir::Node& node) {
  ir::Graph* body = mutable_body(node, "body");
  if (!body) return;
  const LoopShape s = loop_shape(node, *body);
  fill_body_input(body->inputs[0], TypeInfo::tensor(DType::Int64, {}), node);
  fill_body_input(body->inputs[1], TypeInfo::tensor(DType::Bool, {}), node);
  for (size_t i = 0; i < s.carried; ++i)
    if (const ir::Value* in = node.inputs[2 + i]) fill_body_input(body->inputs[2 + i], without_shape(in->type), node);
}

void infer_loop(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const ir::Graph& body = require_body(node, "body");
  const LoopShape s = loop_shape(node, body);
  for (size_t i = 0; i < s.carried; ++i) {
    const TypeInfo& out = body.outputs[1 + i]->type;
    // With zero iterations the result is the initial value, otherwise the body's last output.
    ctx.set_output(i, ctx.has_input(2 + i)
                          ? merge_alternatives(ctx.input_type(2 + i), out, node, "loop-carried value " + std::to_string(i))
                          : out);
  }
  for (size_t k = 0; k < s.scans; ++k)
    ctx.set_output(s.carried + k, insert_dim(body.outputs[1 + s.carried + k]->type, 0, ir::Dim{}));
}

class LoopKernel final : public Kernel {
 public:
  LoopKernel(const ir::Node& node, KernelFactoryContext& f) : desc_(node.describe()) {
    const ir::Graph& body = require_body(node, "body");
    shape_ = loop_shape(node, body);
    body_ = f.compile_subgraph(body);
    captures_ = capture_inputs(node, body);
    for (size_t i = 0; i < shape_.carried; ++i) carried_types_.push_back(body.inputs[2 + i]->type);
    for (size_t k = 0; k < shape_.scans; ++k)
      scan_elems_.push_back(static_elem_shape(body.outputs[1 + shape_.carried + k]));
  }

  void run(KernelContext& ctx) const override {
    const bool has_m = ctx.has_input(0), has_cond = ctx.has_input(1);
    EMBER_CHECK(has_m || has_cond, Unsupported, desc_,
                ": a Loop with neither trip count nor condition never terminates");
    int64_t trip = std::numeric_limits<int64_t>::max();
    if (has_m) {
      const Tensor& m = ctx.input(0);
      EMBER_CHECK(m.numel() == 1 && dtype_is_integer(m.dtype()), InvalidArgument, desc_,
                  ": M must be a one-element integer tensor, got ", dtype_name(m.dtype()), dims_str(m.shape()));
      trip = m.int_at(0);
    }
    bool cond = has_cond ? read_condition(ctx.input(1), desc_, "cond") : true;

    std::vector<RtValue> carried;
    for (size_t i = 0; i < shape_.carried; ++i) carried.push_back(ctx.input_value(2 + i));
    std::vector<std::vector<Tensor>> scans(shape_.scans);

    for (int64_t it = 0; it < trip && cond; ++it) {
      std::vector<RtValue> inputs;
      inputs.reserve(2 + carried.size() + captures_.size());
      inputs.push_back(RtValue{Tensor::scalar<int64_t>(it), nullptr, false});
      inputs.push_back(RtValue{Tensor::scalar<bool>(cond), nullptr, false});
      for (size_t i = 0; i < shape_.carried; ++i) {
        check_body_input(carried[i], carried_types_[i], desc_, "loop-carried value " + std::to_string(i));
        inputs.push_back(std::move(carried[i]));
      }
      append_captures(ctx, captures_, inputs);
      std::vector<RtValue> outs = body_->run(ctx, std::move(inputs));
      EMBER_CHECK(outs.size() == 1 + shape_.carried + shape_.scans, InvalidModel, desc_, ": body produced ",
                  outs.size(), " outputs");
      const bool next = read_condition(outs[0].tensor, desc_, "the body's cond output");
      if (has_cond) cond = next;
      for (size_t i = 0; i < shape_.carried; ++i) carried[i] = std::move(outs[1 + i]);
      for (size_t k = 0; k < shape_.scans; ++k) add_scan_element(k, std::move(outs[1 + shape_.carried + k]), scans[k]);
    }

    for (size_t i = 0; i < shape_.carried; ++i)
      if (ctx.wants_output(i)) ctx.set_output(i, std::move(carried[i]));
    for (size_t k = 0; k < shape_.scans; ++k) write_scan_output(ctx, k, scans[k]);
  }

 private:
  void add_scan_element(size_t k, RtValue v, std::vector<Tensor>& acc) const {
    EMBER_CHECK(!v.is_sequence() && !v.is_none && v.tensor.defined(), InvalidModel, desc_, ": scan output ", k,
                " must be a tensor");
    if (!acc.empty())
      EMBER_CHECK(v.tensor.dtype() == acc[0].dtype() && v.tensor.shape() == acc[0].shape(), ShapeMismatch, desc_,
                  ": scan output ", k, " changed from ", dtype_name(acc[0].dtype()), dims_str(acc[0].shape()),
                  " to ", dtype_name(v.tensor.dtype()), dims_str(v.tensor.shape()), " between iterations");
    acc.push_back(std::move(v.tensor));
  }

  void write_scan_output(KernelContext& ctx, size_t k, const std::vector<Tensor>& elems) const {
    const size_t slot = shape_.carried + k;
    if (elems.empty()) {
      const ElemShape& e = scan_elems_[k];
      EMBER_CHECK(e.dtype != DType::Undefined && e.dims, Unsupported, desc_, ": the loop ran zero times and the "
                  "shape of scan output ", k, " is not known statically, so its empty result cannot be shaped");
      ctx.output(slot, e.dtype, stacked_shape(*e.dims, 0, 0));
      return;
    }
    Tensor& out = ctx.output(slot, elems[0].dtype(), stacked_shape(elems[0].shape(), 0, int64_t(elems.size())));
    stack_into(out, elems, 0, false);
  }

  std::string desc_;
  LoopShape shape_;
  std::shared_ptr<const Subgraph> body_;
  std::vector<size_t> captures_;
  std::vector<TypeInfo> carried_types_;  // the body's inputs as inferred (run-time check)
  std::vector<ElemShape> scan_elems_;
};

std::unique_ptr<Kernel> make_loop(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<LoopKernel>(node, f);
}

}  // namespace

void add_loop_ops(OpRegistry& r) {
  r.add(OpSchema{"Loop", "", 1, 1 << 30, infer_loop, make_loop, {}});
  register_body_input_typer("Loop", "", type_body_inputs);
}

}  // namespace ember::ops::control
