// FLOP estimates for the compute-heavy operators, counted as 2 * multiply-accumulates (bias
// additions, activations and softmax are ignored: they are small next to the MACs). Used by
// `ember inspect` on the inferred graph and by the profiler on the shapes of each run.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::runtime {

struct NodeFlops {
  bool modelled = false;  // the op is one we estimate (Conv, ConvTranspose, Gemm, MatMul, ...)
  // A needed dimension is unknown: it was counted as 1 (so a dynamic batch N gives the FLOPs
  // per sample), or, when even the rank is unknown, the node contributes 0.
  bool dynamic = false;
  std::set<std::string> symbols;  // names of the unknown dims that were counted as 1
  double flops = 0;
};

// From the node's inferred value types.
NodeFlops estimate_node_flops(const ir::Node& node);

// From the shapes one run actually had (nullopt: an omitted or non-tensor value); 0 when the
// op is not modelled.
double node_flops_for_shapes(const ir::Node& node, const std::vector<std::optional<Dims>>& inputs,
                             const std::vector<std::optional<Dims>>& outputs);

}  // namespace ember::runtime
