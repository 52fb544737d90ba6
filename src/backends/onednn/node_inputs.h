// What the oneDNN factories ask of a node's inputs at session creation: a float32 tensor with
// a static shape, and whether its value is already known (initializer / folded constant).
#pragma once

#include "ir/graph.h"

namespace ember::backends::onednn {

// Input i of `node`, or null when it is omitted (or past the node's explicit inputs).
inline const ir::Value* input_at(const ir::Node& node, size_t i) {
  return i < node.explicit_input_count() ? node.inputs[i] : nullptr;
}

// A float32 tensor whose every dimension is known now.
inline bool static_f32(const ir::Value* v) {
  return v && v->type.kind == ir::ValueKind::Tensor && v->type.dtype == DType::Float32 && v->type.is_static();
}

// A float32 constant (its value is known at session creation).
inline const Tensor* f32_constant(const ir::Value* v) {
  return v && v->constant && v->constant->dtype() == DType::Float32 ? &*v->constant : nullptr;
}

}  // namespace ember::backends::onednn
