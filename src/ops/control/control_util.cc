#include "ops/control/control_util.h"

#include <cstring>

namespace ember::ops::control {

namespace {

// Where `body`'s captures start among the node's implicit inputs under the importer's
// convention: the captures of every body in turn, bodies in attribute-name order.
size_t capture_offset(const ir::Node& node, const ir::Graph& body) {
  size_t offset = 0;
  for (const auto& [name, a] : node.attrs) {
    if (a.g.get() == &body) return offset;
    if (a.g) offset += a.g->captures.size();
    for (const auto& g : a.graphs) {
      if (g.get() == &body) return offset;
      offset += g->captures.size();
    }
  }
  return 0;
}

}  // namespace

std::vector<size_t> capture_inputs(const ir::Node& node, const ir::Graph& body) {
  const size_t first = node.explicit_input_count();
  const size_t base = first + capture_offset(node, body);
  std::vector<size_t> idx;
  for (size_t c = 0; c < body.captures.size(); ++c) {
    const std::string& name = body.captures[c]->name;
    const size_t at = base + c;
    size_t found = SIZE_MAX;
    if (at < node.inputs.size() && node.inputs[at] && node.inputs[at]->name == name) found = at;
    for (size_t i = first; found == SIZE_MAX && i < node.inputs.size(); ++i)
      if (node.inputs[i] && node.inputs[i]->name == name) found = i;
    if (found == SIZE_MAX && at < node.inputs.size()) found = at;
    EMBER_CHECK(found != SIZE_MAX, InvalidModel, node.describe(), ": body '", body.name,
                "' uses outer value '", name, "' but the node has no implicit input for it");
    idx.push_back(found);
  }
  return idx;
}

void append_captures(const KernelContext& ctx, const std::vector<size_t>& indices, std::vector<RtValue>& inputs) {
  for (size_t i : indices) inputs.push_back(ctx.input_value(i));
}

const ir::Graph& require_body(const ir::Node& node, const char* name) {
  const ir::Graph* g = node.attr_graph(name);
  EMBER_CHECK(g, InvalidModel, node.describe(), ": missing graph attribute '", name, "'");
  return *g;
}

TypeInfo merge_alternatives(const TypeInfo& a, const TypeInfo& b, const ir::Node& node, const std::string& what) {
  if (a.kind != b.kind) {  // e.g. a declared optional vs a tensor: keep only what is certain
    TypeInfo t;
    t.kind = a.kind;
    t.dtype = a.dtype == b.dtype ? a.dtype : DType::Undefined;
    return t;
  }
  EMBER_CHECK(a.dtype == DType::Undefined || b.dtype == DType::Undefined || a.dtype == b.dtype, InvalidModel,
              node.describe(), ": ", what, " is ", a.str(), " on one path and ", b.str(), " on the other");
  TypeInfo t;
  t.kind = a.kind;
  t.dtype = a.dtype != DType::Undefined ? a.dtype : b.dtype;
  if (a.elem && b.elem) t.elem = std::make_shared<TypeInfo>(merge_alternatives(*a.elem, *b.elem, node, what));
  if (a.has_shape && b.has_shape && a.dims.size() == b.dims.size()) {
    t.has_shape = true;
    t.dims.resize(a.dims.size());
    for (size_t i = 0; i < a.dims.size(); ++i) {
      const ir::Dim &x = a.dims[i], &y = b.dims[i];
      if (x.known() && y.known() && x.value == y.value) t.dims[i] = x;
      else if (!x.known() && !y.known() && !x.symbol.empty() && x.symbol == y.symbol) t.dims[i] = x;
    }
  }
  return t;
}

TypeInfo insert_dim(const TypeInfo& elem, int64_t axis, ir::Dim d) {
  TypeInfo t = TypeInfo::tensor_unknown_shape(elem.dtype);
  if (!elem.has_shape || axis < 0 || axis > int64_t(elem.dims.size())) return t;
  t.has_shape = true;
  t.dims = elem.dims;
  t.dims.insert(t.dims.begin() + axis, d);
  return t;
}

ElemShape static_elem_shape(const ir::Value* v) {
  ElemShape e;
  if (!v || v->type.kind != ir::ValueKind::Tensor) return e;
  e.dtype = v->type.dtype;
  if (v->type.is_static()) e.dims = v->type.static_dims();
  return e;
}

Dims stacked_shape(const Dims& elem_shape, int64_t axis, int64_t count) {
  Dims s = elem_shape;
  s.insert(s.begin() + axis, count);
  return s;
}

void stack_into(Tensor& out, const std::vector<Tensor>& elems, int64_t axis, bool reverse) {
  if (elems.empty()) return;
  const Dims& es = elems[0].shape();
  EMBER_CHECK(out.dtype() != DType::String, Unsupported, "stacking string tensors is not supported");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < int64_t(es.size()); ++i) (i < axis ? outer : inner) *= es[size_t(i)];
  const size_t esz = dtype_size(out.dtype());
  const int64_t count = int64_t(elems.size());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t t = 0; t < count; ++t) {
    const int64_t pos = reverse ? count - 1 - t : t;
    const char* src = static_cast<const char*>(elems[size_t(t)].raw());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(dst + size_t((o * count + pos) * inner) * esz, src + size_t(o * inner) * esz, size_t(inner) * esz);
  }
}

ir::Graph* mutable_body(ir::Node& node, const char* name) {
  auto it = node.attrs.find(name);
  return it == node.attrs.end() ? nullptr : it->second.g.get();
}

TypeInfo without_shape(const TypeInfo& t) {
  TypeInfo out = t;
  out.has_shape = false;
  out.dims.clear();
  if (t.elem) out.elem = std::make_shared<TypeInfo>(without_shape(*t.elem));
  return out;
}

TypeInfo remove_dim(const TypeInfo& t, int64_t axis) {
  TypeInfo out = TypeInfo::tensor_unknown_shape(t.dtype);
  if (t.kind != ir::ValueKind::Tensor || !t.has_shape) return out;
  const int64_t rank = int64_t(t.dims.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return out;
  out.has_shape = true;
  out.dims = t.dims;
  out.dims.erase(out.dims.begin() + axis);
  return out;
}

void fill_body_input(ir::Value* v, const TypeInfo& given, const ir::Node& node) {
  if (!v) return;
  TypeInfo& d = v->type;
  const bool untyped = d.kind == ir::ValueKind::Tensor && d.dtype == DType::Undefined && !d.has_shape && !d.elem;
  if (untyped) {
    d = given;
    return;
  }
  if (d.kind != given.kind) return;  // e.g. declared optional, fed a tensor: leave it to the op
  EMBER_CHECK(d.dtype == DType::Undefined || given.dtype == DType::Undefined || d.dtype == given.dtype, InvalidModel,
              node.describe(), ": body input '", v->name, "' is declared as ", d.str(), " but receives ", given.str());
  if (d.dtype == DType::Undefined) d.dtype = given.dtype;
  if (!d.elem && given.elem) d.elem = given.elem;
  if (!d.has_shape && given.has_shape) {
    d.has_shape = true;
    d.dims = given.dims;
  } else if (d.has_shape && given.has_shape && d.dims.size() == given.dims.size()) {
    for (size_t i = 0; i < d.dims.size(); ++i)
      if (!d.dims[i].known() && d.dims[i].symbol.empty()) d.dims[i] = given.dims[i];  // a symbol is declared
  }
}

void check_body_input(const RtValue& v, const TypeInfo& t, const std::string& node, const std::string& what) {
  if (v.is_sequence() || v.is_none || !v.tensor.defined() || t.kind != ir::ValueKind::Tensor) return;
  const Tensor& x = v.tensor;
  bool ok = t.dtype == DType::Undefined || t.dtype == x.dtype();
  if (ok && t.has_shape) {
    ok = t.dims.size() == x.rank();
    for (size_t d = 0; ok && d < t.dims.size(); ++d) ok = !t.dims[d].known() || t.dims[d].value == x.dim(d);
  }
  EMBER_CHECK(ok, Unsupported, node, ": ", what, " is ", dtype_name(x.dtype()), dims_str(x.shape()),
              " but the body was typed and planned for ", t.str(),
              " (a value whose type or shape changes between iterations is not supported)");
}

bool read_condition(const Tensor& t, const std::string& node, const char* what) {
  EMBER_CHECK(t.dtype() == DType::Bool, TypeMismatch, node, ": ", what, " must be bool, got ", dtype_name(t.dtype()));
  EMBER_CHECK(t.numel() == 1, ShapeMismatch, node, ": ", what, " must hold one element, got shape ",
              dims_str(t.shape()));
  return t.data<bool>()[0];
}

}  // namespace ember::ops::control
