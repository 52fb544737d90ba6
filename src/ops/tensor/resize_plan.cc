#include "ops/tensor/resize_plan.h"

#include <algorithm>
#include <cmath>

#include "ops/op_util.h"

namespace ember::ops::resize {

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* x : set)
    if (s == x) return true;
  return false;
}

// Position in the input of output index o, per coordinate_transformation_mode. Float math,
// as the common runtimes do, so rounding decisions of nearest mode agree with them.
float transform(const Attrs& a, int64_t o, int64_t in, int64_t out, float scale, float rs, float re) {
  const float x = float(o);
  const std::string& m = a.coord;
  if (m == "half_pixel") return (x + 0.5f) / scale - 0.5f;
  if (m == "half_pixel_symmetric") {
    const float adj = float(out) / (scale * float(in));
    const float center = float(in) / 2.f;
    return center * (1.f - adj) + (x + 0.5f) / scale - 0.5f;
  }
  if (m == "pytorch_half_pixel") return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.f;
  // The ONNX reference divides by the unrounded resized length scale * in, not the output size.
  if (m == "align_corners") {
    const float len = scale * float(in);
    return len == 1.f ? 0.f : x * float(in - 1) / (len - 1.f);
  }
  if (m == "asymmetric") return x / scale;
  if (m == "tf_half_pixel_for_nn") return (x + 0.5f) / scale;
  // tf_crop_and_resize
  return out > 1 ? rs * float(in - 1) + x * (re - rs) * float(in - 1) / float(out - 1)
                 : 0.5f * (rs + re) * float(in - 1);
}

int64_t nearest_index(const std::string& mode, float x, float scale) {
  if (mode == "round_prefer_floor") return x == std::floor(x) + 0.5f ? int64_t(std::floor(x)) : int64_t(std::round(x));
  if (mode == "round_prefer_ceil") return int64_t(std::round(x));
  if (mode == "floor") return int64_t(std::floor(x));
  if (mode == "ceil") return int64_t(std::ceil(x));
  return scale < 1.f ? int64_t(std::ceil(x)) : int64_t(x);  // "simple" (opset <= 10)
}

// Keys' cubic convolution weights for taps floor-1 .. floor+2 at fractional offset t.
void cubic_coeffs(float t, float A, float c[4]) {
  const float x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((A * x0 - 5 * A) * x0 + 8 * A) * x0 - 4 * A;
  c[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;
  c[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
  c[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

// Antialiased linear / cubic taps (as in the ONNX reference): when downsampling by `scale` the
// kernel is stretched by 1/scale, so it covers n = 2 * (1 - start) input samples, and the
// weights are normalised to sum to 1. Tap k sits at input index base + start + k, where base
// is floor(x) (x - 1 when x is integral, so the window prefers the left neighbour).
void antialias_taps(const Attrs& a, float xf, int64_t in, float scale_in, AxisSampling& s, int64_t& taps) {
  const double scale = std::min<double>(scale_in, 1.0), x = xf;
  const double fl = std::floor(x);
  const double ratio = x == fl ? 1.0 : x - fl;
  const int64_t base = int64_t(x - ratio);
  const bool cubic = a.mode == Mode::Cubic;
  const int64_t start = int64_t(std::floor((cubic ? -2.0 : -1.0) / scale) + 1);
  taps = 2 - 2 * start;
  const double A = a.cubic_a;
  std::vector<double> c(static_cast<size_t>(taps));
  double sum = 0;
  for (int64_t k = 0; k < taps; ++k) {
    const double d = std::fabs(scale * (double(start + k) - ratio));
    double w;
    if (cubic) w = d <= 1 ? ((A + 2) * d - (A + 3)) * d * d + 1 : d < 2 ? ((A * d - 5 * A) * d + 8 * A) * d - 4 * A : 0.0;
    else w = std::max(0.0, 1.0 - d);
    c[size_t(k)] = w;
    sum += w;
  }
  for (double& w : c) w = sum != 0 ? w / sum : 0;
  double kept = 0;
  for (int64_t k = 0; k < taps; ++k) {
    const int64_t i = base + start + k;
    if (a.exclude_outside && (i < 0 || i >= in)) c[size_t(k)] = 0;
    kept += c[size_t(k)];
  }
  for (int64_t k = 0; k < taps; ++k) {
    s.idx.push_back(std::clamp<int64_t>(base + start + k, 0, in - 1));
    s.weight.push_back(float(a.exclude_outside && kept != 0 ? c[size_t(k)] / kept : c[size_t(k)]));
  }
}

}  // namespace

Attrs parse_attrs(const ir::Node& n) {
  Attrs a;
  const std::string mode = n.attr_string("mode", "nearest");
  const bool legacy = n.op_type == "Upsample" || n.opset <= 10;
  if (mode == "nearest") a.mode = Mode::Nearest;
  else if (mode == "linear" || (legacy && mode == "bilinear")) a.mode = Mode::Linear;
  else if (mode == "cubic" && !legacy) a.mode = Mode::Cubic;
  else fail(Status::Unsupported, n.describe(), ": mode '", mode, "' is not supported");
  if (legacy) {
    a.coord = "asymmetric";
    a.nearest = "simple";
    return a;
  }
  a.coord = n.attr_string("coordinate_transformation_mode", "half_pixel");
  EMBER_CHECK(one_of(a.coord, {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                               "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"}),
              Unsupported, n.describe(), ": coordinate_transformation_mode '", a.coord, "' is not supported");
  a.nearest = n.attr_string("nearest_mode", "round_prefer_floor");
  EMBER_CHECK(one_of(a.nearest, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}), Unsupported,
              n.describe(), ": nearest_mode '", a.nearest, "' is not supported");
  a.cubic_a = n.attr_float("cubic_coeff_a", -0.75f);
  a.exclude_outside = n.attr_int("exclude_outside", 0) != 0;
  a.extrapolation = n.attr_float("extrapolation_value", 0.f);
  a.antialias = n.attr_int("antialias", 0) != 0;
  EMBER_CHECK(!a.antialias || a.mode != Mode::Nearest, Unsupported, n.describe(),
              ": antialias=1 with mode 'nearest' is not supported");
  a.axes = n.attr_ints("axes");
  a.keep_aspect = n.attr_string("keep_aspect_ratio_policy", "stretch");
  EMBER_CHECK(one_of(a.keep_aspect, {"stretch", "not_larger", "not_smaller"}), Unsupported, n.describe(),
              ": keep_aspect_ratio_policy '", a.keep_aspect, "' is not supported");
  return a;
}

Geometry geometry(const Attrs& a, const Dims& in, const std::vector<float>& scales,
                  const std::vector<int64_t>& sizes, const ir::Node& n) {
  const size_t r = in.size();
  std::vector<int64_t> axes;
  if (a.axes.empty()) for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
  else axes = normalize_axes(a.axes, int64_t(r), n);
  Geometry g{in, std::vector<float>(r, 1.f)};
  EMBER_CHECK(scales.empty() != sizes.empty(), InvalidModel, n.describe(), ": exactly one of scales and sizes must be given");
  const size_t given = scales.empty() ? sizes.size() : scales.size();
  EMBER_CHECK(given == axes.size(), ShapeMismatch, n.describe(), ": ", scales.empty() ? "sizes" : "scales", " has ",
              given, " entries but ", axes.size(), " axes are resized (input ", dims_str(in), ")");
  if (!scales.empty()) {
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t ax = size_t(axes[i]);
      EMBER_CHECK(scales[i] > 0, InvalidModel, n.describe(), ": scales must be positive, got ", scales[i]);
      g.scales[ax] = scales[i];
      g.out[ax] = int64_t(scales[i] * float(in[ax]));
    }
    return g;
  }
  for (int64_t s : sizes) EMBER_CHECK(s >= 0, InvalidModel, n.describe(), ": negative size ", s);
  if (a.keep_aspect == "stretch") {
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t ax = size_t(axes[i]);
      g.out[ax] = sizes[i];
      g.scales[ax] = float(sizes[i]) / float(in[ax]);
    }
    return g;
  }
  float s = a.keep_aspect == "not_larger" ? INFINITY : 0.f;
  for (size_t i = 0; i < axes.size(); ++i) {
    const float q = float(sizes[i]) / float(in[size_t(axes[i])]);
    s = a.keep_aspect == "not_larger" ? std::min(s, q) : std::max(s, q);
  }
  for (int64_t ax : axes) {
    g.scales[size_t(ax)] = s;
    g.out[size_t(ax)] = int64_t(std::round(s * float(in[size_t(ax)])));
  }
  return g;
}

AxisSampling sample_axis(const Attrs& a, int64_t in, int64_t out, float scale, float rs, float re) {
  AxisSampling s;
  const bool crop = a.coord == "tf_crop_and_resize";
  s.valid.assign(size_t(out), true);
  s.taps = a.mode == Mode::Nearest ? 0 : a.mode == Mode::Linear ? 2 : 4;
  for (int64_t o = 0; o < out; ++o) {
    float x = transform(a, o, in, out, scale, rs, re);
    const bool valid = !crop || (x >= 0 && x <= float(in - 1));
    s.valid[size_t(o)] = valid;
    if (a.antialias) {
      EMBER_CHECK(scale >= 1e-4f && std::isfinite(x), Unsupported, "Resize: antialias with scale ", scale,
                  " (kernel too wide) is not supported");
      int64_t taps = 0;
      antialias_taps(a, x, in, scale, s, taps);
      s.taps = int(taps);
    } else if (a.mode == Mode::Nearest) {
      s.src.push_back(valid ? std::clamp<int64_t>(nearest_index(a.nearest, x, scale), 0, in - 1) : -1);
    } else if (a.mode == Mode::Linear) {
      x = std::clamp(x, 0.f, float(in - 1));
      const int64_t i0 = std::min<int64_t>(int64_t(x), in - 1), i1 = std::min<int64_t>(i0 + 1, in - 1);
      const float w1 = i0 == i1 ? 0.5f : x - float(i0);
      s.idx.insert(s.idx.end(), {i0, i1});
      s.weight.insert(s.weight.end(), {i0 == i1 ? 0.5f : 1.f - w1, w1});
    } else {
      const float f = std::floor(x);
      float c[4];
      cubic_coeffs(x - f, a.cubic_a, c);
      float sum = 0;
      for (int k = 0; k < 4; ++k) {
        const int64_t i = int64_t(f) - 1 + k;
        if (a.exclude_outside && (i < 0 || i >= in)) c[k] = 0;
        sum += c[k];
        s.idx.push_back(std::clamp<int64_t>(i, 0, in - 1));
      }
      for (int k = 0; k < 4; ++k) s.weight.push_back(a.exclude_outside && sum != 0 ? c[k] / sum : c[k]);
    }
  }
  return s;
}

}  // namespace ember::ops::resize
