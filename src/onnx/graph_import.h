// GraphProto -> ir::Graph, recursively through subgraph attributes (If / Loop / Scan bodies).
#pragma once

#include <memory>

#include "ir/graph.h"
#include "onnx/import_context.h"
#include "onnx/proto.h"

namespace ember::onnx {

// Imports the main graph of a model. Checks names (duplicates, dangling inputs), opsets per
// node and cycles (Graph::topo_sort); the result is topologically sorted.
//
// Subgraph captures: a name a body uses that is defined in an enclosing graph becomes a Value
// of the body, appended to body.captures, and the owning node gets the outer Value appended
// to its inputs (implicit_inputs++), in the same order. A node with several graph attributes
// appends their captures attribute by attribute in the order of Node::attrs (by name), and
// within a GRAPHS attribute graph by graph, so consumers can pair them up by walking the
// attributes the same way. A name needed two levels down is captured at every level between.
std::shared_ptr<ir::Graph> import_main_graph(const proto::Graph& g, ImportContext& ctx);

}  // namespace ember::onnx
