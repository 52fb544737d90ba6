#include "ops/control/scan_util.h"

#include <cstring>

namespace ember::ops::control {

Tensor slice_along(const Tensor& x, int64_t axis, int64_t index) {
  Dims shape = x.shape();
  shape.erase(shape.begin() + axis);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < int64_t(x.rank()); ++i)
    if (i != axis) (i < axis ? outer : inner) *= x.dim(size_t(i));
  const int64_t n = x.dim(size_t(axis));
  const size_t esz = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  if (outer == 1) {  // a view, kept alive by a copy of the tensor handle
    auto keep = std::make_shared<Tensor>(x);
    return Tensor::wrap(x.dtype(), shape, const_cast<char*>(src) + size_t(index * inner) * esz, keep);
  }
  Tensor out(x.dtype(), shape);
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + size_t(o * inner) * esz, src + size_t((o * n + index) * inner) * esz, size_t(inner) * esz);
  return out;
}

ScanBody::ScanBody(const ir::Node& node, const ir::Graph& body, KernelFactoryContext& f, size_t n_states,
                   size_t n_scan_inputs)
    : desc(node.describe()), states(n_states), scan_inputs(n_scan_inputs) {
  EMBER_CHECK(body.inputs.size() == states + scan_inputs && body.outputs.size() >= states, InvalidModel, desc,
              ": body '", body.name, "' takes ", body.inputs.size(), " inputs and gives ", body.outputs.size(),
              " outputs; expected ", states + scan_inputs, " inputs and at least ", states, " outputs");
  scan_outputs = body.outputs.size() - states;
  graph = f.compile_subgraph(body);
  captures = capture_inputs(node, body);
  for (const ir::Value* v : body.inputs) input_types.push_back(v->type);
  for (size_t k = 0; k < scan_outputs; ++k) elems.push_back(static_elem_shape(body.outputs[states + k]));
}

void ScanBody::iterate(KernelContext& ctx, std::vector<RtValue>& st, const std::vector<Tensor>& xs,
                       const std::vector<int64_t>& axes, const std::vector<int64_t>& reverse, int64_t len,
                       std::vector<std::vector<Tensor>>& outs) const {
  for (int64_t t = 0; t < len; ++t) {
    std::vector<RtValue> inputs;
    inputs.reserve(states + scan_inputs + captures.size());
    for (size_t i = 0; i < states; ++i) {
      check_body_input(st[i], input_types[i], desc, "state " + std::to_string(i));
      inputs.push_back(std::move(st[i]));
    }
    for (size_t j = 0; j < scan_inputs; ++j) {
      const int64_t idx = reverse[j] ? len - 1 - t : t;
      inputs.push_back(RtValue{slice_along(xs[j], axes[j], idx), nullptr, false});
      if (t == 0) check_body_input(inputs.back(), input_types[states + j], desc, "a slice of scan input " + std::to_string(j));
    }
    append_captures(ctx, captures, inputs);
    std::vector<RtValue> r = graph->run(ctx, std::move(inputs));
    EMBER_CHECK(r.size() == states + scan_outputs, InvalidModel, desc, ": body produced ", r.size(), " outputs");
    for (size_t i = 0; i < states; ++i) st[i] = std::move(r[i]);
    for (size_t k = 0; k < scan_outputs; ++k) {
      RtValue& e = r[states + k];
      EMBER_CHECK(!e.is_sequence() && !e.is_none && e.tensor.defined(), InvalidModel, desc, ": scan output ", k,
                  " must be a tensor");
      EMBER_CHECK(e.tensor.dtype() != DType::String, Unsupported, desc, ": string scan outputs are not supported");
      EMBER_CHECK(outs[k].empty() || (e.tensor.shape() == outs[k][0].shape() && e.tensor.dtype() == outs[k][0].dtype()),
                  ShapeMismatch, desc, ": scan output ", k, " changed from ", dtype_name(outs[k][0].dtype()),
                  dims_str(outs[k][0].shape()), " to ", dtype_name(e.tensor.dtype()), dims_str(e.tensor.shape()),
                  " between iterations");
      outs[k].push_back(std::move(e.tensor));
    }
  }
}

std::pair<DType, Dims> ScanBody::elem_type(size_t k, const std::vector<Tensor>& es) const {
  if (!es.empty()) return {es[0].dtype(), es[0].shape()};
  EMBER_CHECK(elems[k].dtype != DType::Undefined && elems[k].dims, Unsupported, desc,
              ": no iterations ran and the shape of scan output ", k, " is not known statically");
  return {elems[k].dtype, *elems[k].dims};
}

}  // namespace ember::ops::control
