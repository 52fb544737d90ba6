// Scan (opset 9+; opset 8's batched form with sequence_lens is not registered, so such models
// get the registry's "not supported at opset 8" error):
//   node inputs:  N initial state values, then M scan inputs
//   body inputs:  N states, then one slice of each scan input (its scan axis removed)
//   body outputs: N updated states, then K per-iteration slices
//   node outputs: N final states, then the K slices stacked along scan_output_axes
// scan_input_directions / scan_output_directions = 1 walk / fill in reverse order.
#include <cstring>

#include "ops/control/control_ops.h"
#include "ops/control/control_util.h"
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

// Slice `index` of `x` along `axis`, without that axis. Axis 0 slices are views (kept alive by
// a copy of the tensor handle); others are gathered into a fresh tensor.
Tensor slice_along(const Tensor& x, int64_t axis, int64_t index) {
  Dims shape = x.shape();
  shape.erase(shape.begin() + axis);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < int64_t(x.rank()); ++i)
    if (i != axis) (i < axis ? outer : inner) *= x.dim(size_t(i));
  const int64_t n = x.dim(size_t(axis));
  const size_t esz = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  if (outer == 1) {
    auto keep = std::make_shared<Tensor>(x);
    return Tensor::wrap(x.dtype(), shape, const_cast<char*>(src) + size_t(index * inner) * esz, keep);
  }
  Tensor out(x.dtype(), shape);
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + size_t(o * inner) * esz, src + size_t((o * n + index) * inner) * esz, size_t(inner) * esz);
  return out;
}

class ScanKernel final : public Kernel {
 public:
  ScanKernel(const ir::Node& node, KernelFactoryContext& f) : desc_(node.describe()) {
    const ir::Graph& body = require_body(node, "body");
    a_ = parse(node, body);
    body_ = f.compile_subgraph(body);
    captures_ = capture_inputs(node, body);
    for (size_t k = 0; k < a_.scan_outputs; ++k) elems_.push_back(static_elem_shape(body.outputs[a_.states + k]));
    node_.name = node.name;
    node_.op_type = node.op_type;
    node_.opset = node.opset;
  }

  void run(KernelContext& ctx) const override {
    int64_t len = -1;
    std::vector<int64_t> in_axes;
    for (size_t j = 0; j < a_.scan_inputs; ++j) {
      const Tensor& x = ctx.input(a_.states + j);
      EMBER_CHECK(x.dtype() != DType::String, Unsupported, desc_, ": string scan inputs are not supported");
      EMBER_CHECK(x.rank() >= 1, InvalidArgument, desc_, ": scan input ", j, " is a scalar");
      const int64_t ax = normalize_axis(a_.in_axes[j], int64_t(x.rank()), node_);
      EMBER_CHECK(len < 0 || x.dim(size_t(ax)) == len, ShapeMismatch, desc_, ": scan input ", j, " has length ",
                  x.dim(size_t(ax)), " along its scan axis, expected ", len);
      len = x.dim(size_t(ax));
      in_axes.push_back(ax);
    }
    std::vector<RtValue> states;
    for (size_t i = 0; i < a_.states; ++i) states.push_back(ctx.input_value(i));
    std::vector<std::vector<Tensor>> outs(a_.scan_outputs);
    for (int64_t t = 0; t < len; ++t) {
      std::vector<RtValue> inputs;
      for (RtValue& s : states) inputs.push_back(std::move(s));
      for (size_t j = 0; j < a_.scan_inputs; ++j) {
        const int64_t idx = a_.in_dirs[j] ? len - 1 - t : t;
        inputs.push_back(RtValue{slice_along(ctx.input(a_.states + j), in_axes[j], idx), nullptr, false});
      }
      append_captures(ctx, captures_, inputs);
      std::vector<RtValue> r = body_->run(ctx, std::move(inputs));
      EMBER_CHECK(r.size() == a_.states + a_.scan_outputs, InvalidModel, desc_, ": body produced ", r.size(), " outputs");
      for (size_t i = 0; i < a_.states; ++i) states[i] = std::move(r[i]);
      for (size_t k = 0; k < a_.scan_outputs; ++k) {
        Tensor& e = r[a_.states + k].tensor;
        EMBER_CHECK(e.defined(), InvalidModel, desc_, ": scan output ", k, " must be a tensor");
        EMBER_CHECK(outs[k].empty() || (e.shape() == outs[k][0].shape() && e.dtype() == outs[k][0].dtype()),
                    ShapeMismatch, desc_, ": scan output ", k, " changed shape between iterations");
        outs[k].push_back(std::move(e));
      }
    }
    for (size_t i = 0; i < a_.states; ++i)
      if (ctx.wants_output(i)) ctx.set_output(i, std::move(states[i]));
    for (size_t k = 0; k < a_.scan_outputs; ++k) write_output(ctx, k, outs[k]);
  }

 private:
  void write_output(KernelContext& ctx, size_t k, const std::vector<Tensor>& elems) const {
    DType dtype;
    Dims elem_shape;
    if (elems.empty()) {
      EMBER_CHECK(elems_[k].dtype != DType::Undefined && elems_[k].dims, Unsupported, desc_,
                  ": zero iterations and the shape of scan output ", k, " is not known statically");
      dtype = elems_[k].dtype;
      elem_shape = *elems_[k].dims;
    } else {
      dtype = elems[0].dtype();
      elem_shape = elems[0].shape();
    }
    const int64_t ax = normalize_axis(a_.out_axes[k], int64_t(elem_shape.size()) + 1, node_);
    Tensor& out = ctx.output(a_.states + k, dtype, stacked_shape(elem_shape, ax, int64_t(elems.size())));
    stack_into(out, elems, ax, a_.out_dirs[k] != 0);
  }

  std::string desc_;
  ScanAttrs a_;
  std::shared_ptr<const Subgraph> body_;
  std::vector<size_t> captures_;
  std::vector<ElemShape> elems_;
  ir::Node node_;  // identity only (no edges or attributes), for normalize_axis messages
};

std::unique_ptr<Kernel> make_scan(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<ScanKernel>(node, f);
}

}  // namespace

void add_scan_ops(OpRegistry& r) { r.add(OpSchema{"Scan", "", 9, 1 << 30, infer_scan, make_scan, {}}); }

}  // namespace ember::ops::control
