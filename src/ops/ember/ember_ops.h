// Ember's own fused operators (domain ai.ember, version 1; the contract is docs/ember_ops.md).
// The optimizer (src/opt/fuse_*.cc) produces them; these are their schemas, shape inference
// and reference kernels. The reference kernels are deliberately plain: they delegate the
// heavy part to the standard reference op (Conv, MatMul, LayerNormalization) and then apply
// the fused epilogue, so they are easy to trust. Fast kernels live in src/backends/cpu/.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops {

inline constexpr const char* kEmberDomain = "ai.ember";

void add_fused_conv_op(OpRegistry& r);         // FusedConv
void add_fused_matmul_op(OpRegistry& r);       // FusedMatMul
void add_ember_attention_op(OpRegistry& r);    // Attention (ai.ember, not com.microsoft/onnx)
void add_skip_layer_norm_op(OpRegistry& r);    // SkipLayerNormalization
void add_ember_layer_norm_op(OpRegistry& r);   // LayerNormalization (for models older than opset 17)
void add_gelu_op(OpRegistry& r);               // Gelu

}  // namespace ember::ops
