// Shape bookkeeping shared by the Reduce* ops: which axes a node reduces (attribute or input
// form, empty-axes rules), the output shape, and a "collapsed" view of the input in which
// adjacent dimensions with the same role are merged. The collapsed view is what lets the
// kernels pick a contiguous fast path (innermost or outer-block reduction) for the common
// LayerNorm / GlobalPool patterns and fall back to an offset table otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::reduce {

// The axes-related attributes of a Reduce* node, parsed once.
struct AxesSpec {
  std::optional<std::vector<int64_t>> attr_axes;  // the `axes` attribute (opset < 13/18 form)
  bool keepdims = true;
  bool noop_with_empty_axes = false;

  static AxesSpec parse(const ir::Node& node);
};

// Per-dimension flags (true = reduced) for an input of rank `rank`. `axes` empty means "all
// axes", unless noop_with_empty_axes, where it means "none" (each element is reduced alone).
// Negative axes are normalised; a repeated axis is rejected (numpy does the same).
std::vector<bool> reduce_mask(const std::vector<int64_t>& axes, bool noop_with_empty_axes, int64_t rank,
                              const ir::Node& node);

// The output shape: reduced dims become 1 (keepdims) or disappear.
Dims reduced_shape(const Dims& in, const std::vector<bool>& mask, bool keepdims);

// A concrete input shape split into merged groups. Size-1 dims are dropped (they do not change
// the iteration), so groups strictly alternate between kept and reduced.
struct ReducePlan {
  Dims out_shape;
  int64_t out_count = 0;     // elements in the output
  int64_t reduce_count = 0;  // elements folded into each output element
  Dims sizes;                // collapsed group sizes, outermost first
  std::vector<bool> reduced; // role of each group
  Dims strides;              // input element stride of each group

  static ReducePlan make(const Dims& in, const std::vector<bool>& mask, bool keepdims);
  // Index of the only reduced group, or -1 when there are zero or several.
  int single_reduced_group() const;
};

}  // namespace ember::ops::reduce
