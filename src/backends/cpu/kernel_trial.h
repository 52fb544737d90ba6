// Runs a kernel outside the executor, at session creation, to time it (cpu_backend=auto):
// the node's constant inputs are fed as they are, every other input gets a random tensor of
// its static shape, and outputs are allocated on the heap.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/op_registry.h"

namespace ember::backends {

class TrialContext final : public ops::KernelContext {
 public:
  // `node`'s non-constant inputs must have static shapes (can_trial).
  TrialContext(const ir::Node& node, ThreadPool& pool, uint64_t seed);

  // True when every input of `node` is a constant or a tensor with a static shape.
  static bool can_trial(const ir::Node& node);

  // Replaces input i (tests feed chosen values).
  void set_input(size_t i, Tensor t);
  // Output i as the last run left it (undefined before a run).
  const Tensor& result(size_t i) const { return outputs_.at(i).tensor; }

  bool wants_output(size_t i) const override { return i < wanted_.size() && wanted_[i]; }
  Tensor& output(size_t i, DType dtype, const Dims& shape) override;
  void set_output(size_t i, ops::RtValue v) override;
  ThreadPool& pool() override { return pool_; }

 private:
  ThreadPool& pool_;
  std::vector<ops::RtValue> values_;
  std::vector<ops::RtValue> outputs_;
  std::vector<bool> wanted_;
};

// Median wall time in milliseconds of `runs` runs of `kernel` after one warm-up run.
double time_kernel(const ops::Kernel& kernel, TrialContext& ctx, int runs);

}  // namespace ember::backends
