// Geometry of Resize / Upsample, shared by inference and the kernel: attribute parsing for
// every opset form, output sizes from scales or sizes (with keep_aspect_ratio_policy), and
// the per-axis sampling positions (nearest source index, or interpolation taps).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::resize {

enum class Mode { Nearest, Linear, Cubic };

struct Attrs {
  Mode mode = Mode::Nearest;
  std::string coord = "half_pixel";           // coordinate_transformation_mode
  std::string nearest = "round_prefer_floor";  // nearest_mode; "simple" for opset <= 10 forms
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  bool antialias = false;                      // widen linear/cubic kernels when downsampling
  float extrapolation = 0.f;
  std::vector<int64_t> axes;                   // empty: all axes
  std::string keep_aspect = "stretch";
};

Attrs parse_attrs(const ir::Node& n);

// Output dims and the scale used by the coordinate transform of every axis.
struct Geometry {
  Dims out;
  std::vector<float> scales;
};
// `scales` / `sizes` as given to the op (per listed axis); exactly one must be non-empty.
Geometry geometry(const Attrs& a, const Dims& in, const std::vector<float>& scales,
                  const std::vector<int64_t>& sizes, const ir::Node& n);

// Sampling along one axis. For nearest: src[o] is the source index or -1 (extrapolate).
// For linear/cubic: taps per output index (`taps` entries each) into idx/weight; `valid[o]`
// is false where tf_crop_and_resize extrapolates.
struct AxisSampling {
  std::vector<int64_t> src;
  int taps = 0;
  std::vector<int64_t> idx;
  std::vector<float> weight;
  std::vector<bool> valid;
};
// roi_start/roi_end are only used by tf_crop_and_resize.
AxisSampling sample_axis(const Attrs& a, int64_t in, int64_t out, float scale, float roi_start, float roi_end);

}  // namespace ember::ops::resize
