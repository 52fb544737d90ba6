#include "ops/elementwise/legacy_broadcast.h"

namespace ember::ops::ew {

LegacyRhs LegacyRhs::of(const ir::Node& n, bool channel_slope) {
  LegacyRhs r;
  if (n.opset >= 7) return r;
  if (channel_slope) {
    r.mode = Mode::Channel;
    return r;
  }
  if (n.attr_int("broadcast", 0) == 0) {
    r.mode = Mode::Equal;
    return r;
  }
  r.mode = Mode::Axis;
  if (n.has_attr("axis")) {
    const int64_t ax = n.attr_int("axis", 0);
    EMBER_CHECK(ax >= 0, Unsupported, n.describe(), ": negative 'axis' (", ax,
                ") with the legacy 'broadcast' attribute (opset < 7) is not supported");
    r.axis = ax;
  }
  return r;
}

Dims LegacyRhs::rhs_shape(const Dims& a, const Dims& b, const std::string& who) const {
  const size_t ra = a.size(), rb = b.size();
  switch (mode) {
    case Mode::Numpy:
      return b;
    case Mode::Equal:
      EMBER_CHECK(a == b, ShapeMismatch, who, ": input shapes ", dims_str(a), " and ", dims_str(b),
                  " differ; before opset 7 they must be equal unless 'broadcast' is set");
      return b;
    case Mode::Channel:
      if (dims_numel(b) == 1) return Dims(ra, 1);
      if (b == a) return b;
      EMBER_CHECK(rb == 1 && ra >= 2 && b[0] == a[1], Unsupported, who, ": slope of shape ", dims_str(b),
                  " on input of shape ", dims_str(a), " is not defined before opset 7 (a 1-element slope,",
                  " one of the input's shape, or one of [C] for an input [N, C, ...] is)");
      {
        Dims out(ra, 1);
        out[1] = b[0];
        return out;
      }
    case Mode::Axis:
      break;
  }
  if (rb <= ra && dims_numel(b) == 1) return Dims(ra, 1);
  const int64_t start = axis ? *axis : int64_t(ra) - int64_t(rb);
  EMBER_CHECK(start >= 0 && start + int64_t(rb) <= int64_t(ra), ShapeMismatch, who, ": input B of shape ",
              dims_str(b), " does not fit into input A of shape ", dims_str(a),
              axis ? str_cat(" at axis ", *axis) : std::string(" (trailing dims)"), " (legacy broadcast)");
  Dims out(ra, 1);
  for (size_t i = 0; i < rb; ++i) {
    const int64_t ad = a[size_t(start) + i];
    EMBER_CHECK(b[i] == ad || b[i] == 1, ShapeMismatch, who, ": input B of shape ", dims_str(b),
                " does not broadcast onto input A of shape ", dims_str(a), ": B dim ", i, " is ", b[i],
                " but A dim ", size_t(start) + i, " is ", ad, " (legacy broadcast)");
    out[size_t(start) + i] = b[i];
  }
  return out;
}

void infer_legacy_binary(InferContext& ctx, const LegacyRhs& lr, DType out) {
  const TypeInfo& a = ctx.input_type(0);
  const TypeInfo& b = ctx.input_type(1);
  if (a.is_static() && b.is_static()) lr.rhs_shape(a.static_dims(), b.static_dims(), ctx.node().describe());
  ctx.set_output(0, with_dtype(a, out));
}

}  // namespace ember::ops::ew
