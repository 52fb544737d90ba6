// Runs one node immediately on given values, with heap-allocated outputs. This is the
// reference executor used for constant folding at session creation (and by passes later).
#pragma once

#include <vector>

#include "ops/op_registry.h"

namespace ember::ops {

// A KernelContext whose outputs are plain heap tensors.
class HeapKernelContext : public KernelContext {
 public:
  HeapKernelContext(std::vector<const RtValue*> inputs, std::vector<bool> wanted, ThreadPool& pool);
  bool wants_output(size_t i) const override { return i < wanted_.size() && wanted_[i]; }
  Tensor& output(size_t i, DType dtype, const Dims& shape) override;
  void set_output(size_t i, RtValue v) override;
  ThreadPool& pool() override { return pool_; }
  std::vector<RtValue>& results() { return outputs_; }

 private:
  std::vector<bool> wanted_;
  std::vector<RtValue> outputs_;
  ThreadPool& pool_;
};

// Builds the node's kernel and runs it. Throws Unsupported for nodes needing subgraphs.
std::vector<RtValue> run_node_eagerly(const ir::Node& node, const OpSchema& schema,
                                      const std::vector<const RtValue*>& inputs, ThreadPool& pool);

}  // namespace ember::ops
