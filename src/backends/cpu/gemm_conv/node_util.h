// Small questions the gemm_conv factories ask of a node's inputs at session creation.
#pragma once

#include "ir/graph.h"

namespace ember::backends::gemm_conv {

// The input's value when it is fixed at creation (an initializer that is not also a graph
// input, whose feed could replace it); null otherwise.
inline const Tensor* constant_input(const ir::Node& node, size_t i) {
  if (i >= node.inputs.size() || !node.inputs[i]) return nullptr;
  const ir::Value* v = node.inputs[i];
  return v->constant && !v->is_input ? &*v->constant : nullptr;
}

inline bool has_input(const ir::Node& node, size_t i) {
  return i < node.inputs.size() && node.inputs[i] != nullptr;
}

// True when input i is present with element type f32 and a known rank.
inline bool f32_with_rank(const ir::Node& node, size_t i) {
  if (!has_input(node, i)) return false;
  const ir::TypeInfo& t = node.inputs[i]->type;
  return t.dtype == DType::Float32 && t.has_shape;
}

}  // namespace ember::backends::gemm_conv
