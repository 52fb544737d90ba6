// Load a model file, prune it (prune.h), save it: the part of `ember prune` that changes the
// model; the command line measures before and after around it (tools/cmd_prune.cc).
#pragma once

#include <string>
#include <vector>

#include "onnx/onnx_writer.h"
#include "opt/prune/prune.h"

namespace ember::opt::prune {

struct PruneFileOptions {
  double sparsity = 0.5;
  bool structured = false;   // filters (prune_filters) instead of single weights
  bool global = false;       // unstructured only: one threshold over all layers
  bool sparse_ops = false;   // unstructured only: ai.ember SparseMatMul where it pays
};

struct PruneFileReport {
  std::vector<LayerPruning> layers;
  std::vector<std::string> sparse_nodes;  // nodes turned into SparseMatMul
  onnx::SaveResult saved;
};

// InvalidArgument for a sparsity outside [0, 1) or options that do not go together. The output
// is written atomically (nothing is left at `output` on failure).
PruneFileReport prune_file(const std::string& input, const std::string& output, const PruneFileOptions& options);

}  // namespace ember::opt::prune
