// Whole-graph type and shape inference: visits nodes in topological order, checks every op is
// supported, calls each op's infer function and merges the result with the types the model
// declares. It computes no values: constant folding is an optimizer pass (src/opt/fold_constants.cc),
// run by opt::optimize(), which re-infers types after it.
#pragma once

#include "ir/graph.h"
#include "ops/op_registry.h"

namespace ember::ops {

// Throws Unsupported naming op type, domain, opset and node for unknown ops.
void infer_graph(ir::Graph& graph, const OpRegistry& registry);

// The schema for `node`, or an Unsupported error that names op, domain, opset and node.
const OpSchema& require_schema(const ir::Node& node, const OpRegistry& registry);

// An op that feeds its body's formal inputs itself (Loop, Scan, SequenceMap) knows their types
// from the node's input types; models (onnx function expansions among them) often leave them
// undeclared. The op family registers a function that fills them in; it runs before the
// node's bodies are inferred. Registering again replaces the function.
using BodyInputTyper = void (*)(ir::Node& node);
void register_body_input_typer(const std::string& op_type, const std::string& domain, BodyInputTyper fn);

}  // namespace ember::ops
