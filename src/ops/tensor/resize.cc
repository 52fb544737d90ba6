// Resize (opset 10+) and Upsample (7-9). Nearest mode is an index gather and works for every
// dtype; linear and cubic interpolate one axis at a time (they are separable), accumulating in
// float (double for float64 inputs).
#include <algorithm>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/resize_plan.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;
using namespace resize;

std::vector<float> floats_of(const Tensor& t) {
  return visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.raw());
    std::vector<float> v;
    for (int64_t i = 0; i < t.numel(); ++i) v.push_back(float(p[i]));
    return v;
  });
}

// Where each opset form keeps roi / scales / sizes (-1: not an input of this form).
struct InputSlots {
  int roi = -1, scales = -1, sizes = -1;
};
InputSlots slots(const ir::Node& n) {
  if (n.op_type == "Upsample") return {-1, n.opset >= 9 ? 1 : -1, -1};
  if (n.opset <= 10) return {-1, 1, -1};
  return {1, 2, 3};
}

// Scales / sizes / roi of one run (or of inference, from constants). `known` is false when a
// needed input is not constant at inference time.
struct Request {
  std::vector<float> scales, roi;
  std::vector<int64_t> sizes;
  bool known = true;
};

template <class Get>
Request request(const ir::Node& n, Get&& get) {
  Request q;
  const InputSlots s = slots(n);
  if (n.op_type == "Upsample" && n.opset < 9) q.scales = n.attr_floats("scales");
  auto read = [&](int slot, auto& dst) {
    if (slot < 0) return;
    bool present = false;
    const Tensor* t = get(size_t(slot), present);
    if (!present) return;
    if (!t) { q.known = false; return; }
    if constexpr (std::is_same_v<std::decay_t<decltype(dst)>, std::vector<float>>) dst = floats_of(*t);
    else dst = t->to_int64_vector();
  };
  read(s.scales, q.scales);
  read(s.sizes, q.sizes);
  read(s.roi, q.roi);
  return q;
}

void infer_resize(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  const Attrs a = parse_attrs(n);
  if (!in.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  const size_t roi_slot = size_t(slots(n).roi);
  const Request q = request(n, [&](size_t i, bool& present) -> const Tensor* {
    present = ctx.has_input(i) && i != roi_slot;  // output dims never depend on roi
    const Tensor* v = ctx.input_value(i);
    if (v && v->numel() == 0) present = false;   // "" placeholder given as an empty tensor
    return v;
  });
  if (!q.known) return ctx.set_output(0, unknown_dims(in.dtype, in.dims.size()));
  if (auto d = known_dims(in)) return ctx.set_output(0, TypeInfo::tensor(in.dtype, geometry(a, *d, q.scales, q.sizes, n).out));
  // Some input dims unknown (a dynamic batch, say): resolve what does not depend on them,
  // with the same arithmetic as geometry().
  std::vector<int64_t> axes = a.axes.empty() ? std::vector<int64_t>() : normalize_axes(a.axes, int64_t(in.dims.size()), n);
  if (a.axes.empty()) for (size_t i = 0; i < in.dims.size(); ++i) axes.push_back(int64_t(i));
  TypeInfo t = in;
  const size_t given = q.scales.empty() ? q.sizes.size() : q.scales.size();
  EMBER_CHECK(given == axes.size(), ShapeMismatch, n.describe(), ": ", q.scales.empty() ? "sizes" : "scales", " has ",
              given, " entries but ", axes.size(), " axes are resized");
  for (size_t i = 0; i < axes.size(); ++i) {
    ir::Dim& d = t.dims[size_t(axes[i])];
    if (!q.sizes.empty()) d = a.keep_aspect == "stretch" ? ir::Dim::of(q.sizes[i]) : ir::Dim{};
    else if (d.known()) d = ir::Dim::of(int64_t(q.scales[i] * float(d.value)));
    else if (q.scales[i] != 1.f) d = ir::Dim{};
  }
  ctx.set_output(0, t);
}

template <class Acc>
void interp_axis(const std::vector<Acc>& src, const Dims& shape, size_t axis, const AxisSampling& s,
                 int64_t out_len, std::vector<Acc>& dst) {
  const int64_t outer = dims_numel(Dims(shape.begin(), shape.begin() + int64_t(axis)));
  const int64_t n = shape[axis];
  const int64_t inner = dims_numel(Dims(shape.begin() + int64_t(axis) + 1, shape.end()));
  dst.assign(size_t(outer * out_len * inner), Acc(0));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < out_len; ++j) {
      Acc* d = dst.data() + (o * out_len + j) * inner;
      for (int k = 0; k < s.taps; ++k) {
        const Acc w = Acc(s.weight[size_t(j * s.taps + k)]);
        const Acc* r = src.data() + (o * n + s.idx[size_t(j * s.taps + k)]) * inner;
        for (int64_t i = 0; i < inner; ++i) d[i] += w * r[i];
      }
    }
}

bool is_identity(const AxisSampling& s, int64_t in, int64_t out) {
  if (in != out) return false;
  for (int64_t o = 0; o < out; ++o)
    for (int k = 0; k < s.taps; ++k) {
      const float w = s.weight[size_t(o * s.taps + k)];
      if (w != 0.f && !(w == 1.f && s.idx[size_t(o * s.taps + k)] == o)) return false;
    }
  return true;
}

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(const ir::Node& n) : node_(n), a_(parse_attrs(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Request q = request(node_, [&](size_t i, bool& present) -> const Tensor* {
      present = ctx.has_input(i) && ctx.input(i).numel() > 0;
      return present ? &ctx.input(i) : nullptr;
    });
    const Geometry g = geometry(a_, in.shape(), q.scales, q.sizes, node_);
    const size_t r = in.rank();
    for (size_t i = 0; i < r; ++i)
      EMBER_CHECK(in.dim(i) > 0 || g.out[i] == 0, InvalidArgument, node_.describe(), ": cannot resize the empty axis ",
                  i, " of ", dims_str(in.shape()), " to ", g.out[i]);
    // roi: [starts..., ends...] over the resized axes; defaults to the whole axis.
    std::vector<float> rs(r, 0.f), re(r, 1.f);
    if (a_.coord == "tf_crop_and_resize") {
      std::vector<int64_t> axes = a_.axes.empty() ? std::vector<int64_t>() : normalize_axes(a_.axes, int64_t(r), node_);
      if (axes.empty()) for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
      EMBER_CHECK(q.roi.size() == 2 * axes.size(), InvalidArgument, node_.describe(), ": roi has ", q.roi.size(),
                  " values, expected ", 2 * axes.size());
      for (size_t i = 0; i < axes.size(); ++i) {
        rs[size_t(axes[i])] = q.roi[i];
        re[size_t(axes[i])] = q.roi[axes.size() + i];
      }
    }
    std::vector<AxisSampling> samp;
    for (size_t i = 0; i < r; ++i) samp.push_back(sample_axis(a_, in.dim(i), g.out[i], g.scales[i], rs[i], re[i]));
    Tensor& out = ctx.output(0, in.dtype(), g.out);
    if (out.numel() == 0) return;
    if (a_.mode == Mode::Nearest) {
      std::vector<std::vector<int64_t>> maps;
      for (const AxisSampling& s : samp) maps.push_back(s.src);
      Tensor fill(in.dtype(), {});
      if (in.dtype() == DType::String) *fill.data<std::string>() = "";
      else visit_numeric_dtype(in.dtype(), [&](auto tag) { *fill.data<decltype(tag)>() = decltype(tag)(a_.extrapolation); });
      return gather_mapped(in, fill, maps, out);
    }
    switch (in.dtype()) {
      case DType::Float32: return interpolate<float, float>(in, samp, g, out);
      case DType::Float16: return interpolate<half, float>(in, samp, g, out);
      case DType::BFloat16: return interpolate<bfloat16, float>(in, samp, g, out);
      case DType::Float64: return interpolate<double, double>(in, samp, g, out);
      default:
        fail(Status::Unsupported, node_.describe(), ": linear/cubic resize of ", dtype_name(in.dtype()),
             " is not supported (float types only)");
    }
  }

 private:
  template <class T, class Acc>
  void interpolate(const Tensor& in, const std::vector<AxisSampling>& samp, const Geometry& g, Tensor& out) const {
    const T* src = in.data<T>();
    std::vector<Acc> cur(src, src + in.numel()), next;
    Dims shape = in.shape();
    for (size_t ax = 0; ax < shape.size(); ++ax) {
      if (is_identity(samp[ax], shape[ax], g.out[ax])) continue;
      interp_axis(cur, shape, ax, samp[ax], g.out[ax], next);
      shape[ax] = g.out[ax];
      cur.swap(next);
    }
    T* o = out.data<T>();
    for (size_t i = 0; i < cur.size(); ++i) o[i] = T(cur[i]);
    if (a_.coord != "tf_crop_and_resize") return;
    // Positions sampled outside the roi'd input take extrapolation_value.
    Dims idx(shape.size(), 0);
    for (size_t i = 0; i < cur.size(); ++i) {
      bool valid = true;
      for (size_t d = 0; d < shape.size(); ++d) valid &= bool(samp[d].valid[size_t(idx[d])]);
      if (!valid) o[i] = T(Acc(a_.extrapolation));
      for (size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  }

  ir::Node node_;
  Attrs a_;
};

}  // namespace

void add_resize_ops(OpRegistry& r) {
  add_schema(r, "Resize", 10, kMaxOpset, infer_resize, make_kernel<ResizeKernel>);
  add_schema(r, "Upsample", 7, 9, infer_resize, make_kernel<ResizeKernel>);
}

}  // namespace ember::ops
