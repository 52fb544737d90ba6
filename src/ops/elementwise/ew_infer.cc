#include "ops/elementwise/ew_infer.h"

namespace ember::ops::ew {

TypeInfo broadcast_all(InferContext& ctx, size_t first) {
  TypeInfo out;
  bool started = false;
  for (size_t i = first; i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (!started) {
      out = ctx.input_type(i);
      started = true;
      continue;
    }
    TypeInfo next;
    try {
      broadcast_types(out, ctx.input_type(i), next);
    } catch (const Error& e) {
      fail(Status::ShapeMismatch, ctx.node().describe(), ": ", e.what());
    }
    out = std::move(next);
  }
  EMBER_CHECK(started, InvalidModel, ctx.node().describe(), ": has no inputs");
  out.kind = ir::ValueKind::Tensor;
  out.elem.reset();
  return out;
}

DType common_dtype(InferContext& ctx, TypeSet s, size_t first) {
  DType t = DType::Undefined;
  size_t first_idx = first;
  for (size_t i = first; i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    const DType ti = ctx.input_type(i).dtype;
    const std::string what = str_cat("input ", i);
    check_type(ctx.node(), what.c_str(), ti, s);
    if (t == DType::Undefined) {
      t = ti;
      first_idx = i;
    } else if (ti != DType::Undefined) {
      EMBER_CHECK(ti == t, TypeMismatch, ctx.node().describe(), ": input ", first_idx, " has type ",
                  dtype_name(t), " but input ", i, " has type ", dtype_name(ti),
                  "; both must have the same type");
    }
  }
  return t;
}

void reject_legacy_broadcast(const ir::Node& node) {
  if (node.opset < 7 && node.attr_int("broadcast", 0) != 0)
    fail(Status::Unsupported, node.describe(), ": the legacy 'broadcast' attribute (opset < 7) ",
         "is not supported; convert the model to opset 7 or newer");
}

}  // namespace ember::ops::ew
