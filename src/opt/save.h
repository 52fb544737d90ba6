// Optimize a model file and save the result: the entry `ember optimize` and ember.optimize()
// share. The saved file carries metadata_props["ember.optimized"] = "<level>", so loading it
// skips the optimizer (its work is already in the file), and its large weights sit in a
// 64-byte aligned external data file that the reader maps and uses in place.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "ir/graph.h"
#include "onnx/onnx_writer.h"

namespace ember::opt {

// The metadata key marking an optimized model; its value is the level it was optimized at.
inline constexpr const char* kOptimizedKey = "ember.optimized";

struct OptimizeFileOptions {
  int level = 3;            // 0..3, as OptimizeOptions::level
  int64_t stop_after = -1;  // as OptimizeOptions::stop_after
  onnx::SaveOptions save;
};

struct OptimizeFileReport {
  std::string input_path, output_path;
  int level = 0;
  bool was_optimized = false;      // the input already carried ember.optimized
  size_t nodes_before = 0, nodes_after = 0;  // every graph, subgraphs included
  size_t rewrites = 0;
  std::map<std::string, size_t> fused_ops;   // ai.ember op type -> count in the result
  uint64_t input_bytes = 0;                  // the input model file
  onnx::SaveResult saved;
  double load_ms = 0, optimize_ms = 0, save_ms = 0;
};

// Counts the nodes of `g` and of every subgraph below it.
size_t count_nodes(const ir::Graph& g);

// Loads `input`, optimizes it at options.level, marks it and saves it to `output` (atomic:
// on failure nothing is left at `output`). `input` and `output` may be the same path.
OptimizeFileReport optimize_file(const std::string& input, const std::string& output,
                                 const OptimizeFileOptions& options);

// The short summary `ember optimize` prints.
void print_optimize_report(const OptimizeFileReport& r, std::ostream& os);

}  // namespace ember::opt
