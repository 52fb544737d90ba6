// Small checks the ember ops share.
#pragma once

#include <string>

#include "ops/op_registry.h"

namespace ember::ops::ember_op {

// The ember reference kernels compute in float32 only (docs/ember_ops.md: T is float).
void require_f32(const ir::Node& node, const TypeInfo& t, const char* what);
void require_f32(const std::string& node, const Tensor& t, const char* what);

// Infers a standard op's output types for `ctx`'s node (FusedConv -> Conv, ...).
void infer_as(InferContext& ctx, const char* op_type, int opset);

// Adds `z` (same shape as `y`, float32) to `y` in place; ShapeMismatch naming `what` otherwise.
void add_same_shape(const std::string& node, Tensor& y, const Tensor& z, const char* what);

}  // namespace ember::ops::ember_op
