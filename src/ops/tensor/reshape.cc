// Ops that only change the shape, never the element order: Reshape, Flatten, Squeeze,
// Unsqueeze. One dims computation per op serves both inference (dims may be unknown) and the
// kernel (all dims known), so the two can never disagree.
#include <algorithm>
#include <set>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using ir::Dim;
using DimVec = std::vector<Dim>;
using namespace movement;

std::string dimvec_str(const DimVec& v) { return type_from_dims(DType::Float32, v).str().substr(7); }

// A target entry known only as a dim (symbolic) at inference: `symbolic[i]` gives it.
constexpr int64_t kDimEntry = INT64_MIN;

// ONNX Reshape: 0 copies the input dim (unless allowzero), -1 is inferred from the rest.
DimVec reshape_dims(const DimVec& in, const std::vector<int64_t>& shape, bool allowzero, const ir::Node& node,
                    const DimVec* symbolic = nullptr) {
  auto shape_str = [&] { return symbolic ? dimvec_str(*symbolic) : dims_str(shape); };
  DimVec out(shape.size());
  int64_t infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t v = shape[i];
    if (v == kDimEntry) {
      out[i] = (*symbolic)[i];
    } else if (v == -1) {
      EMBER_CHECK(infer_at < 0, InvalidModel, node.describe(), ": shape ", shape_str(),
                  " has more than one -1");
      infer_at = int64_t(i);
    } else if (v == 0 && !allowzero) {
      EMBER_CHECK(i < in.size(), InvalidModel, node.describe(), ": shape ", shape_str(),
                  " copies dim ", i, " (0) but the input ", dimvec_str(in), " has rank ", in.size());
      out[i] = in[i];
    } else {
      EMBER_CHECK(v >= 0, InvalidModel, node.describe(), ": invalid dimension ", v, " in shape ", shape_str());
      has_zero |= v == 0;
      out[i] = Dim::of(v);
    }
  }
  EMBER_CHECK(!(allowzero && has_zero && infer_at >= 0), InvalidModel, node.describe(),
              ": shape ", shape_str(), " has both 0 and -1 with allowzero=1");
  // Products of known dims; unknown dims of the output must cancel against the input's
  // (copied by 0, or the same symbol) for -1 or the element count check to be decidable.
  std::vector<bool> in_open(in.size());
  int64_t in_known = 1, out_known = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k].known()) in_known *= in[k].value; else in_open[k] = true;
  }
  bool decidable = true;
  for (size_t j = 0; j < out.size(); ++j) {
    if (int64_t(j) == infer_at) continue;
    if (out[j].known()) { out_known *= out[j].value; continue; }
    size_t match = in.size();
    if (shape[j] == 0 && in_open[j]) match = j;
    for (size_t k = 0; k < in.size() && match == in.size(); ++k)
      if (in_open[k] && !out[j].symbol.empty() && in[k].symbol == out[j].symbol) match = k;
    if (match == in.size()) decidable = false; else in_open[match] = false;
  }
  for (bool open : in_open) decidable &= !open;
  if (!decidable) return out;  // the -1 stays unknown
  auto mismatch = [&] {
    fail(Status::ShapeMismatch, node.describe(), ": cannot reshape input of shape ", dimvec_str(in),
         " to shape ", shape_str());
  };
  if (infer_at >= 0) {
    if (out_known == 0) {
      if (in_known != 0) mismatch();
      fail(Status::InvalidArgument, node.describe(), ": -1 in shape ", shape_str(),
           " is ambiguous for an empty input ", dimvec_str(in));
    }
    if (in_known % out_known != 0) mismatch();
    out[size_t(infer_at)] = Dim::of(in_known / out_known);
  } else if (in_known != out_known) {
    mismatch();
  }
  return out;
}

void infer_reshape(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  const bool allowzero = ctx.node().attr_int("allowzero", 0) != 0;
  if (auto shape = const_ints(ctx, 1)) {
    if (in.has_shape) return ctx.set_output(0, type_from_dims(in.dtype, reshape_dims(in.dims, *shape, allowzero, ctx.node())));
    DimVec out;  // input rank unknown: only literal dims are known
    for (int64_t v : *shape) out.push_back(v > 0 || (v == 0 && allowzero) ? Dim::of(v) : Dim{});
    return ctx.set_output(0, type_from_dims(in.dtype, out));
  }
  // A target computed from Shape pieces ([batch, seq, 12, 64] with batch and seq symbolic).
  if (const auto target = ctx.input_dims_value(1); target && in.has_shape) {
    // Inference of a computed target never fails the model: what contradicts the element count
    // is left unknown here and reported by the kernel on a run.
    DimVec entries = *target;  // for the kDimEntry ones: a literal -1 is no size
    for (Dim& d : entries)
      if (is_minus_one_literal(d)) d = Dim{};
    auto attempt = [&](const std::vector<int64_t>& shape) -> std::optional<DimVec> {
      try {
        return reshape_dims(in.dims, shape, allowzero, ctx.node(), &entries);
      } catch (const Error&) {
        return std::nullopt;
      }
    };
    std::vector<int64_t> shape, open_as_minus_one;
    for (const Dim& d : *target) {
      shape.push_back(d.known() ? d.value : is_minus_one_literal(d) ? -1 : kDimEntry);
      // An entry neither known nor named (a size computed at run time, or a -1 from a Constant
      // node not folded yet): when the other entries cancel against the input, the element
      // count fixes it whatever it is (anything else fails at run time), so try it as -1.
      open_as_minus_one.push_back(!d.known() && d.symbol.empty() ? -1 : shape.back());
    }
    const bool one_open = std::count(open_as_minus_one.begin(), open_as_minus_one.end(), int64_t(-1)) == 1 &&
                          std::count(shape.begin(), shape.end(), int64_t(-1)) == 0;
    std::optional<DimVec> out = one_open ? attempt(open_as_minus_one) : std::nullopt;
    if (!out) out = attempt(shape);
    if (!out) {  // the -1 contradicts the element count: that entry unknown
      for (int64_t& v : shape) v = v == -1 ? kDimEntry : v;
      out = attempt(shape);
    }
    if (out) return ctx.set_output(0, type_from_dims(in.dtype, *out));
    return ctx.set_output(0, unknown_dims(in.dtype, target->size()));
  }
  const TypeInfo& st = ctx.input_type(1);
  if (st.has_shape && st.dims.size() == 1 && st.dims[0].known())
    ctx.set_output(0, unknown_dims(in.dtype, size_t(st.dims[0].value)));
  else
    ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
}

// Writes `in` to output 0 with new dims; the element order is unchanged.
void copy_as(KernelContext& ctx, const Tensor& in, const Dims& dims) {
  Tensor& out = ctx.output(0, in.dtype(), dims);
  copy_elems(in.dtype(), out.raw(), 0, in.raw(), 0, in.numel());
}

class ReshapeKernel : public Kernel {
 public:
  explicit ReshapeKernel(const ir::Node& n) : node_(n), allowzero_(n.attr_int("allowzero", 0) != 0) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const DimVec d = reshape_dims(to_dimvec(in.shape()), input_ints(ctx, 1, &node_), allowzero_, node_);
    copy_as(ctx, in, from_dimvec(d));
  }
 private:
  ir::Node node_;  // a copy: error messages name it, and the graph may change after planning
  bool allowzero_;
};

// Flatten: [d0..d(axis-1)] x [d(axis)..] -> 2-D.
DimVec flatten_dims(const DimVec& in, int64_t axis, const ir::Node& node) {
  const int64_t r = int64_t(in.size());
  EMBER_CHECK(axis >= -r && axis <= r, InvalidModel, node.describe(), ": axis ", axis,
              " is out of range [", -r, ", ", r, "]");
  if (axis < 0) axis += r;
  // Product of a group of dims; a group whose only non-1 dim is unknown keeps that dim
  // (and its symbol), e.g. [B, 1, T] flattened at 2 gives [?, T].
  auto product = [&](int64_t lo, int64_t hi) {
    int64_t known = 1;
    std::vector<Dim> open;
    for (int64_t i = lo; i < hi; ++i) {
      const Dim& d = in[size_t(i)];
      if (d.known()) known *= d.value; else open.push_back(d);
    }
    if (open.empty()) return Dim::of(known);
    return open.size() == 1 && known == 1 ? open[0] : Dim{};
  };
  const Dim a = product(0, axis), b = product(axis, r);
  return {a, b};
}

void infer_flatten(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) return ctx.set_output(0, unknown_dims(in.dtype, 2));
  ctx.set_output(0, type_from_dims(in.dtype, flatten_dims(in.dims, ctx.node().attr_int("axis", 1), ctx.node())));
}

class FlattenKernel : public Kernel {
 public:
  explicit FlattenKernel(const ir::Node& n) : node_(n), axis_(n.attr_int("axis", 1)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const DimVec d = flatten_dims(to_dimvec(in.shape()), axis_, node_);
    copy_as(ctx, in, {d[0].value, d[1].value});
  }
 private:
  ir::Node node_;
  int64_t axis_;
};

// Squeeze / Unsqueeze take axes as an attribute before opset 13 and as input 1 from 13.
std::optional<std::vector<int64_t>> axes_of(const ir::Node& n, const std::optional<std::vector<int64_t>>& input) {
  if (n.opset < 13) {
    if (!n.has_attr("axes")) return std::nullopt;
    return n.attr_ints("axes");
  }
  return input;
}

// Squeeze; `axes` empty means "all size-1 dims" (requires known dims).
std::optional<DimVec> squeeze_dims(const DimVec& in, const std::optional<std::vector<int64_t>>& axes,
                                   const ir::Node& node) {
  DimVec out;
  if (!axes) {
    for (const Dim& d : in) {
      if (!d.known()) return std::nullopt;
      if (d.value != 1) out.push_back(d);
    }
    return out;
  }
  const std::vector<int64_t> ax = normalize_axes(*axes, int64_t(in.size()), node);
  const std::set<int64_t> drop(ax.begin(), ax.end());
  for (size_t i = 0; i < in.size(); ++i) {
    if (!drop.count(int64_t(i))) { out.push_back(in[i]); continue; }
    EMBER_CHECK(!in[i].known() || in[i].value == 1, ShapeMismatch, node.describe(), ": cannot squeeze axis ",
                i, " of shape ", dimvec_str(in), " (size ", in[i].value, ", expected 1)");
  }
  return out;
}

// Squeeze / Unsqueeze between rank 0 and 1 keep the elements, so a dims value passes through.
void pass_dims_value(InferContext& ctx) {
  const TypeInfo& out = ctx.outputs()[0];
  if (auto v = ctx.input_dims_value(0); v && out.has_shape && out.dims.size() <= 1)
    ctx.set_output_dims_value(0, std::move(*v));
}

void infer_squeeze(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  const ir::Node& n = ctx.node();
  const bool axes_input = n.opset >= 13 && ctx.has_input(1);
  auto axes = axes_of(n, const_ints(ctx, 1));
  std::optional<DimVec> d;
  if (in.has_shape && !(axes_input && !axes)) d = squeeze_dims(in.dims, axes, n);
  if (d) ctx.set_output(0, type_from_dims(in.dtype, *d));
  else ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  pass_dims_value(ctx);
}

class SqueezeKernel : public Kernel {
 public:
  explicit SqueezeKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    std::optional<std::vector<int64_t>> in_axes;
    if (node_.opset >= 13 && ctx.has_input(1)) in_axes = input_ints(ctx, 1, &node_);
    const DimVec d = *squeeze_dims(to_dimvec(in.shape()), axes_of(node_, in_axes), node_);
    copy_as(ctx, in, from_dimvec(d));
  }
 private:
  ir::Node node_;
};

DimVec unsqueeze_dims(const DimVec& in, const std::vector<int64_t>& axes, const ir::Node& node) {
  const int64_t r = int64_t(in.size() + axes.size());
  const std::vector<int64_t> ax = normalize_axes(axes, r, node);
  const std::set<int64_t> ins(ax.begin(), ax.end());
  EMBER_CHECK(ins.size() == ax.size(), InvalidModel, node.describe(), ": repeated axis in ", dims_str(axes));
  DimVec out;
  size_t k = 0;
  for (int64_t i = 0; i < r; ++i) out.push_back(ins.count(i) ? Dim::of(1) : in[k++]);
  return out;
}

void infer_unsqueeze(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  const ir::Node& n = ctx.node();
  auto axes = axes_of(n, const_ints(ctx, 1));
  EMBER_CHECK(axes || n.opset >= 13, InvalidModel, n.describe(), ": attribute 'axes' is required");
  if (in.has_shape && axes) {
    ctx.set_output(0, type_from_dims(in.dtype, unsqueeze_dims(in.dims, *axes, n)));
    return pass_dims_value(ctx);
  }
  const TypeInfo& at = n.opset >= 13 ? ctx.input_type(1) : in;
  if (in.has_shape && at.has_shape && at.dims.size() == 1 && at.dims[0].known())
    return ctx.set_output(0, unknown_dims(in.dtype, in.dims.size() + size_t(at.dims[0].value)));
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
}

class UnsqueezeKernel : public Kernel {
 public:
  explicit UnsqueezeKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    std::optional<std::vector<int64_t>> in_axes;
    if (node_.opset >= 13) in_axes = input_ints(ctx, 1, &node_);
    auto axes = axes_of(node_, in_axes);
    EMBER_CHECK(axes.has_value(), InvalidModel, node_.describe(), ": attribute 'axes' is required");
    const DimVec d = unsqueeze_dims(to_dimvec(in.shape()), *axes, node_);
    copy_as(ctx, in, from_dimvec(d));
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_reshape_ops(OpRegistry& r) {
  add_schema(r, "Reshape", 5, kMaxOpset, infer_reshape, make_kernel<ReshapeKernel>);
  add_schema(r, "Flatten", 1, kMaxOpset, infer_flatten, make_kernel<FlattenKernel>);
  add_schema(r, "Squeeze", 1, kMaxOpset, infer_squeeze, make_kernel<SqueezeKernel>);
  add_schema(r, "Unsqueeze", 1, kMaxOpset, infer_unsqueeze, make_kernel<UnsqueezeKernel>);
}

}  // namespace ember::ops
