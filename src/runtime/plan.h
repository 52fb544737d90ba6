// An executable plan for one graph: the steps (node + chosen kernel + value slots), the
// constant slots, and where each intermediate tensor lives in the arena.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ops/op_registry.h"
#include "runtime/arena_layout.h"
#include "runtime/backend.h"

namespace ember::runtime {

class Profiler;

struct Step {
  const ir::Node* node = nullptr;
  std::unique_ptr<ops::Kernel> kernel;
  std::vector<int> inputs;             // slot per node input, -1 when omitted
  std::vector<int> outputs;            // slot per node output, -1 when omitted
  std::vector<int> release;            // slots whose last reader is this step
};

struct PlanStats {
  size_t steps = 0;
  size_t arena_bytes = 0;
  size_t planned_bytes_without_reuse = 0;
  size_t heap_values = 0;              // intermediates with dynamic shapes (placed per input shapes)
  size_t prepacked_only_constants = 0; // constants only prepacking read (not bound per run)
  size_t prepacked_only_bytes = 0;
  // Where the build's time went: kernel construction (weight prepacking, kernel_choice trials)
  // in total and per op type, slowest first; then liveness and the arena layout.
  double kernels_ms = 0;
  std::vector<std::pair<std::string, double>> kernel_ms_by_op;
  double memory_plan_ms = 0;
};

// Called after each node's kernel is built (the session releases weight pages there), with
// the constants no step reads at run time any more: every node reading them has been built
// and prepacked them (ops::Kernel::prepacked_input), and they are neither graph outputs nor
// graph inputs. The plan keeps no reference to them; the session frees them right there, so
// a prepacked copy and its original do not pile up over the whole build (peak RSS).
using KernelBuiltHook = std::function<void(const ir::Node&, const std::vector<const ir::Value*>& prepacked_only)>;

class Plan {
 public:
  // `graph` must already have inferred types (ops::infer_graph).
  static std::unique_ptr<Plan> build(const ir::Graph& graph, const Backend& backend,
                                     const BackendOptions& options = {},
                                     const KernelBuiltHook& on_kernel_built = {});

  // Runs the graph. `bound` holds the formal inputs followed by the captures (subgraphs);
  // an undefined entry means "use the default initializer" or "not given". With a profiler,
  // every step is timed and the run handed to it.
  std::vector<ops::RtValue> execute(std::vector<ops::RtValue> bound, ThreadPool& pool,
                                    Profiler* profiler = nullptr) const;

  const std::vector<Step>& steps() const { return steps_; }
  const PlanStats& stats() const { return stats_; }
  size_t learned_layouts() const { return shaped_layouts_.size(); }

 private:
  const ir::Graph* graph_ = nullptr;
  std::vector<Step> steps_;
  std::vector<ops::RtValue> slot_init_;       // constants pre-bound per run
  std::vector<const ir::Value*> slot_value_;  // slot -> value (types, names)
  std::vector<int> bound_slots_;              // formal inputs then captures
  std::vector<int> output_slots_;
  std::vector<SlotRequest> arena_requests_;   // intermediates the arena may hold (bytes 0: dynamic)
  std::shared_ptr<const ArenaLayout> static_layout_;  // from the inferred shapes
  mutable ShapedLayouts shaped_layouts_;      // learned per input shapes when some are dynamic
  PlanStats stats_;
};

}  // namespace ember::runtime
