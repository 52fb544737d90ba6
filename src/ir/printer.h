// A readable text form of a graph, one node per line, used by `ember inspect --graph`:
//   %y: float32[N, 8] = Relu(%x)
//   %z: float32[N, 8] = Add(%y, @bias) {axis=1}
// `%` marks values computed by the graph, `@` constants (initializers); subgraph bodies are
// printed indented under the attribute that holds them.
#pragma once

#include <ostream>

#include "ir/graph.h"

namespace ember::ir {

void print_graph(const Graph& g, std::ostream& os, int indent = 0);

}  // namespace ember::ir
