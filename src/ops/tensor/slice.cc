// Slice: starts/ends/axes as attributes before opset 10, then starts/ends/axes/steps inputs.
// The result is a strided view of the input (negative steps read backwards), copied out.
#include <algorithm>
#include <set>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

struct SliceArgs {
  std::vector<int64_t> starts, ends, axes, steps;
};

// ONNX clamping for one axis of size `dim`: yields the first index and the element count.
void clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t& first, int64_t& count) {
  if (dim == 0) {  // also keeps the clamp ranges below non-empty
    first = count = 0;
    return;
  }
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
  }
  first = start;
}

// Validates lengths and fills default axes/steps; axes normalised to [0, rank).
SliceArgs complete(SliceArgs a, size_t rank, const ir::Node& n) {
  EMBER_CHECK(a.starts.size() == a.ends.size(), InvalidModel, n.describe(), ": starts ", dims_str(a.starts),
              " and ends ", dims_str(a.ends), " differ in length");
  if (a.axes.empty())
    for (size_t i = 0; i < a.starts.size(); ++i) a.axes.push_back(int64_t(i));
  if (a.steps.empty()) a.steps.assign(a.starts.size(), 1);
  EMBER_CHECK(a.axes.size() == a.starts.size() && a.steps.size() == a.starts.size(), InvalidModel,
              n.describe(), ": axes ", dims_str(a.axes), " / steps ", dims_str(a.steps),
              " do not match starts ", dims_str(a.starts));
  a.axes = normalize_axes(a.axes, int64_t(rank), n);
  EMBER_CHECK(std::set<int64_t>(a.axes.begin(), a.axes.end()).size() == a.axes.size(), InvalidModel,
              n.describe(), ": repeated axis in ", dims_str(a.axes));
  for (int64_t s : a.steps) EMBER_CHECK(s != 0, InvalidModel, n.describe(), ": slice step cannot be 0");
  return a;
}

SliceArgs attr_args(const ir::Node& n) {
  return {n.attr_ints("starts"), n.attr_ints("ends"), n.attr_ints("axes"), {}};
}

// Slice(x, 0, n) with n a named symbolic size (ends computed from Shape(y)): the axis becomes n.
// PyTorch exports with dynamic axes cut BERT's [1, 512] position-id table to the sequence
// length this way; without the name, every tensor after the position embeddings loses its
// sequence dim and the attention and layer-norm fusions cannot match. n is assumed to lie within
// the axis, whose length must be known and above 1: a longer n makes the real axis that length,
// and any node combining it with an n-long axis then fails (fused or not) instead of
// broadcasting. Memory is never planned from symbolic dims.
void take_symbolic_prefixes(InferContext& ctx, const TypeInfo& in, const std::vector<int64_t>& starts,
                            std::vector<int64_t> axes, const std::vector<int64_t>& steps, TypeInfo& out) {
  const std::optional<std::vector<ir::Dim>> ends = ctx.input_dims_value(2);
  if (!ends || ends->size() != starts.size()) return;
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (axes.size() != starts.size() || (!steps.empty() && steps.size() != starts.size())) return;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = axes[i] < 0 ? axes[i] + int64_t(in.dims.size()) : axes[i];
    if (a < 0 || a >= int64_t(in.dims.size())) return;
    const ir::Dim& whole = in.dims[size_t(a)];
    const ir::Dim& end = (*ends)[i];
    if (starts[i] == 0 && (steps.empty() || steps[i] == 1) && is_named_dim(end) &&
        whole.known() && whole.value > 1)
      out.dims[size_t(a)] = end;
  }
}

void infer_slice(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  SliceArgs a;
  if (n.opset < 10) {
    a = attr_args(n);
  } else {
    auto s = const_ints(ctx, 1), e = const_ints(ctx, 2);
    auto ax = ctx.has_input(3) ? const_ints(ctx, 3) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
    auto st = ctx.has_input(4) ? const_ints(ctx, 4) : std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
    if (!s || !e || !ax || !st) {
      TypeInfo t = in;  // rank kept; sliced axes unknown (all of them if axes are unknown)
      for (size_t d = 0; d < t.dims.size(); ++d)
        if (!ax || ax->empty() || std::count(ax->begin(), ax->end(), int64_t(d)) ||
            std::count(ax->begin(), ax->end(), int64_t(d) - int64_t(t.dims.size())))
          t.dims[d] = ir::Dim{};
      if (s && ax && st && !e) take_symbolic_prefixes(ctx, in, *s, *ax, *st, t);
      return ctx.set_output(0, t);
    }
    a = {*s, *e, *ax, *st};
  }
  a = complete(a, in.dims.size(), n);
  TypeInfo t = in;
  for (size_t i = 0; i < a.axes.size(); ++i) {
    ir::Dim& d = t.dims[size_t(a.axes[i])];
    if (!d.known()) { d = ir::Dim{}; continue; }
    int64_t first, count;
    clamp_axis(d.value, a.starts[i], a.ends[i], a.steps[i], first, count);
    d = ir::Dim::of(count);
  }
  ctx.set_output(0, t);
  // Shape(x)[a:b]: the sliced dims, symbols included.
  const auto v = ctx.input_dims_value(0);
  if (!v || in.dims.size() != 1 || a.axes.size() != 1) return;
  int64_t first, count;
  clamp_axis(int64_t(v->size()), a.starts[0], a.ends[0], a.steps[0], first, count);
  std::vector<ir::Dim> sliced;
  for (int64_t k = 0; k < count; ++k) sliced.push_back((*v)[size_t(first + k * a.steps[0])]);
  ctx.set_output_dims_value(0, std::move(sliced));
}

class SliceKernel : public Kernel {
 public:
  explicit SliceKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    SliceArgs a;
    if (node_.opset < 10) {
      a = attr_args(node_);
    } else {
      a.starts = input_ints(ctx, 1, &node_);
      a.ends = input_ints(ctx, 2, &node_);
      if (ctx.has_input(3)) a.axes = input_ints(ctx, 3, &node_);
      if (ctx.has_input(4)) a.steps = input_ints(ctx, 4, &node_);
    }
    a = complete(a, in.rank(), node_);
    Dims shape = in.shape(), strides = dims_strides(in.shape());
    int64_t offset = 0;
    for (size_t i = 0; i < a.axes.size(); ++i) {
      const size_t ax = size_t(a.axes[i]);
      int64_t first, count;
      clamp_axis(in.dim(ax), a.starts[i], a.ends[i], a.steps[i], first, count);
      shape[ax] = count;
      if (count > 0) offset += first * strides[ax];
      strides[ax] *= a.steps[i];
    }
    Tensor& out = ctx.output(0, in.dtype(), shape);
    copy_strided(&ctx.pool(), in.dtype(), out.raw(), in.raw(), offset, shape, strides);
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_slice_ops(OpRegistry& r) {
  add_schema(r, "Slice", 1, kMaxOpset, infer_slice, make_kernel<SliceKernel>);
}

}  // namespace ember::ops
