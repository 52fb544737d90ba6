// A subgraph body (If branch, Loop/Scan body) compiled into its own Plan.
#pragma once

#include <memory>

#include "runtime/plan.h"

namespace ember::runtime {

class CompiledSubgraph final : public ops::Subgraph {
 public:
  CompiledSubgraph(std::unique_ptr<Plan> plan, const ir::Graph& body)
      : plan_(std::move(plan)), formal_inputs_(body.inputs.size()), outputs_(body.outputs.size()) {}
  std::vector<ops::RtValue> run(ops::KernelContext& parent, std::vector<ops::RtValue> inputs) const override {
    return plan_->execute(std::move(inputs), parent.pool());
  }
  size_t formal_input_count() const override { return formal_inputs_; }
  size_t output_count() const override { return outputs_; }

 private:
  std::unique_ptr<Plan> plan_;
  size_t formal_inputs_, outputs_;
};

}  // namespace ember::runtime
