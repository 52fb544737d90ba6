// Small builders for the control-flow tests: graphs with subgraph bodies, captures wired to
// the owning node's implicit inputs the way the importer does it, and a runner that plans the
// model through runtime::Session.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/session.h"

namespace ember::test::control {

inline constexpr int kOpset = 17;

// An empty graph (a model's main graph or a body) with the given name.
std::shared_ptr<ir::Graph> new_graph(const std::string& name);

ir::Value* graph_input(ir::Graph& g, const std::string& name, DType t, const Dims& shape);
// A value of `body` standing for the outer value `outer_name` (a capture).
ir::Value* capture(ir::Graph& body, const std::string& outer_name, DType t, const Dims& shape);
// Adds a node; its outputs are new values with the given names.
ir::Node* add_node(ir::Graph& g, const std::string& op, std::vector<ir::Value*> inputs,
                   const std::vector<std::string>& outputs, std::vector<ir::Attribute> attrs = {});
// Adds `outer` values as the node's trailing implicit inputs (one per capture, in order).
void add_implicit_inputs(ir::Node& node, const std::vector<ir::Value*>& outer);
void graph_output(ir::Graph& g, ir::Value* v);
ir::Attribute attr_graph(const std::string& name, std::shared_ptr<ir::Graph> body);

std::unique_ptr<runtime::Session> make_session(std::shared_ptr<ir::Graph> g);
std::vector<Tensor> run_graph(std::shared_ptr<ir::Graph> g, const runtime::Feeds& feeds);

// True when every op is registered; the bodies use elementwise ops, which an
// EMBER_ONLY_OPS=control build leaves out.
bool have_ops(std::initializer_list<const char*> ops);

}  // namespace ember::test::control
