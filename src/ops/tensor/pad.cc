// Pad with modes constant / reflect / edge / wrap. Pads may be negative (crop). Each axis gets
// an index map output -> source (or -1 for "the constant"); the copy then walks rows.
// Opsets 2-10 pass pads/value as attributes; from 11 as inputs; from 18 an axes input.
#include <algorithm>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

enum class PadMode { Constant, Reflect, Edge, Wrap };

PadMode parse_mode(const ir::Node& n) {
  const std::string m = n.attr_string("mode", "constant");
  if (m == "constant") return PadMode::Constant;
  if (m == "reflect") return PadMode::Reflect;
  if (m == "edge") return PadMode::Edge;
  if (m == "wrap") return PadMode::Wrap;
  fail(Status::Unsupported, n.describe(), ": mode '", m, "' is not supported (constant, reflect, edge, wrap)");
}

// Full per-axis [begin..., end...] pads for rank r from the pads/axes given.
std::vector<int64_t> full_pads(const std::vector<int64_t>& pads, const std::optional<std::vector<int64_t>>& axes_in,
                               size_t r, const ir::Node& n) {
  std::vector<int64_t> axes;
  if (axes_in) axes = normalize_axes(*axes_in, int64_t(r), n);
  else for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
  EMBER_CHECK(pads.size() == 2 * axes.size(), InvalidModel, n.describe(), ": pads ", dims_str(pads), " must have ",
              2 * axes.size(), " entries for an input of rank ", r);
  std::vector<int64_t> full(2 * r, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[size_t(axes[i])] = pads[i];
    full[r + size_t(axes[i])] = pads[axes.size() + i];
  }
  return full;
}

// Source index along one axis of size `dim` for each output index; -1 means the pad value.
std::vector<int64_t> axis_map(int64_t dim, int64_t begin, int64_t end, PadMode mode, const ir::Node& n) {
  const int64_t lo = std::max<int64_t>(0, -begin), hi = dim - std::max<int64_t>(0, -end);  // kept after crop
  const int64_t kept = hi - lo, pb = std::max<int64_t>(0, begin), pe = std::max<int64_t>(0, end);
  EMBER_CHECK(kept >= 0, InvalidArgument, n.describe(), ": pads (", begin, ", ", end, ") crop more than the dim ", dim);
  const int64_t out = kept + pb + pe;
  EMBER_CHECK(mode == PadMode::Constant || kept > 0 || out == 0, InvalidArgument, n.describe(),
              ": cannot pad an empty axis in this mode");
  std::vector<int64_t> m(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t j = o - pb;  // position inside the kept range
    if (j < 0 || j >= kept) {
      switch (mode) {
        case PadMode::Constant: j = -1; break;
        case PadMode::Edge: j = std::clamp<int64_t>(j, 0, kept - 1); break;
        case PadMode::Wrap: j = ((j % kept) + kept) % kept; break;
        case PadMode::Reflect: {
          const int64_t p = 2 * (kept - 1);
          if (p == 0) { j = 0; break; }
          j = ((j % p) + p) % p;
          if (j >= kept) j = p - j;
          break;
        }
      }
    }
    m[size_t(o)] = j < 0 ? -1 : j + lo;
  }
  return m;
}

void infer_pad(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  std::optional<std::vector<int64_t>> pads, axes;
  if (n.opset < 11) pads = n.attr_ints("pads");
  else pads = const_ints(ctx, 1);
  const bool axes_given = n.opset >= 18 && ctx.has_input(3);
  if (axes_given) axes = const_ints(ctx, 3);
  if (!pads || (axes_given && !axes)) return ctx.set_output(0, unknown_dims(in.dtype, in.dims.size()));
  const size_t r = in.dims.size();
  const auto full = full_pads(*pads, axes, r, n);
  TypeInfo out = in;
  for (size_t i = 0; i < r; ++i) {
    if (in.dims[i].known()) out.dims[i] = ir::Dim::of(in.dims[i].value + full[i] + full[r + i]);
    else if (full[i] != 0 || full[r + i] != 0) out.dims[i] = ir::Dim{};
  }
  ctx.set_output(0, out);
}

class PadKernel : public Kernel {
 public:
  explicit PadKernel(const ir::Node& n) : node_(n), mode_(parse_mode(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    std::vector<int64_t> pads;
    std::optional<std::vector<int64_t>> axes;
    if (node_.opset < 11) pads = node_.attr_ints("pads");
    else pads = input_ints(ctx, 1, &node_);
    if (node_.opset >= 18 && ctx.has_input(3)) axes = input_ints(ctx, 3, &node_);
    const size_t r = in.rank();
    const auto full = full_pads(pads, axes, r, node_);
    std::vector<std::vector<int64_t>> maps;
    Dims out_shape;
    for (size_t i = 0; i < r; ++i) {
      maps.push_back(axis_map(in.dim(i), full[i], full[r + i], mode_, node_));
      out_shape.push_back(int64_t(maps.back().size()));
    }
    const Tensor value = pad_value(ctx, in.dtype());
    Tensor& out = ctx.output(0, in.dtype(), out_shape);
    gather_mapped(in, value, maps, out);
  }

 private:
  // The constant: attribute 'value' (< 11) or optional input 2, default zero / "".
  Tensor pad_value(KernelContext& ctx, DType dt) const {
    if (node_.opset >= 11 && ctx.has_input(2)) {
      const Tensor& v = ctx.input(2);
      EMBER_CHECK(v.dtype() == dt && v.numel() == 1, TypeMismatch, node_.describe(), ": constant_value must be a ",
                  dtype_name(dt), " scalar, got ", dtype_name(v.dtype()), dims_str(v.shape()));
      return v;
    }
    if (dt == DType::String) return Tensor::scalar(std::string());
    const float f = node_.opset < 11 ? node_.attr_float("value", 0.f) : 0.f;
    Tensor t(dt, {});
    visit_numeric_dtype(dt, [&](auto tag) { *t.data<decltype(tag)>() = decltype(tag)(f); });
    return t;
  }

  ir::Node node_;
  PadMode mode_;
};

}  // namespace

void add_pad_ops(OpRegistry& r) {
  add_schema(r, "Pad", 2, kMaxOpset, infer_pad, make_kernel<PadKernel>);
}

}  // namespace ember::ops
