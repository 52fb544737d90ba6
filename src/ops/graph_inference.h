// Whole-graph type and shape inference: visits nodes in topological order, checks every op is
// supported, calls each op's infer function and merges the result with the types the model
// declares. Optionally folds constants: a node whose inputs are all known is evaluated once
// with its reference kernel and its (small) outputs become constants.
#pragma once

#include "ir/graph.h"
#include "ops/op_registry.h"

namespace ember::ops {

struct InferenceOptions {
  bool fold_constants = true;
  size_t max_folded_bytes = size_t(1) << 20;  // larger results are computed at run time
  // A folding failure at the top level would fail every run, so it is reported at creation.
  // Inside a subgraph the node may never execute (an untaken If branch): leave it for run time.
  bool fold_errors_are_fatal = true;
};

// Throws Unsupported naming op type, domain, opset and node for unknown ops.
void infer_graph(ir::Graph& graph, const OpRegistry& registry, const InferenceOptions& opts);

// The schema for `node`, or an Unsupported error that names op, domain, opset and node.
const OpSchema& require_schema(const ir::Node& node, const OpRegistry& registry);

// An op that feeds its body's formal inputs itself (Loop, Scan, SequenceMap) knows their types
// from the node's input types; models (onnx function expansions among them) often leave them
// undeclared. The op family registers a function that fills them in; it runs before the
// node's bodies are inferred. Registering again replaces the function.
using BodyInputTyper = void (*)(ir::Node& node);
void register_body_input_typer(const std::string& op_type, const std::string& domain, BodyInputTyper fn);

}  // namespace ember::ops
