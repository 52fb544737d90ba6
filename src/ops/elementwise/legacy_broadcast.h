// Pre-opset-7 broadcasting of binary ops (Add, Sub, Mul, Div, comparisons, logic, PRelu).
//
// Before opset 7 only the second operand B broadcasts, onto the first operand A, and the output
// always has A's shape:
//   - `broadcast` absent or 0: B must have exactly A's shape;
//   - `broadcast` != 0: B's dims line up with A's dims starting at `axis` when given, else with
//     A's trailing dims; each B dim equals the A dim it lines up with, or is 1 (a 1-element B
//     of any rank up to A's is shared everywhere);
//   - PRelu (no attribute): a 1-element slope is shared, a slope of A's shape is elementwise,
//     and a 1-D slope of size C applies per channel along dim 1 of X = [N, C, ...] (the Caffe2
//     semantics the spec's "shared across different channels" refers to).
// The result is B's shape as laid onto A (rank of A, 1 where B has no dim), which the numpy
// broadcast engine then handles unchanged, since B's element order is the same.
#pragma once

#include <optional>
#include <string>

#include "ops/op_util.h"

namespace ember::ops::ew {

struct LegacyRhs {
  enum class Mode { Numpy, Equal, Axis, Channel };
  Mode mode = Mode::Numpy;           // Numpy: opset >= 7, no legacy rule
  std::optional<int64_t> axis;       // Mode::Axis only

  // Reads the node's opset and attributes; `channel_slope` selects the PRelu rule.
  // Throws Unsupported for a negative axis (its meaning before opset 7 is not specified).
  static LegacyRhs of(const ir::Node& n, bool channel_slope);
  bool active() const { return mode != Mode::Numpy; }
  // B's shape laid onto A; ShapeMismatch (or Unsupported for PRelu slopes the legacy rule does
  // not define) naming `who` when B does not fit.
  Dims rhs_shape(const Dims& a, const Dims& b, const std::string& who) const;
};

// Inference for a legacy binary node: checks the dtypes (TypeSet S, done by the caller), and
// when both shapes are known checks that B fits; output 0 gets input 0's shape and `out`.
void infer_legacy_binary(InferContext& ctx, const LegacyRhs& lr, DType out);

}  // namespace ember::ops::ew
