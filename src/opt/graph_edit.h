// Small, checked graph edits the clean-up passes (and anyone else) build rewrites from:
// redirect the uses of a value, bypass a pass-through node, remove nodes, add nodes and
// initializers. They keep producer/consumer links current (Graph::rebuild_uses) so the next
// edit of the same rewrite batch sees the graph as it now is.
//
// Values used by a subgraph are matched to the owner's implicit inputs BY NAME (see
// ir/graph.h), and a graph output is identified by its name, so neither can simply be
// redirected to another value: can_redirect() says when a value's uses can move.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt::edit {

// True when `n` is still one of `g`'s nodes (a rewrite runs after earlier ones of its batch).
bool contains(const ir::Graph& g, const ir::Node* n);

// True when every use of `from` could be pointed at another value: `from` is not a graph
// output and feeds no subgraph (implicit input).
bool can_redirect(const ir::Value* from);

// Points every explicit node input that reads `from` at `to`. Requires can_redirect(from).
void redirect_uses(ir::Graph& g, ir::Value* from, ir::Value* to);

// True when pass-through node `n` (output `out` equals input `in`) can be removed: either
// its output's uses can move to its input, or its input is produced by a node in `g` and can
// itself be replaced by the output (the output being a graph output).
bool can_bypass(const ir::Graph& g, const ir::Node* n, size_t in = 0, size_t out = 0);
// Removes pass-through node `n`, keeping every graph output's name. Requires can_bypass(); the
// node's other outputs must be unused.
void bypass(ir::Graph& g, ir::Node* n, size_t in = 0, size_t out = 0);

// Removes `n` from `g`. Its outputs must be unused (no consumers, not graph outputs) unless
// they have become constants (the caller folded them).
void remove_node(ir::Graph& g, ir::Node* n);
// Removes a group of nodes at once, unchecked: their outputs may feed each other, and the
// caller gives any output still in use a new producer in the same rewrite (replace_nodes).
void remove_nodes(ir::Graph& g, const std::vector<const ir::Node*>& nodes);

// A node to add. Omitted optional inputs at the end of `inputs` (null) are dropped.
struct NodeSpec {
  std::string op_type;
  std::string domain;
  int opset = 0;
  std::vector<ir::Value*> inputs;
  std::vector<ir::Value*> outputs;
  std::vector<ir::Attribute> attrs;
  std::string name;
};
// Appends the node to `g` (call g.topo_sort() when it is not last in order).
ir::Node* make_node(ir::Graph& g, NodeSpec spec);
// Removes `replaced` and adds `spec` in their place (named after the last replaced node when
// spec.name is empty), then restores topological order. The new node usually produces the
// replaced nodes' output values, so graph outputs and downstream uses stay untouched.
ir::Node* replace_nodes(ir::Graph& g, const std::vector<const ir::Node*>& replaced, NodeSpec spec);

// A new initializer (constant value) holding `t`, named after `hint` (made unique).
ir::Value* add_initializer(ir::Graph& g, const std::string& hint, Tensor t);

// Makes `v` (whose producer the caller removes) an initializer holding `t`.
void make_constant(ir::Graph& g, ir::Value* v, Tensor t);

// True when two attributes hold the same value (subgraph attributes compare by identity).
bool same_attribute(const ir::Attribute& a, const ir::Attribute& b);

}  // namespace ember::opt::edit
