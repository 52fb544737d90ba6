// FLOP estimates for the compute-heavy operators, counted as 2 * multiply-accumulates (bias
// additions and activations are ignored: they are small next to the MACs).
#pragma once

#include <set>
#include <string>

#include "ir/graph.h"

namespace ember::cli {

struct NodeFlops {
  bool modelled = false;  // the op is one we estimate (Conv, ConvTranspose, Gemm, MatMul, ...)
  // A needed dimension is unknown: it was counted as 1 (so a dynamic batch N gives the FLOPs
  // per sample), or, when even the rank is unknown, the node contributes 0.
  bool dynamic = false;
  std::set<std::string> symbols;  // names of the unknown dims that were counted as 1
  double flops = 0;
};

NodeFlops estimate_node_flops(const ir::Node& node);

}  // namespace ember::cli
