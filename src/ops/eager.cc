#include "ops/eager.h"

namespace ember::ops {

HeapKernelContext::HeapKernelContext(std::vector<const RtValue*> inputs, std::vector<bool> wanted,
                                     ThreadPool& pool)
    : wanted_(std::move(wanted)), outputs_(wanted_.size()), pool_(pool) {
  inputs_ = std::move(inputs);
  output_count_ = wanted_.size();
}

Tensor& HeapKernelContext::output(size_t i, DType dtype, const Dims& shape) {
  EMBER_CHECK(i < outputs_.size(), Runtime, "kernel wrote output ", i, " of ", outputs_.size());
  outputs_[i] = RtValue{Tensor(dtype, shape), nullptr, false};
  return outputs_[i].tensor;
}

void HeapKernelContext::set_output(size_t i, RtValue v) {
  EMBER_CHECK(i < outputs_.size(), Runtime, "kernel wrote output ", i, " of ", outputs_.size());
  outputs_[i] = std::move(v);
}

namespace {

class NoSubgraphs : public KernelFactoryContext {
 public:
  std::shared_ptr<const Subgraph> compile_subgraph(const ir::Graph&) override {
    fail(Status::Unsupported, "subgraphs cannot be evaluated eagerly");
  }
};

}  // namespace

std::vector<RtValue> run_node_eagerly(const ir::Node& node, const OpSchema& schema,
                                      const std::vector<const RtValue*>& inputs, ThreadPool& pool) {
  NoSubgraphs factory;
  std::unique_ptr<Kernel> kernel = schema.make(node, factory);
  std::vector<bool> wanted;
  for (const ir::Value* o : node.outputs) wanted.push_back(o != nullptr);
  HeapKernelContext ctx(inputs, wanted, pool);
  kernel->run(ctx);
  return std::move(ctx.results());
}

}  // namespace ember::ops
