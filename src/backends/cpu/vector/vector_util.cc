#include "backends/cpu/vector/vector_util.h"

#include "support/error.h"

namespace ember::backends::vector {

bool input_is_f32(const ir::Node& node, size_t i) {
  return i < node.inputs.size() && node.inputs[i] && node.inputs[i]->type.kind == ir::ValueKind::Tensor &&
         node.inputs[i]->type.dtype == DType::Float32;
}

bool all_inputs_f32(const ir::Node& node) {
  for (size_t i = 0; i < node.explicit_input_count(); ++i)
    if (node.inputs[i] && !input_is_f32(node, i)) return false;
  return !node.inputs.empty() && node.inputs[0] != nullptr;
}

bool has_output(const ir::Node& node, size_t i) { return i < node.outputs.size() && node.outputs[i]; }

int64_t input_rank(const ir::Node& node, size_t i) {
  if (i >= node.inputs.size() || !node.inputs[i] || !node.inputs[i]->type.has_shape) return -1;
  return int64_t(node.inputs[i]->type.dims.size());
}

std::string kernel_name(const std::string& what, const kernels::F32VectorKernels& k) {
  return "f32_" + what + "__" + k.isa;
}

namespace {

class NoSubgraphs final : public ops::KernelFactoryContext {
 public:
  std::shared_ptr<const ops::Subgraph> compile_subgraph(const ir::Graph&) override {
    fail(Status::Unsupported, "the vector ops' fallback kernels take no subgraphs");
  }
};

}  // namespace

std::unique_ptr<ops::Kernel> reference_kernel(const ir::Node& node) {
  const ops::OpSchema* s = ops::OpRegistry::global().find(node.op_type, node.domain, node.opset);
  if (!s || !s->make) return nullptr;
  NoSubgraphs factory;
  return s->make(node, factory);
}

NativeKernel::NativeKernel(std::string name, const ir::Node& node, bool with_fallback)
    : name_(std::move(name)), node_(node.describe()), k_(kernels::vector_kernels()),
      fallback_(with_fallback ? reference_kernel(node) : nullptr) {}

void NativeKernel::run_reference(ops::KernelContext& ctx) const {
  EMBER_CHECK(fallback_, Unsupported, node_, ": these input shapes need the reference kernel, which this build lacks");
  fallback_->run(ctx);
}

void parallel(ops::KernelContext& ctx, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (n <= grain) return fn(0, n);
  ctx.pool().parallel_for(n, grain, fn);
}

}  // namespace ember::backends::vector
