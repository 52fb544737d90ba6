// Scan at opset 8: like Scan-9 (scan_op.cc) but every value carries a leading batch axis, each
// batch entry is scanned on its own, and the scan axis is always axis 1:
//   node inputs:  sequence_lens (optional int64 [B]), N initial states [B, ...], then M scan
//                 inputs [B, T, ...]
//   body inputs:  N states, then one slice of each scan input (batch and scan axes removed)
//   body outputs: N updated states, then K per-iteration slices
//   node outputs: N final states [B, ...], then the K slices stacked as [B, T, ...]
// `directions` (one per scan input) = 1 walks that input in reverse. sequence_lens shorter
// than T leaves the padding of the outputs unspecified by the spec; it is refused.
#include "ops/control/control_ops.h"
#include "ops/control/scan_util.h"

namespace ember::ops::control {
namespace {

struct Scan8Attrs {
  size_t states = 0, scan_inputs = 0, scan_outputs = 0;
  std::vector<int64_t> dirs;
};

Scan8Attrs parse8(const ir::Node& node, const ir::Graph& body) {
  Scan8Attrs a;
  const int64_t m = node.attr_int("num_scan_inputs");
  const size_t explicit_in = node.explicit_input_count();
  EMBER_CHECK(m >= 1 && size_t(m) + 1 <= explicit_in, InvalidModel, node.describe(), ": num_scan_inputs ", m,
              " does not fit the node's ", explicit_in, " inputs (sequence_lens first)");
  a.scan_inputs = size_t(m);
  a.states = explicit_in - 1 - a.scan_inputs;
  EMBER_CHECK(node.outputs.size() >= a.states, InvalidModel, node.describe(), ": fewer outputs than states");
  a.scan_outputs = node.outputs.size() - a.states;
  EMBER_CHECK(body.inputs.size() == a.states + a.scan_inputs && body.outputs.size() == node.outputs.size(),
              InvalidModel, node.describe(), ": body '", body.name, "' takes ", body.inputs.size(), " inputs and gives ",
              body.outputs.size(), " outputs; expected ", a.states + a.scan_inputs, " and ", node.outputs.size());
  a.dirs = node.attr_ints("directions", std::vector<int64_t>(a.scan_inputs, 0));
  EMBER_CHECK(a.dirs.size() == a.scan_inputs, InvalidModel, node.describe(), ": attribute directions has ",
              a.dirs.size(), " entries, expected ", a.scan_inputs);
  for (int64_t d : a.dirs) EMBER_CHECK(d == 0 || d == 1, InvalidModel, node.describe(), ": bad scan direction ", d);
  return a;
}

// The known dimension `axis` among the node inputs [first, first + count).
ir::Dim known_dim(const InferContext& ctx, size_t first, size_t count, size_t axis) {
  for (size_t i = first; i < first + count; ++i) {
    const TypeInfo& t = ctx.input_type(i);
    if (t.has_shape && t.dims.size() > axis && t.dims[axis].known()) return t.dims[axis];
  }
  return {};
}

void infer_scan8(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const ir::Graph& body = require_body(node, "body");
  const Scan8Attrs a = parse8(node, body);
  if (ctx.has_input(0)) {
    const DType t = ctx.input_type(0).dtype;
    EMBER_CHECK(t == DType::Undefined || t == DType::Int64, TypeMismatch, node.describe(),
                ": sequence_lens must be int64, got ", dtype_name(t));
  }
  const ir::Dim batch = known_dim(ctx, 1, a.states + a.scan_inputs, 0);
  const ir::Dim len = known_dim(ctx, 1 + a.states, a.scan_inputs, 1);
  for (size_t i = 0; i < a.states; ++i)
    ctx.set_output(i, merge_alternatives(ctx.input_type(1 + i), insert_dim(body.outputs[i]->type, 0, batch), node,
                                         "state " + std::to_string(i)));
  for (size_t k = 0; k < a.scan_outputs; ++k)
    ctx.set_output(a.states + k, insert_dim(insert_dim(body.outputs[a.states + k]->type, 0, len), 0, batch));
}

class Scan8Kernel final : public Kernel {
 public:
  Scan8Kernel(const ir::Node& node, KernelFactoryContext& f)
      : a_(parse8(node, require_body(node, "body"))),
        body_(node, require_body(node, "body"), f, a_.states, a_.scan_inputs) {}

  void run(KernelContext& ctx) const override {
    const std::string& desc = body_.desc;
    int64_t batch = -1, len = -1;
    auto same = [&](int64_t& want, int64_t got, const char* what, size_t i) {
      EMBER_CHECK(want < 0 || got == want, ShapeMismatch, desc, ": input ", i, " has ", what, " ", got, ", expected ",
                  want);
      want = got;
    };
    std::vector<Tensor> states, xs;
    for (size_t i = 1; i < 1 + a_.states + a_.scan_inputs; ++i) {
      const Tensor& x = ctx.input(i);
      const bool scan = i > a_.states;
      EMBER_CHECK(x.dtype() != DType::String, Unsupported, desc, ": string inputs are not supported");
      EMBER_CHECK(x.rank() >= (scan ? 2u : 1u), InvalidArgument, desc, ": input ", i, " is ", dims_str(x.shape()),
                  "; states need a batch axis, scan inputs a batch and a scan axis");
      same(batch, x.dim(0), "batch size", i);
      if (scan) same(len, x.dim(1), "sequence length", i);
      (scan ? xs : states).push_back(x);
    }
    check_sequence_lens(ctx, batch, len);

    std::vector<std::vector<Tensor>> final_states(a_.states), outs(a_.scan_outputs);
    const std::vector<int64_t> axes(a_.scan_inputs, 0);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<RtValue> st;
      for (const Tensor& s : states) st.push_back(RtValue{slice_along(s, 0, b), nullptr, false});
      std::vector<Tensor> xb;
      for (const Tensor& x : xs) xb.push_back(slice_along(x, 0, b));
      body_.iterate(ctx, st, xb, axes, a_.dirs, len, outs);  // outs[k] collects batch-major
      for (size_t i = 0; i < a_.states; ++i) {
        const Tensor& s = st[i].tensor;
        EMBER_CHECK(!st[i].is_sequence() && !st[i].is_none && s.defined(), InvalidModel, desc, ": state ", i,
                    " must be a tensor");
        const std::vector<Tensor>& prev = final_states[i];
        EMBER_CHECK(prev.empty() || (s.dtype() == prev[0].dtype() && s.shape() == prev[0].shape()), ShapeMismatch,
                    desc, ": final state ", i, " differs in type or shape between batch entries");
        final_states[i].push_back(s);
      }
    }
    for (size_t i = 0; i < a_.states; ++i) {
      if (!ctx.wants_output(i)) continue;
      if (batch == 0) {
        ctx.set_output(i, ctx.input_value(1 + i));  // nothing ran: the (empty) initial state
        continue;
      }
      const Tensor& s0 = final_states[i][0];
      Tensor& out = ctx.output(i, s0.dtype(), stacked_shape(s0.shape(), 0, batch));
      stack_into(out, final_states[i], 0, false);
    }
    for (size_t k = 0; k < a_.scan_outputs; ++k) {
      const auto [dtype, elem_shape] = body_.elem_type(k, outs[k]);
      Dims shape = elem_shape;
      shape.insert(shape.begin(), {batch, len});
      // [B * T] elements in batch-major order are exactly the [B, T, ...] layout.
      stack_into(ctx.output(a_.states + k, dtype, shape), outs[k], 0, false);
    }
  }

 private:
  void check_sequence_lens(const KernelContext& ctx, int64_t batch, int64_t len) const {
    if (!ctx.has_input(0)) return;
    const Tensor& sl = ctx.input(0);
    EMBER_CHECK(sl.dtype() == DType::Int64 && sl.rank() == 1 && sl.dim(0) == batch, InvalidArgument, body_.desc,
                ": sequence_lens must be int64[", batch, "], got ", dtype_name(sl.dtype()), dims_str(sl.shape()));
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t n = sl.data<int64_t>()[b];
      EMBER_CHECK(n >= 0 && n <= len, InvalidArgument, body_.desc, ": sequence_lens[", b, "] = ", n,
                  " is outside [0, ", len, "]");
      EMBER_CHECK(n == len, Unsupported, body_.desc, ": sequence_lens[", b, "] = ", n,
                  " is shorter than the sequence length ", len, "; only full-length sequences are supported");
    }
  }

  Scan8Attrs a_;
  ScanBody body_;
};

std::unique_ptr<Kernel> make_scan8(const ir::Node& node, KernelFactoryContext& f) {
  return std::make_unique<Scan8Kernel>(node, f);
}

}  // namespace

// States lose their batch axis, scan inputs their batch and scan axes.
void type_scan8_body_inputs(ir::Node& node) {
  ir::Graph* body = mutable_body(node, "body");
  if (!body) return;
  const Scan8Attrs a = parse8(node, *body);
  for (size_t i = 0; i < a.states + a.scan_inputs; ++i) {
    const ir::Value* in = node.inputs[1 + i];
    if (!in) continue;
    TypeInfo t = remove_dim(in->type, 0);
    if (i >= a.states) t = remove_dim(t, 0);
    fill_body_input(body->inputs[i], t, node);
  }
}

void add_scan8_ops(OpRegistry& r) { r.add(OpSchema{"Scan", "", 8, 8, infer_scan8, make_scan8, {}}); }

}  // namespace ember::ops::control
