// Scan (opset 9+; opset 8's batched form is in scan8_op.cc):
//   node inputs:  N initial state values, then M scan inputs
//   body inputs:  N states, then one slice of each scan input (its scan axis removed)
//   body outputs: N updated states, then K per-iteration slices
//   node outputs: N final states, then the K slices stacked along scan_output_axes
// scan_input_directions / scan_output_directions = 1 walk / fill in reverse order.
#include "ops/control/control_ops.h"
#include "ops/control/scan_util.h"
#include "ops/graph_inference.h"
#include "ops/op_util.h"

namespace ember::ops::control {
namespace {

struct ScanAttrs {
  size_t states = 0, scan_inputs = 0, scan_outputs = 0;
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;  // as written (axes may be negative)
};

std::vector<int64_t> per_item(const ir::Node& node, const char* name, size_t count) {
  std::vector<int64_t> v = node.attr_ints(name, std::vector<int64_t>(count, 0));
  EMBER_CHECK(v.size() == count, InvalidModel, node.describe(), ": attribute ", name, " has ", v.size(),
              " entries, expected ", count);
  return v;
}

ScanAttrs parse(const ir::Node& node, const ir::Graph& body) {
  ScanAttrs a;
  const int64_t m = node.attr_int("num_scan_inputs");
  const size_t explicit_in = node.explicit_input_count();
  EMBER_CHECK(m >= 1 && size_t(m) <= explicit_in, InvalidModel, node.describe(), ": num_scan_inputs ", m,
              " does not fit the node's ", explicit_in, " inputs");
  a.scan_inputs = size_t(m);
  a.states = explicit_in - a.scan_inputs;
  EMBER_CHECK(node.outputs.size() >= a.states, InvalidModel, node.describe(), ": fewer outputs than states");
  a.scan_outputs = node.outputs.size() - a.states;
  EMBER_CHECK(body.inputs.size() == a.states + a.scan_inputs && body.outputs.size() == node.outputs.size(),
              InvalidModel, node.describe(), ": body '", body.name, "' takes ", body.inputs.size(), " inputs and gives ",
              body.outputs.size(), " outputs; expected ", a.states + a.scan_inputs, " and ", node.outputs.size());
  a.in_axes = per_item(node, "scan_input_axes", a.scan_inputs);
  a.in_dirs = per_item(node, "scan_input_directions", a.scan_inputs);
  a.out_axes = per_item(node, "scan_output_axes", a.scan_outputs);
  a.out_dirs = per_item(node, "scan_output_directions", a.scan_outputs);
  for (int64_t d : a.in_dirs) EMBER_CHECK(d == 0 || d == 1, InvalidModel, node.describe(), ": bad scan direction ", d);
  for (int64_t d : a.out_dirs) EMBER_CHECK(d == 0 || d == 1, InvalidModel, node.describe(), ": bad scan direction ", d);
  return a;
}

// Body inputs: the states' types as given (onnx's inference does the same; a state whose
// shape changes is refused at run time), and the scan inputs' without their scan axis.
void type_body_inputs(ir::Node& node) {
  ir::Graph* body = mutable_body(node, "body");
  if (!body) return;
  const ScanAttrs a = parse(node, *body);  // malformed nodes: infer_scan reports the same error
  for (size_t i = 0; i < a.states + a.scan_inputs; ++i) {
    const ir::Value* in = node.inputs[i];
    if (!in) continue;
    fill_body_input(body->inputs[i], i < a.states ? in->type : remove_dim(in->type, a.in_axes[i - a.states]), node);
  }
}

void infer_scan(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const ir::Graph& body = require_body(node, "body");
  const ScanAttrs a = parse(node, body);
  for (size_t i = 0; i < a.states; ++i)
    ctx.set_output(i, merge_alternatives(ctx.input_type(i), body.outputs[i]->type, node, "state " + std::to_string(i)));
  // The sequence length, when some scan input's scan dimension is known.
  ir::Dim len;
  for (size_t j = 0; j < a.scan_inputs; ++j) {
    const TypeInfo& t = ctx.input_type(a.states + j);
    if (!t.has_shape) continue;
    const int64_t ax = normalize_axis(a.in_axes[j], int64_t(t.dims.size()), node);
    if (t.dims[size_t(ax)].known()) len = t.dims[size_t(ax)];
  }
  for (size_t k = 0; k < a.scan_outputs; ++k) {
    const TypeInfo& elem = body.outputs[a.states + k]->type;
    TypeInfo out = TypeInfo::tensor_unknown_shape(elem.dtype);
    if (elem.has_shape) {
      const int64_t ax = normalize_axis(a.out_axes[k], int64_t(elem.dims.size()) + 1, node);
      out = insert_dim(elem, ax, len);
    }
    ctx.set_output(a.states + k, out);
  }
}

class ScanKernel final : public Kernel {
 public:
  ScanKernel(const ir::Node& node, KernelFactoryContext& f)
      : a_(parse(node, require_body(node, "body"))), body_(node, require_body(node, "body"), f, a_.states, a_.scan_inputs) {
    node_.name = node.name;
    node_.op_type = node.op_type;
    node_.opset = node.opset;
  }

  void run(KernelContext& ctx) const override {
    const std::string& desc = body_.desc;
    int64_t len = -1;
    std::vector<int64_t> in_axes;
    std::vector<Tensor> xs;
    for (size_t j = 0; j < a_.scan_inputs; ++j) {
      const Tensor& x = ctx.input(a_.states + j);
      EMBER_CHECK(x.dtype() != DType::String, Unsupported, desc, ": string scan inputs are not supported");
      EMBER_CHECK(x.rank() >= 1, InvalidArgument, desc, ": scan input ", j, " is a scalar");
      const int64_t ax = normalize_axis(a_.in_axes[j], int64_t(x.rank()), node_);
      EMBER_CHECK(len < 0 || x.dim(size_t(ax)) == len, ShapeMismatch, desc, ": scan input ", j, " has length ",
                  x.dim(size_t(ax)), " along its scan axis, expected ", len);
      len = x.dim(size_t(ax));
      in_axes.push_back(ax);
      xs.push_back(x);
    }
    std::vector<RtValue> states;
    for (size_t i = 0; i < a_.states; ++i) states.push_back(ctx.input_value(i));
    std::vector<std::vector<Tensor>> outs(a_.scan_outputs);
    body_.iterate(ctx, states, xs, in_axes, a_.in_dirs, len, outs);
    for (size_t i = 0; i < a_.states; ++i)
      if (ctx.wants_output(i)) ctx.set_output(i, std::move(states[i]));
    for (size_t k = 0; k < a_.scan_outputs; ++k) {
      const auto [dtype, elem_shape] = body_.elem_type(k, outs[k]);
      const int64_t ax = normalize_axis(a_.out_axes[k], int64_t(elem_shape.size()) + 1, node_);
      Tensor& out = ctx.output(a_.states + k, dtype, stacked_shape(elem_shape, ax, int64_t(outs[k].size())));
      stack_into(out, outs[k], ax, a_.out_dirs[k] != 0);
    }
  }

 private:
  ScanAttrs a_;
  ScanBody body_;
  ir::Node node_;  // identity only (no edges or attributes), for normalize_axis messages
};

std::unique_ptr<Kernel> make_scan(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<ScanKernel>(node, f);
}

}  // namespace

void add_scan_ops(OpRegistry& r) {
  r.add(OpSchema{"Scan", "", 9, 1 << 30, infer_scan, make_scan, {}});
  add_scan8_ops(r);
  register_body_input_typer("Scan", "", [](ir::Node& node) {
    if (node.opset >= 9) type_body_inputs(node);
    else type_scan8_body_inputs(node);
  });
}

}  // namespace ember::ops::control
