#include "ops/nn/window.h"

#include <algorithm>

#include "support/error.h"

namespace ember::ops::nn {
namespace {

AutoPad parse_auto_pad(const ir::Node& node) {
  const std::string s = node.attr_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::NotSet;
  if (s == "SAME_UPPER") return AutoPad::SameUpper;
  if (s == "SAME_LOWER") return AutoPad::SameLower;
  if (s == "VALID") return AutoPad::Valid;
  fail(Status::Unsupported, node.describe(), ": auto_pad value '", s, "' is not supported");
}

int64_t div_floor(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

WindowAttrs WindowAttrs::parse(const ir::Node& node, bool with_ceil, bool with_dilations) {
  WindowAttrs a;
  a.node = node.describe();
  a.auto_pad = parse_auto_pad(node);
  a.kernel = node.attr_ints("kernel_shape");
  a.strides = node.attr_ints("strides");
  a.dilations = node.attr_ints("dilations");
  a.pads = node.attr_ints("pads");
  a.ceil_mode = with_ceil && node.attr_int("ceil_mode", 0) != 0;
  EMBER_CHECK(with_dilations || a.dilations.empty(), InvalidModel, a.node,
              ": attribute 'dilations' is not defined for this opset");
  for (int64_t k : a.kernel) EMBER_CHECK(k >= 1, InvalidModel, a.node, ": kernel_shape values must be >= 1");
  for (int64_t s : a.strides) EMBER_CHECK(s >= 1, InvalidModel, a.node, ": strides must be >= 1");
  for (int64_t d : a.dilations) EMBER_CHECK(d >= 1, InvalidModel, a.node, ": dilations must be >= 1");
  for (int64_t p : a.pads) EMBER_CHECK(p >= 0, InvalidModel, a.node, ": pads must be >= 0");
  return a;
}

Window resolve_window(const WindowAttrs& a, const Dims& in, const Dims& kernel) {
  const size_t nd = in.size();
  EMBER_CHECK(nd >= 1 && nd <= size_t(kernels::kMaxConvDims), Unsupported, a.node, ": ", nd,
              " spatial dimensions are not supported (1 to ", kernels::kMaxConvDims, ")");
  auto check_len = [&](const Dims& v, size_t want, const char* what) {
    EMBER_CHECK(v.empty() || v.size() == want, InvalidModel, a.node, ": attribute '", what, "' has ",
                v.size(), " values, expected ", want, " for ", nd, " spatial dimensions");
  };
  check_len(a.kernel, nd, "kernel_shape");
  check_len(a.strides, nd, "strides");
  check_len(a.dilations, nd, "dilations");
  check_len(a.pads, 2 * nd, "pads");
  EMBER_CHECK(kernel.size() == nd, ShapeMismatch, a.node, ": kernel has ", kernel.size(),
              " spatial dimensions, input has ", nd);
  Window w;
  w.kernel = kernel;
  for (size_t i = 0; i < nd; ++i)
    EMBER_CHECK(a.kernel.empty() || kernel[i] < 0 || a.kernel[i] == kernel[i], ShapeMismatch, a.node,
                ": kernel_shape ", dims_str(a.kernel), " disagrees with the weight's spatial shape ",
                dims_str(kernel));
  w.stride = a.strides.empty() ? Dims(nd, 1) : a.strides;
  w.dilation = a.dilations.empty() ? Dims(nd, 1) : a.dilations;
  w.pad_begin.assign(nd, 0);
  w.pad_end.assign(nd, 0);
  w.out.assign(nd, -1);
  for (size_t i = 0; i < nd; ++i) {
    if (a.auto_pad == AutoPad::NotSet && !a.pads.empty()) {
      w.pad_begin[i] = a.pads[i];
      w.pad_end[i] = a.pads[i + nd];
    }
    if (in[i] < 0 || kernel[i] < 0) continue;
    const int64_t s = w.stride[i], eff = (kernel[i] - 1) * w.dilation[i] + 1;
    if (a.auto_pad == AutoPad::SameUpper || a.auto_pad == AutoPad::SameLower) {
      // Output covers ceil(in / stride) positions; the extra padding goes at the end
      // (SAME_UPPER) or the beginning (SAME_LOWER) when the total is odd.
      w.out[i] = (in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + eff - in[i]);
      w.pad_begin[i] = a.auto_pad == AutoPad::SameUpper ? total / 2 : total - total / 2;
      w.pad_end[i] = total - w.pad_begin[i];
      continue;
    }
    const int64_t span = in[i] + w.pad_begin[i] + w.pad_end[i] - eff;
    EMBER_CHECK(span >= 0, ShapeMismatch, a.node, ": window of effective size ", eff,
                " does not fit spatial dimension ", i, " of size ", in[i], " with pads ",
                w.pad_begin[i], "+", w.pad_end[i]);
    if (a.ceil_mode) {
      int64_t o = -div_floor(-span, s) + 1;
      // A window starting beyond the input and its begin padding would see only end padding;
      // like other runtimes, drop it.
      if ((o - 1) * s >= in[i] + w.pad_begin[i]) --o;
      w.out[i] = o;
    } else {
      w.out[i] = span / s + 1;
    }
  }
  return w;
}

kernels::ConvGeom to_geom(const Window& w, const Dims& in) {
  kernels::ConvGeom g;
  g.nd = int(w.nd());
  for (size_t i = 0; i < w.nd(); ++i) {
    g.in[i] = in[i];
    g.out[i] = w.out[i];
    g.kernel[i] = w.kernel[i];
    g.stride[i] = w.stride[i];
    g.dilation[i] = w.dilation[i];
    g.pad[i] = w.pad_begin[i];
  }
  return g;
}

Dims spatial_dims(const ir::TypeInfo& t, size_t first) {
  Dims d;
  for (size_t i = first; i < t.dims.size(); ++i) d.push_back(t.dims[i].known() ? t.dims[i].value : -1);
  return d;
}

}  // namespace ember::ops::nn
