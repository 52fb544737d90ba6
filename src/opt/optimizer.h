// The pass manager's entry point: optimize a model in place at a level (0..3).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "opt/pass.h"

namespace ember::opt {

struct OptimizeOptions {
  int level = 3;
  // Apply at most this many rewrites, then stop (bisecting a bad rewrite); -1: no limit.
  // optimize() also honours EMBER_OPT_STOP_AFTER=N from the environment when this is -1.
  int64_t stop_after = -1;
  // Passes run after all_passes(), at any level >= 1. Tests use it to inject a deliberately
  // broken rewrite that verify must name; production code leaves it empty.
  std::vector<std::shared_ptr<const Pass>> extra_passes;
};

struct OptimizeReport {
  std::vector<std::string> applied;  // rewrite labels, in the order they were applied
};

// Runs every pass of level <= options.level to a fixed point; `model`'s graph ends with
// inferred types. Throws ember::Error (Internal) naming the rewrite when one leaves the graph
// inconsistent.
OptimizeReport optimize(ir::Model& model, const OptimizeOptions& options);

// The passes in the order they run: clean-up (level 1), then fusions (2), then layout (3).
std::vector<std::unique_ptr<Pass>> all_passes();
// The fusion passes (level 2 and 3), defined with them in src/opt/fusion_passes.cc.
std::vector<std::unique_ptr<Pass>> fusion_passes();

}  // namespace ember::opt
