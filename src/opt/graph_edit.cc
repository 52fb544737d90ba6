#include "opt/graph_edit.h"

#include <algorithm>
#include <cstring>

#include "support/error.h"

namespace ember::opt::edit {

namespace {

bool feeds_subgraph(const ir::Value* v) {
  for (const ir::Node* c : v->consumers)
    for (size_t k = c->explicit_input_count(); k < c->inputs.size(); ++k)
      if (c->inputs[k] == v) return true;
  return false;
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  if (a.raw() == b.raw()) return true;
  if (a.dtype() == DType::String) {
    const std::string* x = a.data<std::string>();
    const std::string* y = b.data<std::string>();
    return std::equal(x, x + a.numel(), y);
  }
  return a.nbytes() == 0 || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace

bool contains(const ir::Graph& g, const ir::Node* n) {
  for (const auto& up : g.nodes())
    if (up.get() == n) return true;
  return false;
}

bool can_redirect(const ir::Value* from) { return from && !from->is_output && !feeds_subgraph(from); }

void redirect_uses(ir::Graph& g, ir::Value* from, ir::Value* to) {
  EMBER_CHECK(can_redirect(from), Runtime, "value '", from ? from->name : "?",
              "' is a graph output or feeds a subgraph; its uses cannot be redirected");
  for (const auto& n : g.nodes())
    for (size_t k = 0; k < n->explicit_input_count(); ++k)
      if (n->inputs[k] == from) n->inputs[k] = to;
  g.rebuild_uses();
}

bool can_bypass(const ir::Graph& g, const ir::Node* n, size_t in, size_t out) {
  if (in >= n->explicit_input_count() || out >= n->outputs.size()) return false;
  const ir::Value* src = n->inputs[in];
  const ir::Value* dst = n->outputs[out];
  if (!src || !dst) return false;
  for (size_t k = 0; k < n->outputs.size(); ++k)
    if (k != out && n->outputs[k] && (n->outputs[k]->is_output || !n->outputs[k]->consumers.empty())) return false;
  if (can_redirect(dst)) return true;
  // The output keeps its name (graph output / capture): the input's producer writes it instead.
  return src->producer && contains(g, src->producer) && can_redirect(src);
}

void bypass(ir::Graph& g, ir::Node* n, size_t in, size_t out) {
  EMBER_CHECK(can_bypass(g, n, in, out), Runtime, "node ", n->describe(), " cannot be bypassed");
  ir::Value* src = n->inputs[in];
  ir::Value* dst = n->outputs[out];
  if (can_redirect(dst)) {
    redirect_uses(g, dst, src);
  } else {
    ir::Node* p = src->producer;
    for (ir::Value*& o : p->outputs)
      if (o == src) o = dst;
    redirect_uses(g, src, dst);
  }
  g.remove_node(n);
  g.rebuild_uses();
}

void remove_node(ir::Graph& g, ir::Node* n) {
  for (ir::Value* o : n->outputs)
    EMBER_CHECK(!o || o->constant || (!o->is_output && o->consumers.empty()), Runtime, "removing ",
                n->describe(), " would leave its output '", o->name, "' without a producer");
  g.remove_node(n);
  g.rebuild_uses();
}

void remove_nodes(ir::Graph& g, const std::vector<const ir::Node*>& nodes) {
  for (const ir::Node* n : nodes) g.remove_node(const_cast<ir::Node*>(n));
  g.rebuild_uses();
}

ir::Node* make_node(ir::Graph& g, NodeSpec spec) {
  auto node = std::make_unique<ir::Node>();
  node->name = std::move(spec.name);
  node->op_type = std::move(spec.op_type);
  node->domain = std::move(spec.domain);
  node->opset = spec.opset;
  node->inputs = std::move(spec.inputs);
  while (!node->inputs.empty() && !node->inputs.back()) node->inputs.pop_back();  // omitted optional tail
  node->outputs = std::move(spec.outputs);
  for (ir::Attribute& a : spec.attrs) node->attrs[a.name] = std::move(a);
  ir::Node* added = g.add_node(std::move(node));
  g.rebuild_uses();
  return added;
}

ir::Node* replace_nodes(ir::Graph& g, const std::vector<const ir::Node*>& replaced, NodeSpec spec) {
  if (spec.name.empty()) spec.name = replaced.empty() ? spec.op_type : replaced.back()->name;
  remove_nodes(g, replaced);
  ir::Node* added = make_node(g, std::move(spec));
  g.topo_sort();
  return added;
}

ir::Value* add_initializer(ir::Graph& g, const std::string& hint, Tensor t) {
  ir::Value* v = g.add_temp_value(hint);
  make_constant(g, v, std::move(t));
  return v;
}

void make_constant(ir::Graph& g, ir::Value* v, Tensor t) {
  v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
  v->constant = std::move(t);
  if (std::find(g.initializers.begin(), g.initializers.end(), v) == g.initializers.end())
    g.initializers.push_back(v);
}

bool same_attribute(const ir::Attribute& a, const ir::Attribute& b) {
  if (a.name != b.name || a.type != b.type) return false;
  switch (a.type) {
    case ir::AttrType::Float: return a.f == b.f;
    case ir::AttrType::Int: return a.i == b.i;
    case ir::AttrType::String: return a.s == b.s;
    case ir::AttrType::Tensor: return same_tensor(a.t, b.t);
    case ir::AttrType::Graph: return a.g == b.g;
    case ir::AttrType::Floats: return a.floats == b.floats;
    case ir::AttrType::Ints: return a.ints == b.ints;
    case ir::AttrType::Strings: return a.strings == b.strings;
    case ir::AttrType::Tensors:
      if (a.tensors.size() != b.tensors.size()) return false;
      for (size_t k = 0; k < a.tensors.size(); ++k)
        if (!same_tensor(a.tensors[k], b.tensors[k])) return false;
      return true;
    case ir::AttrType::Graphs: return a.graphs == b.graphs;
    case ir::AttrType::TypeProto:
      return a.type_proto.has_value() == b.type_proto.has_value() &&
             (!a.type_proto || a.type_proto->str() == b.type_proto->str());
    default: return true;
  }
}

}  // namespace ember::opt::edit
