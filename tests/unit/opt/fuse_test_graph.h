// Test harness for the fusion passes: builds small float graphs, applies passes to a fixed
// point, and checks the fused graph against the unfused one through runtime::Session on the
// same random inputs (seed printed by the test runner).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "opt/pass.h"
#include "test_util.h"

namespace ember::test {

// Constants come from a generator seeded with `seed`, so building the same graph twice gives
// identical models.
class FusionGraph {
 public:
  explicit FusionGraph(uint64_t seed, int opset = 17);
  ir::Value* input(const std::string& name, const Dims& shape);
  // An input whose dim i is symbolic, named symbols[i], where symbols[i] is not empty (as models
  // exported with dynamic axes declare batch and sequence); `shape` gives the sizes fed.
  ir::Value* input(const std::string& name, const Dims& shape, const std::vector<std::string>& symbols);
  ir::Value* weight(const std::string& name, const Dims& shape, double lo = -1.0, double hi = 1.0);
  ir::Value* constant(const std::string& name, Tensor t);
  ir::Value* scalar(float v);
  ir::Value* ints(const std::vector<int64_t>& v);
  ir::Value* op(const std::string& op_type, const std::vector<ir::Value*>& inputs,
                const std::vector<ir::Attribute>& attrs = {}, const std::string& domain = "");
  // The same with `n` outputs.
  std::vector<ir::Value*> op_n(const std::string& op_type, const std::vector<ir::Value*>& inputs,
                               const std::vector<ir::Attribute>& attrs, size_t n);
  void output(ir::Value* v);

  std::shared_ptr<ir::Model> model;
  std::mt19937_64 gen;
  std::map<std::string, Dims> feed_shapes;  // the sizes check_fusion feeds, by input name

 private:
  int counter_ = 0;
};

using BuildFn = std::function<void(FusionGraph&)>;

// Applies the passes (in order, repeated to a fixed point) to `model`, inferring types
// between passes as the manager does. Returns the applied rewrite labels.
std::vector<std::string> apply_passes(const std::shared_ptr<ir::Model>& model,
                                      const std::vector<std::unique_ptr<opt::Pass>>& passes);

// Op histogram: "Conv", "ai.ember.FusedConv", ...
std::map<std::string, int> op_counts(const ir::Graph& g);

struct FusionResult {
  std::map<std::string, int> before, after;
  std::vector<std::string> applied;
  std::shared_ptr<ir::Model> fused;
};

// Builds the graph twice, fuses one copy with `passes`, runs both at optimization 0 on the
// same random inputs (uniform in [lo, hi)) and checks every output at `tier` (reduction
// length k). Also runs the unfused model at optimization 3 (the session's own optimizer,
// which includes these passes) against the same reference.
FusionResult check_fusion(const BuildFn& build, std::vector<std::unique_ptr<opt::Pass>> passes, Tier tier,
                          int64_t k = 1, double lo = -1.0, double hi = 1.0);

std::vector<std::unique_ptr<opt::Pass>> passes_of(std::unique_ptr<opt::Pass> p);

}  // namespace ember::test
