// The graph IR: values (edges), nodes (op applications with attributes), graphs (with
// subgraphs for If/Loop/Scan bodies) and the model that owns them.
//
// Ownership: a Graph owns its Values and Nodes. Subgraphs are owned by the attribute that
// holds them. A subgraph never points at a Value of its parent: every outer-scope name it
// uses becomes one of its `captures`, and the owning node receives the matching outer value
// as an extra ("implicit") input after its ONNX inputs. A capture has the same name as the
// outer value it stands for; that name is how captures and implicit inputs are matched (a
// node with two bodies, like If, may list the same outer value for each). Kernels therefore
// see every tensor a subgraph needs as an ordinary input.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/tensor.h"
#include "ir/types.h"

namespace ember::ir {

class Graph;
struct Node;

enum class AttrType {
  Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5,
  Floats = 6, Ints = 7, Strings = 8, Tensors = 9, Graphs = 10, TypeProto = 13,
};
const char* attr_type_name(AttrType t);

struct Attribute {
  std::string name;
  AttrType type = AttrType::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  ember::Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<ember::Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  std::optional<TypeInfo> type_proto;
};

struct Value {
  std::string name;
  TypeInfo type;
  Node* producer = nullptr;          // null for graph inputs, initializers, captures
  std::vector<Node*> consumers;      // maintained by Graph::rebuild_uses
  std::optional<ember::Tensor> constant;  // set for initializers (and folded constants)
  bool is_input = false;             // a graph input (may also have a default `constant`)
  bool is_output = false;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;                // "" is the default ONNX domain
  int opset = 0;                     // opset version of `domain` imported by the model
  std::vector<Value*> inputs;        // nullptr marks an omitted optional input
  std::vector<Value*> outputs;       // nullptr marks an omitted optional output
  size_t implicit_inputs = 0;        // trailing inputs that feed subgraph captures
  std::map<std::string, Attribute> attrs;
  std::vector<std::string> fused_from;  // original node names when a pass fused this node

  size_t explicit_input_count() const { return inputs.size() - implicit_inputs; }
  // Describes the node for error messages: "Conv 'conv1' (opset 13)".
  std::string describe() const;

  const Attribute* attr(const std::string& name) const;
  bool has_attr(const std::string& name) const { return attr(name) != nullptr; }
  // Typed getters. The forms without a default throw InvalidModel when the attribute is
  // missing; all forms throw InvalidModel when it has another type.
  int64_t attr_int(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t dflt) const;
  float attr_float(const std::string& name, float dflt) const;
  std::string attr_string(const std::string& name, const std::string& dflt) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> dflt = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> dflt = {}) const;
  std::vector<std::string> attr_strings(const std::string& name) const;
  const ember::Tensor* attr_tensor(const std::string& name) const;  // null when missing
  const Graph* attr_graph(const std::string& name) const;           // null when missing
};

class Graph {
 public:
  std::string name;
  std::vector<Value*> inputs;        // graph inputs in declaration order (not initializers)
  std::vector<Value*> outputs;
  std::vector<Value*> initializers;
  std::vector<Value*> captures;      // outer-scope values used inside (subgraphs only)

  // Creates a value; throws InvalidModel if `name` already exists in this graph.
  Value* add_value(const std::string& name);
  // A value for an internal temporary with a unique generated name.
  Value* add_temp_value(const std::string& hint);
  Value* find(const std::string& name) const;
  Node* add_node(std::unique_ptr<Node> node);
  void remove_node(Node* node);      // caller rewires uses first

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }

  // Orders nodes so every producer precedes its consumers; throws InvalidModel naming a node
  // on a cycle, or a value that is used but never produced.
  void topo_sort();
  // Recomputes producer/consumer links from node inputs/outputs.
  void rebuild_uses();

 private:
  std::vector<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> by_name_;
  std::vector<std::unique_ptr<Node>> nodes_;
  int64_t temp_counter_ = 0;
};

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int> opset_imports;  // domain -> version ("" = ai.onnx)
  std::map<std::string, std::string> metadata_props;  // ONNX metadata_props ("ember.optimized", ...)
  std::shared_ptr<Graph> graph;
  std::shared_ptr<void> backing;  // keeps the mapped file alive for zero-copy initializers
};

// Calls f(graph) for `g` and, depth first, every subgraph below it.
template <class F>
void for_each_graph(const Graph& g, F&& f) {
  f(g);
  for (const auto& n : g.nodes())
    for (const auto& [k, a] : n->attrs) {
      if (a.g) for_each_graph(*a.g, f);
      for (const auto& sg : a.graphs) for_each_graph(*sg, f);
    }
}

}  // namespace ember::ir
