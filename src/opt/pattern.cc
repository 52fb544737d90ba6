#include "opt/pattern.h"

#include <algorithm>
#include <cmath>

#include "ops/op_util.h"

namespace ember::opt {

bool is_op(const ir::Node* n, const char* op_type, const char* domain) {
  return n && n->op_type == op_type && n->domain == domain;
}

ir::Node* producer_of(const ir::Value* v, const char* op_type, const char* domain) {
  return v && is_op(v->producer, op_type, domain) ? v->producer : nullptr;
}

bool has_single_use(const ir::Value* v) {
  if (!v || v->is_output || v->consumers.size() != 1) return false;
  // A node may list the value twice (x * x): that is two uses.
  const ir::Node* c = v->consumers[0];
  return std::count(c->inputs.begin(), c->inputs.end(), v) == 1;
}

ir::Node* sole_consumer(const ir::Value* v) { return has_single_use(v) ? v->consumers[0] : nullptr; }

const Tensor* constant_of(const ir::Value* v) {
  return v && v->constant && !v->is_input ? &*v->constant : nullptr;
}

std::optional<double> scalar_of(const ir::Value* v) {
  const Tensor* t = constant_of(v);
  if (!t || t->numel() != 1) return std::nullopt;
  switch (t->dtype()) {
    case DType::Float32: case DType::Float64: case DType::Float16: case DType::BFloat16:
    case DType::Int32: case DType::Int64:
      return ops::read_doubles(*t)[0];
    default:
      return std::nullopt;
  }
}

bool is_scalar(const ir::Value* v, double want) {
  const std::optional<double> s = scalar_of(v);
  return s && std::fabs(*s - want) <= 1e-5 * std::max(1.0, std::fabs(want));
}

ir::Value* other_input(const ir::Node* n, const ir::Value* v) {
  if (!n || n->inputs.size() != 2) return nullptr;
  if (n->inputs[0] == v) return n->inputs[1];
  if (n->inputs[1] == v) return n->inputs[0];
  return nullptr;
}

std::optional<Dims> static_shape(const ir::Value* v) {
  if (!v || !v->type.is_static()) return std::nullopt;
  return v->type.static_dims();
}

bool per_channel_constant(const ir::Value* v, size_t r) {
  const Tensor* t = constant_of(v);
  if (!t || size_t(t->rank()) > r) return false;
  for (size_t i = 0; i < size_t(t->rank()); ++i) {
    const size_t axis = r - size_t(t->rank()) + i;
    if (axis != 1 && t->dim(int64_t(i)) != 1) return false;
  }
  return true;
}

bool same_dim(const ir::Dim& a, const ir::Dim& b) {
  if (a.known() || b.known()) return a.value == b.value;
  return !a.symbol.empty() && a.symbol == b.symbol;
}

bool same_shape(const ir::Value* a, const ir::Value* b) {
  if (!a || !b || a->type.kind != ir::ValueKind::Tensor || b->type.kind != ir::ValueKind::Tensor ||
      !a->type.has_shape || !b->type.has_shape || a->type.dims.size() != b->type.dims.size())
    return false;
  for (size_t i = 0; i < a->type.dims.size(); ++i)
    if (!same_dim(a->type.dims[i], b->type.dims[i])) return false;
  return true;
}

std::optional<size_t> rank_of(const ir::Value* v) {
  if (!v || v->type.kind != ir::ValueKind::Tensor || !v->type.has_shape) return std::nullopt;
  return v->type.dims.size();
}

std::optional<int64_t> known_dim(const ir::Value* v, int64_t axis) {
  const std::optional<size_t> r = rank_of(v);
  if (!r) return std::nullopt;
  if (axis < 0) axis += int64_t(*r);
  if (axis < 0 || axis >= int64_t(*r) || !v->type.dims[size_t(axis)].known()) return std::nullopt;
  return v->type.dims[size_t(axis)].value;
}

bool has_inputs(const ir::Node* n, size_t count) {
  if (!n || n->explicit_input_count() != count) return false;
  return std::all_of(n->inputs.begin(), n->inputs.begin() + long(count), [](const ir::Value* v) { return v; });
}

namespace {

// Clip's bounds: attributes before opset 11, optional constant inputs after (absent = no bound).
std::optional<std::vector<float>> clip_bounds(const ir::Node* n) {
  if (n->opset < 11) return std::vector<float>{n->attr_float("min", -INFINITY), n->attr_float("max", INFINITY)};
  std::vector<float> b = {-INFINITY, INFINITY};
  for (size_t i = 1; i < 3; ++i) {
    if (i >= n->inputs.size() || !n->inputs[i]) continue;
    const std::optional<double> s = scalar_of(n->inputs[i]);
    if (!s) return std::nullopt;
    b[i - 1] = float(*s);
  }
  if (b[0] > b[1]) return std::nullopt;
  return b;
}

}  // namespace

std::optional<ActivationMatch> match_activation(const ir::Value* v) {
  if (!v || v->is_output || v->type.dtype != DType::Float32) return std::nullopt;
  if (v->consumers.size() == 2) {  // Silu: Mul(v, Sigmoid(v))
    const ir::Node* sig = v->consumers[0]->op_type == "Sigmoid" ? v->consumers[0] : v->consumers[1];
    const ir::Node* mul = sig == v->consumers[0] ? v->consumers[1] : v->consumers[0];
    if (!is_op(sig, "Sigmoid") || !is_op(mul, "Mul") || !has_single_use(sig->outputs[0]) ||
        sole_consumer(sig->outputs[0]) != mul || other_input(mul, sig->outputs[0]) != v)
      return std::nullopt;
    return ActivationMatch{"Silu", {}, {sig, mul}, mul->outputs[0]};
  }
  const ir::Node* n = sole_consumer(v);
  if (!n || n->inputs.empty() || n->inputs[0] != v || n->outputs.size() != 1) return std::nullopt;
  ActivationMatch m{"", {}, {n}, n->outputs[0]};
  if (is_op(n, "Relu")) m.name = "Relu";
  else if (is_op(n, "Sigmoid")) m.name = "Sigmoid";
  else if (is_op(n, "HardSwish")) m.name = "HardSwish";
  else if (is_op(n, "LeakyRelu")) m = {"LeakyRelu", {n->attr_float("alpha", 0.01f)}, {n}, n->outputs[0]};
  else if (is_op(n, "HardSigmoid"))
    m = {"HardSigmoid", {n->attr_float("alpha", 0.2f), n->attr_float("beta", 0.5f)}, {n}, n->outputs[0]};
  else if (is_op(n, "Clip")) {
    const std::optional<std::vector<float>> b = clip_bounds(n);
    if (!b) return std::nullopt;
    m.name = "Clip";
    m.params = *b;
  } else if (is_op(n, "Swish") && n->attr_float("alpha", 1.0f) == 1.0f) m.name = "Silu";
  else if (is_op(n, "Gelu") || is_op(n, "Gelu", kEmberDomain))
    m.name = n->attr_string("approximate", "none") == "tanh" ? "GeluTanh" : "Gelu";
  else return std::nullopt;
  return m;
}

bool Claims::free(const std::vector<const ir::Node*>& nodes) const {
  return std::none_of(nodes.begin(), nodes.end(), [&](const ir::Node* n) { return taken_.count(n) > 0; });
}

bool Claims::claim(const std::vector<const ir::Node*>& nodes) {
  if (!free(nodes)) return false;
  taken_.insert(nodes.begin(), nodes.end());
  return true;
}

std::vector<std::string> source_names(const std::vector<const ir::Node*>& nodes) {
  std::vector<std::string> names;
  for (const ir::Node* n : nodes) {
    if (!n->fused_from.empty()) names.insert(names.end(), n->fused_from.begin(), n->fused_from.end());
    else names.push_back(n->name);
  }
  return names;
}

std::string join_names(const std::vector<const ir::Node*>& nodes) {
  std::string s;
  for (const ir::Node* n : nodes) s += (s.empty() ? "" : " + ") + (n->name.empty() ? n->op_type : n->name);
  return s;
}

ir::Node* replace_with(ir::Graph& g, const std::vector<const ir::Node*>& replaced, NewNode spec, bool fused) {
  if (fused && spec.domain == kEmberDomain)  // only ember ops declare it; standard ops stay valid ONNX
    set_attr(spec, attr_strings("source_nodes", source_names(replaced)));
  std::vector<std::string> from = fused ? source_names(replaced) : std::vector<std::string>{};
  ir::Node* added = edit::replace_nodes(g, replaced, std::move(spec));
  added->fused_from = std::move(from);
  return added;
}

ir::Attribute attr_int(const std::string& name, int64_t v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Int;
  a.i = v;
  return a;
}

ir::Attribute attr_float(const std::string& name, float v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Float;
  a.f = v;
  return a;
}

ir::Attribute attr_string(const std::string& name, const std::string& v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::String;
  a.s = v;
  return a;
}

ir::Attribute attr_floats(const std::string& name, std::vector<float> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Floats;
  a.floats = std::move(v);
  return a;
}

ir::Attribute attr_ints(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Ints;
  a.ints = std::move(v);
  return a;
}

ir::Attribute attr_strings(const std::string& name, std::vector<std::string> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Strings;
  a.strings = std::move(v);
  return a;
}

int onnx_opset(const PassContext& ctx) {
  if (!ctx.model) return 0;
  auto it = ctx.model->opset_imports.find("");
  if (it == ctx.model->opset_imports.end()) it = ctx.model->opset_imports.find("ai.onnx");
  return it == ctx.model->opset_imports.end() ? 0 : it->second;
}

NewNode ember_node_from(const std::string& op_type, const ir::Node* node, size_t min_inputs) {
  NewNode n{op_type, kEmberDomain, 1, node->inputs, {}, {}};
  n.inputs.resize(std::max(n.inputs.size(), min_inputs), nullptr);
  for (const auto& [k, a] : node->attrs)
    if (k != "source_nodes") n.attrs.push_back(a);
  return n;
}

void set_attr(NewNode& n, ir::Attribute a) {
  for (ir::Attribute& x : n.attrs)
    if (x.name == a.name) {
      x = std::move(a);
      return;
    }
  n.attrs.push_back(std::move(a));
}

bool has_activation(const ir::Node* n) { return !n->attr_string("activation", "").empty(); }

}  // namespace ember::opt
