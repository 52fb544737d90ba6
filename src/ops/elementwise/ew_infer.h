// Shape/type inference shared by the elementwise ops. The functions are templates over the
// type set so each instantiation is a plain InferFn pointer for an OpSchema.
#pragma once

#include <string>

#include "ops/elementwise/ew_types.h"
#include "ops/op_util.h"

namespace ember::ops::ew {

// Output 0 has input 0's type and shape; input 0 must belong to S.
template <TypeSet S>
void infer_unary(InferContext& ctx) {
  check_type(ctx.node(), "input 0", ctx.input_type(0).dtype, S);
  infer_same_as_input(ctx);
}

// Like infer_unary but the output element type is bool (IsNaN, IsInf).
template <TypeSet S>
void infer_unary_bool(InferContext& ctx) {
  check_type(ctx.node(), "input 0", ctx.input_type(0).dtype, S);
  ctx.set_output(0, with_dtype(ctx.input_type(0), DType::Bool));
}

// Broadcasts the types of all present inputs from `first` on; ShapeMismatch names the node.
TypeInfo broadcast_all(InferContext& ctx, size_t first = 0);

// Checks inputs [first, n) all have the same element type (TypeMismatch otherwise) and belong
// to S; returns that type.
DType common_dtype(InferContext& ctx, TypeSet s, size_t first = 0);

// Rejects the pre-opset-7 `broadcast` attribute (axis-aligned legacy broadcasting), which the
// numpy-style kernels do not implement; without it old opsets required equal shapes, which
// numpy broadcasting handles identically.
void reject_legacy_broadcast(const ir::Node& node);

// Every input of one type in S, broadcast together; the output has that type (Add, Max, Sum).
template <TypeSet S>
void infer_broadcast(InferContext& ctx) {
  reject_legacy_broadcast(ctx.node());
  const DType t = common_dtype(ctx, S);
  ctx.set_output(0, with_dtype(broadcast_all(ctx), t));
}

// Same, with a bool output (comparisons).
template <TypeSet S>
void infer_broadcast_bool(InferContext& ctx) {
  reject_legacy_broadcast(ctx.node());
  common_dtype(ctx, S);
  ctx.set_output(0, with_dtype(broadcast_all(ctx), DType::Bool));
}


}  // namespace ember::ops::ew
