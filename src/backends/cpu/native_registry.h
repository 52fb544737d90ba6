// Ember's own fast CPU kernels (built on kernels/**), looked up by op type at session creation.
// Each family registers its factories; a factory returns null when it does not handle this
// particular node (dtype, attributes, shapes not static, ...), and the reference kernel runs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends {

using NativeFactory = std::unique_ptr<ops::Kernel> (*)(const ir::Node& node,
                                                       const runtime::BackendOptions& options);

class NativeRegistry {
 public:
  // `domain` "" is ai.onnx; Ember's fused ops use "ai.ember" (docs/ember_ops.md).
  void add(const std::string& domain, const std::string& op_type, NativeFactory factory);
  NativeFactory find(const std::string& domain, const std::string& op_type) const;

 private:
  std::map<std::pair<std::string, std::string>, NativeFactory> factories_;
};

// MatMul, Gemm, Conv and the fused ai.ember forms (src/backends/cpu/gemm_conv/).
void register_gemm_conv_kernels(NativeRegistry& registry);
// Elementwise, activations, Softmax, normalisations, pooling, attention (src/backends/cpu/vector/).
void register_vector_kernels(NativeRegistry& registry);
// MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv, (Dynamic)QuantizeLinear,
// DequantizeLinear on the int8 GEMM kernels (src/backends/cpu/quant/).
void register_quant_kernels(NativeRegistry& registry);
// ai.ember SparseMatMul on the sparse x dense kernels (src/backends/cpu/sparse/).
void register_sparse_kernels(NativeRegistry& registry);

// The native kernel for `node`, or null when Ember has none for it.
std::unique_ptr<ops::Kernel> make_native_kernel(const ir::Node& node,
                                                const runtime::BackendOptions& options);

}  // namespace ember::backends
