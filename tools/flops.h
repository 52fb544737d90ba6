// FLOP estimates for the compute-heavy operators, counted as 2 * multiply-accumulates (bias
// additions and activations are ignored: they are small next to the MACs).
#pragma once

#include "ir/graph.h"

namespace ember::cli {

struct NodeFlops {
  bool modelled = false;  // the op is one we estimate (Conv, ConvTranspose, Gemm, MatMul, ...)
  bool dynamic = false;   // modelled, but a needed dimension is unknown: flops is not counted
  double flops = 0;
};

NodeFlops estimate_node_flops(const ir::Node& node);

}  // namespace ember::cli
