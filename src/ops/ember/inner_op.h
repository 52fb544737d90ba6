// Lets an ember op's reference kernel run a standard op's reference kernel (Conv, MatMul,
// LayerNormalization) for the heavy part, writing straight into the ember op's own output.
#pragma once

#include <memory>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::ember_op {

class InnerOp {
 public:
  // Builds the kernel of standard op `op_type` (ai.onnx `opset`) for a node that is `like`
  // (same name and attributes; the ember-only attributes are ignored by the standard kernel).
  InnerOp(const ir::Node& like, const char* op_type, int opset, KernelFactoryContext& factory);

  // Runs the kernel on `inputs` (null: omitted optional input); its output 0 is allocated as
  // output 0 of `parent` and returned; other outputs are not requested.
  Tensor& run_into(KernelContext& parent, const std::vector<const RtValue*>& inputs) const;

 private:
  std::unique_ptr<Kernel> kernel_;
};

}  // namespace ember::ops::ember_op
