// Pruning (docs/pruning.md): the graph rewrites behind `ember prune` and ember.prune().
//
//  - prune_magnitude: unstructured magnitude pruning. The smallest |w| of every prunable weight
//    (the constant weight of Conv, Gemm and 2-D MatMul) become exact zeros: per layer (each
//    weight to the target sparsity) or global (one threshold over all prunable weights, so
//    layers with many small weights lose more). The model stays plain ONNX.
//  - prune_filters: structured pruning. Whole output channels (filters) of Conv layers with the
//    smallest L1 norms are removed and every consumer rewired (BatchNormalization, depthwise
//    Conv, the next Conv's input channels, Concat, Flatten -> Gemm/MatMul); channels tied across
//    a residual Add / Mul / Sum are pruned together (one decision, summed norms) or not at all.
//    Shapes of graph outputs never change.
//  - to_sparse_ops: MatMul / Gemm / 1x1 Conv whose constant weight is sparse enough for the
//    sparse kernel to beat the dense one become ai.ember SparseMatMul (CSR weights,
//    docs/ember_ops.md). Only Ember runs the result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt::prune {

// One pruned weight (unstructured) or one pruned channel group (structured).
struct LayerPruning {
  std::string name;       // the node(s): "conv2" or "conv_a + conv_b" for a tied group
  int64_t total = 0;      // unstructured: weights; structured: channels
  int64_t removed = 0;    // unstructured: weights now zero; structured: channels removed
  std::string note;       // why a layer was left alone (structured), empty otherwise
};

struct MagnitudeOptions {
  double sparsity = 0.5;  // fraction of each weight (or of all, with global) set to zero
  bool global = false;
};
// Returns one entry per distinct prunable weight. InvalidArgument for sparsity outside [0, 1).
std::vector<LayerPruning> prune_magnitude(ir::Model& model, const MagnitudeOptions& options);

struct FilterOptions {
  double sparsity = 0.5;  // fraction of each channel group's channels removed (at least 1 kept)
};
// Returns one entry per channel group considered, with `note` saying why one was kept whole.
std::vector<LayerPruning> prune_filters(ir::Model& model, const FilterOptions& options);

// The density (nonzero fraction) at or below which a layer becomes SparseMatMul. From
// ember_spmm_bench (benchmarks/spmm_bench.cc) on the AVX2 development machine: the sparse
// kernel beat the dense GEMM on every measured shape from 80% sparsity on (barely: 1.06-1.24x
// on the large-K shapes), and lost on some at 70%; 0.15 keeps a margin (docs/pruning.md).
inline constexpr double kSparseMaxDensity = 0.15;

struct SparseOpsReport {
  std::vector<std::string> converted;  // node names now ai.ember SparseMatMul
};
SparseOpsReport to_sparse_ops(ir::Model& model, double max_density = kSparseMaxDensity);

// The prunable (node, weight input index) pairs of a graph: Conv input 1, Gemm input 1, MatMul
// input 1 when it is a constant float32 tensor (rank 2 for MatMul/Gemm, >= 3 for Conv).
struct WeightUse {
  ir::Node* node = nullptr;
  size_t input = 1;
};
std::vector<WeightUse> prunable_weights(const ir::Graph& g);

// Graph-wide counts for the report.
struct ModelCounts {
  int64_t params = 0;    // elements of every float constant (initializers)
  int64_t nonzero = 0;   // of those, the nonzero ones
};
ModelCounts count_params(const ir::Graph& g);

}  // namespace ember::opt::prune
