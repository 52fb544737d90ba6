#include "backends/cpu/native_registry.h"

namespace ember::backends {

void NativeRegistry::add(const std::string& domain, const std::string& op_type, NativeFactory factory) {
  factories_[{domain, op_type}] = factory;
}

NativeFactory NativeRegistry::find(const std::string& domain, const std::string& op_type) const {
  const auto it = factories_.find({domain == "ai.onnx" ? "" : domain, op_type});
  return it == factories_.end() ? nullptr : it->second;
}

namespace {

const NativeRegistry& native_registry() {
  static const NativeRegistry registry = [] {
    NativeRegistry r;
    register_gemm_conv_kernels(r);
    register_vector_kernels(r);
    register_quant_kernels(r);
    register_sparse_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace

std::unique_ptr<ops::Kernel> make_native_kernel(const ir::Node& node,
                                                const runtime::BackendOptions& options) {
  const NativeFactory f = native_registry().find(node.domain, node.op_type);
  return f ? f(node, options) : nullptr;
}

}  // namespace ember::backends
