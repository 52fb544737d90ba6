// Concat and Split: both see the tensor as [outer, axis, inner] and move whole
// axis*inner blocks.
#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;
using ir::Dim;

int64_t concat_axis(const ir::Node& n, int64_t rank) {
  // Opsets 1-3 default the axis to 1; from 4 it is required.
  const int64_t a = n.opset < 4 ? n.attr_int("axis", 1) : n.attr_int("axis");
  return normalize_axis(a, rank, n);
}

void infer_concat(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  DType dt = ctx.input_type(0).dtype;
  const TypeInfo* ranked = nullptr;
  for (size_t i = 0; i < ctx.input_count(); ++i)
    if (ctx.has_input(i) && ctx.input_type(i).has_shape) { ranked = &ctx.input_type(i); break; }
  if (!ranked) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(dt));
  const size_t r = ranked->dims.size();
  const int64_t axis = concat_axis(n, int64_t(r));
  std::vector<Dim> out(r);
  out[size_t(axis)] = Dim::of(0);
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const TypeInfo& t = ctx.input_type(i);
    EMBER_CHECK(t.dtype == dt, TypeMismatch, n.describe(), ": input ", i, " is ", dtype_name(t.dtype),
                " but input 0 is ", dtype_name(dt));
    if (!t.has_shape) { out[size_t(axis)] = Dim{}; continue; }
    EMBER_CHECK(t.dims.size() == r, ShapeMismatch, n.describe(), ": input ", i, " ", t.str(),
                " has rank ", t.dims.size(), ", expected ", r);
    for (size_t d = 0; d < r; ++d) {
      const Dim& x = t.dims[d];
      if (int64_t(d) == axis) {
        if (out[d].known() && x.known()) out[d].value += x.value; else out[d] = Dim{};
      } else if (x.known()) {
        EMBER_CHECK(!out[d].known() || out[d].value == x.value, ShapeMismatch, n.describe(), ": input ", i,
                    " ", t.str(), " differs from the other inputs in dim ", d);
        out[d] = x;
      } else if (!out[d].known() && out[d].symbol.empty()) {
        out[d] = x;  // keep a symbol when one is known
      }
    }
  }
  ctx.set_output(0, type_from_dims(dt, out));
  // Dims assembled from Shape pieces and constants ([batch, seq] + [12, 64]).
  if (r != 1) return;
  std::vector<Dim> dims;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const auto v = ctx.has_input(i) ? ctx.input_dims_value(i) : std::nullopt;
    if (!v) return;
    dims.insert(dims.end(), v->begin(), v->end());
  }
  ctx.set_output_dims_value(0, std::move(dims));
}

class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& first = ctx.input(0);
    const size_t r = first.rank();
    const int64_t axis = concat_axis(node_, int64_t(r));
    Dims out_shape = first.shape();
    out_shape[size_t(axis)] = 0;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      const Tensor& t = ctx.input(i);
      bool ok = t.rank() == r && t.dtype() == first.dtype();
      for (size_t d = 0; ok && d < r; ++d) ok = int64_t(d) == axis || t.dim(d) == first.dim(d);
      EMBER_CHECK(ok, ShapeMismatch, node_.describe(), ": input ", i, " ", dtype_name(t.dtype()),
                  dims_str(t.shape()), " cannot be concatenated with input 0 ", dtype_name(first.dtype()),
                  dims_str(first.shape()), " on axis ", axis);
      out_shape[size_t(axis)] += t.dim(size_t(axis));
    }
    Tensor& out = ctx.output(0, first.dtype(), out_shape);
    const int64_t outer = dims_numel(Dims(out_shape.begin(), out_shape.begin() + axis));
    const int64_t inner = dims_numel(Dims(out_shape.begin() + axis + 1, out_shape.end()));
    const int64_t out_block = out_shape[size_t(axis)] * inner;
    int64_t col = 0;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      const Tensor& t = ctx.input(i);
      const int64_t block = t.dim(size_t(axis)) * inner;
      for (int64_t o = 0; o < outer; ++o)
        copy_elems(t.dtype(), out.raw(), o * out_block + col, t.raw(), o * block, block);
      col += block;
    }
  }
 private:
  ir::Node node_;
};

// Sizes of the Split outputs along the axis. `split` comes from the attribute (< 13) or
// input 1 (>= 13); without it the dim is cut evenly (opset 18 num_outputs: last may be short).
std::vector<Dim> split_sizes(const ir::Node& n, const Dim& dim, const std::optional<std::vector<int64_t>>& split,
                             size_t outputs) {
  std::vector<Dim> out;
  if (split) {
    EMBER_CHECK(split->size() == outputs, InvalidModel, n.describe(), ": split ", dims_str(*split), " has ",
                split->size(), " entries for ", outputs, " outputs");
    int64_t sum = 0;
    for (int64_t s : *split) {
      EMBER_CHECK(s >= 0, InvalidModel, n.describe(), ": negative split size in ", dims_str(*split));
      sum += s;
      out.push_back(Dim::of(s));
    }
    EMBER_CHECK(!dim.known() || sum == dim.value, ShapeMismatch, n.describe(), ": split ", dims_str(*split),
                " sums to ", sum, " but the axis has size ", dim.value);
    return out;
  }
  const bool uneven_ok = n.opset >= 18 && n.has_attr("num_outputs");
  if (uneven_ok)
    EMBER_CHECK(n.attr_int("num_outputs") == int64_t(outputs), InvalidModel, n.describe(), ": num_outputs ",
                n.attr_int("num_outputs"), " but the node has ", outputs, " outputs");
  if (!dim.known()) return std::vector<Dim>(outputs);
  const int64_t k = int64_t(outputs);
  if (!uneven_ok)
    EMBER_CHECK(dim.value % k == 0, ShapeMismatch, n.describe(), ": axis of size ", dim.value,
                " cannot be split evenly into ", k, " outputs");
  const int64_t chunk = (dim.value + k - 1) / k;
  for (int64_t i = 0; i < k; ++i) out.push_back(Dim::of(std::max<int64_t>(0, std::min(chunk, dim.value - i * chunk))));
  return out;
}

std::optional<std::vector<int64_t>> split_attr(const ir::Node& n) {
  if (n.opset < 13 && n.has_attr("split")) return n.attr_ints("split");
  return std::nullopt;
}

void infer_split(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  auto split = split_attr(n);
  const bool split_input = ctx.has_input(1) && (n.opset >= 13 || n.opset == 1);
  if (split_input) split = const_ints(ctx, 1);
  for (size_t i = 0; i < ctx.output_count(); ++i) ctx.set_output(i, TypeInfo::tensor_unknown_shape(in.dtype));
  if (!in.has_shape) return;
  const int64_t axis = normalize_axis(n.attr_int("axis", 0), int64_t(in.dims.size()), n);
  std::vector<Dim> sizes(ctx.output_count());
  if (!split_input || split) sizes = split_sizes(n, in.dims[size_t(axis)], split, ctx.output_count());
  for (size_t i = 0; i < ctx.output_count(); ++i) {
    TypeInfo t = in;
    t.dims[size_t(axis)] = sizes[i];
    ctx.set_output(i, t);
  }
}

class SplitKernel : public Kernel {
 public:
  explicit SplitKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const int64_t axis = normalize_axis(node_.attr_int("axis", 0), int64_t(in.rank()), node_);
    auto split = split_attr(node_);
    if (ctx.has_input(1) && (node_.opset >= 13 || node_.opset == 1)) split = input_ints(ctx, 1, &node_);
    const auto sizes = split_sizes(node_, ir::Dim::of(in.dim(size_t(axis))), split, ctx.output_count());
    const Dims st = dims_strides(in.shape());
    int64_t start = 0;
    for (size_t i = 0; i < ctx.output_count(); ++i) {
      Dims shape = in.shape();
      shape[size_t(axis)] = sizes[i].value;
      if (ctx.wants_output(i)) {
        Tensor& out = ctx.output(i, in.dtype(), shape);
        copy_strided(&ctx.pool(), in.dtype(), out.raw(), in.raw(), start * st[size_t(axis)], shape, st);
      }
      start += sizes[i].value;
    }
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_concat_split_ops(OpRegistry& r) {
  add_schema(r, "Concat", 1, kMaxOpset, infer_concat, make_kernel<ConcatKernel>);
  add_schema(r, "Split", 1, kMaxOpset, infer_split, make_kernel<SplitKernel>);
}

}  // namespace ember::ops
