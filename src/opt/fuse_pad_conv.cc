// fuse_pad_conv: a zero constant Pad of the spatial axes in front of a Conv becomes the Conv's
// own padding. Exporters that pad explicitly (Keras' ZeroPadding2D before a 'valid' stride-2
// convolution, through tf2onnx) otherwise copy the whole activation once more per Conv, and the
// direct-convolution kernels handle any non-negative (also asymmetric) pads themselves.
#include "opt/pattern.h"

namespace ember::opt {
namespace {

// The Pad's per-axis pads [begin..., end...] for rank r when they are constant.
std::optional<std::vector<int64_t>> constant_pads(const ir::Node* pad, size_t r) {
  std::vector<int64_t> given;
  if (pad->opset < 11) {
    given = pad->attr_ints("pads");
  } else {
    const Tensor* t = pad->inputs.size() > 1 ? constant_of(pad->inputs[1]) : nullptr;
    if (!t || !dtype_is_integer(t->dtype())) return std::nullopt;
    given = t->to_int64_vector();
  }
  std::vector<int64_t> axes;
  if (pad->opset >= 18 && pad->inputs.size() > 3 && pad->inputs[3]) {
    const Tensor* t = constant_of(pad->inputs[3]);
    if (!t || !dtype_is_integer(t->dtype())) return std::nullopt;
    for (int64_t a : t->to_int64_vector()) {
      if (a < -int64_t(r) || a >= int64_t(r)) return std::nullopt;
      axes.push_back(a < 0 ? a + int64_t(r) : a);
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
  }
  if (given.size() != 2 * axes.size()) return std::nullopt;
  std::vector<int64_t> full(2 * r, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[size_t(axes[i])] += given[i];
    full[r + size_t(axes[i])] += given[axes.size() + i];
  }
  return full;
}

// True when the Pad fills with zero: the default, or a constant zero.
bool pads_with_zero(const ir::Node* pad) {
  if (pad->attr_string("mode", "constant") != "constant") return false;
  if (pad->opset < 11) return pad->attr_float("value", 0.f) == 0.f;
  if (pad->inputs.size() < 3 || !pad->inputs[2]) return true;
  const std::optional<double> v = scalar_of(pad->inputs[2]);
  return v && *v == 0.0;
}

// The Conv's explicit pads (2 * spatial entries) when it pads explicitly or not at all.
std::optional<std::vector<int64_t>> conv_pads(const ir::Node* conv, size_t spatial) {
  const std::string ap = conv->attr_string("auto_pad", "NOTSET");
  if (ap == "VALID") return std::vector<int64_t>(2 * spatial, 0);
  if (ap != "NOTSET") return std::nullopt;
  std::vector<int64_t> p = conv->attr_ints("pads");
  if (p.empty()) p.assign(2 * spatial, 0);
  if (p.size() != 2 * spatial) return std::nullopt;
  return p;
}

struct PadConvMatch {
  const ir::Node* pad;
  const ir::Node* conv;
  std::vector<int64_t> pads;  // the Conv's new pads
};

std::optional<PadConvMatch> match(const ir::Node* pad) {
  if (!is_op(pad, "Pad") || pad->inputs.empty() || !pad->inputs[0] || !pads_with_zero(pad)) return std::nullopt;
  const ir::Node* conv = sole_consumer(pad->outputs[0]);
  if (!is_op(conv, "Conv") || conv->inputs[0] != pad->outputs[0]) return std::nullopt;
  const std::optional<size_t> r = rank_of(pad->inputs[0]);
  if (!r || *r < 3) return std::nullopt;
  const std::optional<std::vector<int64_t>> full = constant_pads(pad, *r);
  const size_t spatial = *r - 2;
  std::optional<std::vector<int64_t>> cp = conv_pads(conv, spatial);
  if (!full || !cp) return std::nullopt;
  // Batch and channel pads change what the Conv sees; negative pads crop.
  if ((*full)[0] || (*full)[1] || (*full)[*r] || (*full)[*r + 1]) return std::nullopt;
  for (int64_t p : *full)
    if (p < 0) return std::nullopt;
  for (size_t i = 0; i < spatial; ++i) {
    (*cp)[i] += (*full)[2 + i];
    (*cp)[spatial + i] += (*full)[*r + 2 + i];
  }
  return PadConvMatch{pad, conv, *cp};
}

void fuse(ir::Graph& g, const PadConvMatch& m) {
  NewNode spec{"Conv", "", m.conv->opset, m.conv->inputs, {m.conv->outputs[0]}, {}};
  spec.inputs[0] = m.pad->inputs[0];
  for (const auto& [k, a] : m.conv->attrs) spec.attrs.push_back(a);
  set_attr(spec, attr_string("auto_pad", "NOTSET"));
  set_attr(spec, attr_ints("pads", m.pads));
  replace_with(g, {m.pad, m.conv}, spec);
}

class FusePadConv final : public Pass {
 public:
  const char* name() const override { return "fuse_pad_conv"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const std::optional<PadConvMatch> m = match(up.get());
      if (!m || !claims.claim({m->pad, m->conv})) continue;
      out.push_back({std::string(name()) + ": " + join_names({m->pad, m->conv}),
                     [m = *m](ir::Graph& gr) { fuse(gr, m); }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_pad_conv() { return std::make_unique<FusePadConv>(); }

}  // namespace ember::opt
