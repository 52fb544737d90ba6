// The sliding-window attributes Conv, ConvTranspose and the pooling ops share (kernel_shape,
// strides, dilations, pads, auto_pad, ceil_mode) and the output-size arithmetic built on them.
#pragma once

#include <string>

#include "ir/graph.h"
#include "kernels/generic/im2col.h"

namespace ember::ops::nn {

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

// The attributes as written on the node, parsed and validated once at kernel creation.
struct WindowAttrs {
  std::string node;              // node description for error messages
  AutoPad auto_pad = AutoPad::NotSet;
  Dims kernel;                   // empty: taken from the weights (Conv, ConvTranspose)
  Dims strides, dilations, pads; // empty: defaults (1, 1, 0)
  bool ceil_mode = false;

  // `with_ceil` reads ceil_mode (pools); `with_dilations` false rejects a dilations attribute
  // (AveragePool before opset 19 has none).
  static WindowAttrs parse(const ir::Node& node, bool with_ceil, bool with_dilations = true);
};

// Everything resolved for concrete spatial input sizes.
struct Window {
  Dims kernel, stride, dilation, pad_begin, pad_end, out;
  size_t nd() const { return kernel.size(); }
};

// Resolves the window for spatial input sizes `in` (a -1 size gives a -1 output size) and
// kernel spatial sizes `kernel` (must agree with a kernel_shape attribute when one is given).
// Throws ShapeMismatch when the window does not fit the padded input.
Window resolve_window(const WindowAttrs& a, const Dims& in, const Dims& kernel);

// The im2col geometry of a resolved window over input sizes `in`.
kernels::ConvGeom to_geom(const Window& w, const Dims& in);

// Spatial dims of an inferred type from index `first` on, -1 for unknown ones.
Dims spatial_dims(const ir::TypeInfo& t, size_t first);

}  // namespace ember::ops::nn
