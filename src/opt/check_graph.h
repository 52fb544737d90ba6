// Graph consistency, checked by the pass manager after every rewrite so a broken rewrite is
// named where it happened rather than failing later in planning or at run time.
#pragma once

#include <string>

#include "ir/graph.h"

namespace ember::opt {

// The first problem found in `g` and its subgraphs, or "" when it is consistent: every node
// input is produced by a node of the graph or is a graph input, initializer or capture; no value
// is produced twice (or is both produced and an input/initializer); the nodes can be ordered
// topologically; every graph output is available; every subgraph capture names one of its
// owner's implicit inputs.
std::string graph_problem(const ir::Graph& g);

// Throws Runtime ("internal error") "<context>: <problem>" when graph_problem(g) is not empty.
void check_graph(const ir::Graph& g, const std::string& context);

}  // namespace ember::opt
