#include "ir/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace ember::ir {

const char* attr_type_name(AttrType t) {
  switch (t) {
    case AttrType::Float: return "float";
    case AttrType::Int: return "int";
    case AttrType::String: return "string";
    case AttrType::Tensor: return "tensor";
    case AttrType::Graph: return "graph";
    case AttrType::Floats: return "floats";
    case AttrType::Ints: return "ints";
    case AttrType::Strings: return "strings";
    case AttrType::Tensors: return "tensors";
    case AttrType::Graphs: return "graphs";
    case AttrType::TypeProto: return "type_proto";
    default: return "undefined";
  }
}

std::string Node::describe() const {
  std::string s = op_type;
  if (!domain.empty()) s = domain + "." + s;
  s += " '" + name + "'";
  if (opset) s += " (opset " + std::to_string(opset) + ")";
  return s;
}

const Attribute* Node::attr(const std::string& n) const {
  auto it = attrs.find(n);
  return it == attrs.end() ? nullptr : &it->second;
}

namespace {

const Attribute* typed(const Node& node, const std::string& name, AttrType want) {
  const Attribute* a = node.attr(name);
  if (!a) return nullptr;
  EMBER_CHECK(a->type == want, InvalidModel, node.describe(), ": attribute '", name, "' has type ",
              attr_type_name(a->type), ", expected ", attr_type_name(want));
  return a;
}

}  // namespace

int64_t Node::attr_int(const std::string& n) const {
  const Attribute* a = typed(*this, n, AttrType::Int);
  EMBER_CHECK(a, InvalidModel, describe(), ": required attribute '", n, "' is missing");
  return a->i;
}
int64_t Node::attr_int(const std::string& n, int64_t dflt) const {
  const Attribute* a = typed(*this, n, AttrType::Int);
  return a ? a->i : dflt;
}
float Node::attr_float(const std::string& n, float dflt) const {
  const Attribute* a = typed(*this, n, AttrType::Float);
  return a ? a->f : dflt;
}
std::string Node::attr_string(const std::string& n, const std::string& dflt) const {
  const Attribute* a = typed(*this, n, AttrType::String);
  return a ? a->s : dflt;
}
std::vector<int64_t> Node::attr_ints(const std::string& n, std::vector<int64_t> dflt) const {
  const Attribute* a = typed(*this, n, AttrType::Ints);
  return a ? a->ints : dflt;
}
std::vector<float> Node::attr_floats(const std::string& n, std::vector<float> dflt) const {
  const Attribute* a = typed(*this, n, AttrType::Floats);
  return a ? a->floats : dflt;
}
std::vector<std::string> Node::attr_strings(const std::string& n) const {
  const Attribute* a = typed(*this, n, AttrType::Strings);
  return a ? a->strings : std::vector<std::string>{};
}
const ember::Tensor* Node::attr_tensor(const std::string& n) const {
  const Attribute* a = typed(*this, n, AttrType::Tensor);
  return a ? &a->t : nullptr;
}
const Graph* Node::attr_graph(const std::string& n) const {
  const Attribute* a = typed(*this, n, AttrType::Graph);
  return a ? a->g.get() : nullptr;
}

Value* Graph::add_value(const std::string& n) {
  EMBER_CHECK(!by_name_.count(n), InvalidModel, "graph '", name, "': value name '", n,
              "' is defined more than once");
  auto v = std::make_unique<Value>();
  v->name = n;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  by_name_[n] = raw;
  return raw;
}

Value* Graph::add_temp_value(const std::string& hint) {
  std::string n;
  do {
    n = hint + "__ember_" + std::to_string(temp_counter_++);
  } while (by_name_.count(n));
  return add_value(n);
}

Value* Graph::find(const std::string& n) const {
  auto it = by_name_.find(n);
  return it == by_name_.end() ? nullptr : it->second;
}

Node* Graph::add_node(std::unique_ptr<Node> node) {
  nodes_.push_back(std::move(node));
  return nodes_.back().get();
}

void Graph::remove_node(Node* node) {
  auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == node; });
  if (it != nodes_.end()) nodes_.erase(it);
}

void Graph::rebuild_uses() {
  for (auto& v : values_) {
    v->producer = nullptr;
    v->consumers.clear();
  }
  for (auto& n : nodes_) {
    for (Value* o : n->outputs)
      if (o) o->producer = n.get();
    for (Value* i : n->inputs)
      if (i) i->consumers.push_back(n.get());
  }
}

void Graph::topo_sort() {
  rebuild_uses();
  // Kahn's algorithm, stable with respect to the original order.
  std::unordered_map<const Node*, size_t> pending;
  for (auto& n : nodes_) {
    size_t deps = 0;
    for (Value* i : n->inputs) {
      if (!i) continue;
      if (i->producer) {
        ++deps;
      } else {
        EMBER_CHECK(i->is_input || i->constant || std::count(captures.begin(), captures.end(), i),
                    InvalidModel, n->describe(), ": input '", i->name,
                    "' is neither a graph input, an initializer nor produced by any node");
      }
    }
    pending[n.get()] = deps;
  }
  // Ready nodes leave in original order (min-heap on the original index), so a graph that is
  // already sorted keeps its order.
  std::unordered_map<const Node*, size_t> index;
  for (size_t k = 0; k < nodes_.size(); ++k) index[nodes_[k].get()] = k;
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t k = 0; k < nodes_.size(); ++k)
    if (pending[nodes_[k].get()] == 0) ready.push(k);
  std::vector<size_t> order;
  while (!ready.empty()) {
    const size_t k = ready.top();
    ready.pop();
    order.push_back(k);
    for (Value* o : nodes_[k]->outputs) {
      if (!o) continue;
      // A consumer that uses a value several times appears once per use, as it was counted.
      for (Node* c : o->consumers)
        if (--pending[c] == 0) ready.push(index[c]);
    }
  }
  if (order.size() != nodes_.size()) {
    for (auto& n : nodes_)
      if (pending[n.get()] != 0)
        fail(Status::InvalidModel, "graph '", name, "' has a cycle through node ", n->describe());
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(order.size());
  for (size_t k : order) sorted.push_back(std::move(nodes_[k]));
  nodes_ = std::move(sorted);
}

}  // namespace ember::ir
