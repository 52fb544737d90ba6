// ReverseSequence (reverse the first len[b] steps of each batch entry) and Unique (distinct
// elements or slices along an axis, with first-occurrence indices, inverse map and counts).
#include <algorithm>
#include <numeric>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

class ReverseSequenceKernel : public Kernel {
 public:
  explicit ReverseSequenceKernel(const ir::Node& n)
      : node_(n), batch_axis_(n.attr_int("batch_axis", 1)), time_axis_(n.attr_int("time_axis", 0)) {
    EMBER_CHECK((batch_axis_ == 0 && time_axis_ == 1) || (batch_axis_ == 1 && time_axis_ == 0), InvalidModel,
                n.describe(), ": batch_axis/time_axis must be (1, 0) or (0, 1), got (", batch_axis_, ", ",
                time_axis_, ")");
  }
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    EMBER_CHECK(in.rank() >= 2, ShapeMismatch, node_.describe(), ": input must have rank >= 2, got ",
                dims_str(in.shape()));
    const std::vector<int64_t> lens = input_ints(ctx, 1, &node_);
    const int64_t batch = in.dim(size_t(batch_axis_)), steps = in.dim(size_t(time_axis_));
    EMBER_CHECK(int64_t(lens.size()) == batch, ShapeMismatch, node_.describe(), ": sequence_lens has ", lens.size(),
                " entries for a batch of ", batch);
    for (int64_t l : lens)
      EMBER_CHECK(l >= 0 && l <= steps, InvalidArgument, node_.describe(), ": sequence length ", l,
                  " is out of range [0, ", steps, "]");
    Tensor& out = ctx.output(0, in.dtype(), in.shape());
    const int64_t inner = dims_numel(Dims(in.shape().begin() + 2, in.shape().end()));
    const Dims st = dims_strides(in.shape());
    const int64_t bs = st[size_t(batch_axis_)], ts = st[size_t(time_axis_)];
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t src_t = t < lens[size_t(b)] ? lens[size_t(b)] - 1 - t : t;
        copy_elems(in.dtype(), out.raw(), b * bs + t * ts, in.raw(), b * bs + src_t * ts, inner);
      }
  }
 private:
  ir::Node node_;
  int64_t batch_axis_, time_axis_;
};

void infer_unique(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  TypeInfo y = unknown_dims(in.dtype, 1);
  TypeInfo inverse = unknown_dims(DType::Int64, 1);
  if (n.has_attr("axis") && in.has_shape) {
    const int64_t axis = normalize_axis(n.attr_int("axis"), int64_t(in.dims.size()), n);
    y = in;
    y.dims[size_t(axis)] = ir::Dim{};
    inverse.dims[0] = in.dims[size_t(axis)];
  } else if (auto d = known_dims(in)) {
    inverse.dims[0] = ir::Dim::of(dims_numel(*d));
  }
  ctx.set_output(0, y);
  ctx.set_output(1, unknown_dims(DType::Int64, 1));
  ctx.set_output(2, inverse);
  ctx.set_output(3, unknown_dims(DType::Int64, 1));
}

class UniqueKernel : public Kernel {
 public:
  explicit UniqueKernel(const ir::Node& n) : node_(n), sorted_(n.attr_int("sorted", 1) != 0) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const bool has_axis = node_.has_attr("axis");
    const Dims shape = has_axis ? in.shape() : Dims{in.numel()};
    const int64_t axis = has_axis ? normalize_axis(node_.attr_int("axis"), int64_t(in.rank()), node_) : 0;
    const int64_t n = shape[size_t(axis)];
    const int64_t outer = dims_numel(Dims(shape.begin(), shape.begin() + axis));
    const int64_t inner = dims_numel(Dims(shape.begin() + axis + 1, shape.end()));
    // Slices sorted by value (lexicographically over (outer, inner)), ties by position.
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::vector<int64_t> group_of(static_cast<size_t>(n));
    std::vector<int64_t> first, counts;
    visit_dtype(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = static_cast<const T*>(in.raw());
      auto cmp = [&](int64_t a, int64_t b) {  // -1, 0, 1
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const T& u = x[(o * n + a) * inner + i];
            const T& v = x[(o * n + b) * inner + i];
            if (less_nan_last(u, v)) return -1;
            if (less_nan_last(v, u)) return 1;
          }
        return 0;
      };
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
      for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || cmp(order[k - 1], order[k]) != 0) {
          first.push_back(order[k]);
          counts.push_back(0);
        }
        group_of[size_t(order[k])] = int64_t(first.size()) - 1;
        ++counts.back();
      }
    });
    // Output order of the groups: by value (already), or by first occurrence.
    std::vector<int64_t> rank(first.size());
    std::iota(rank.begin(), rank.end(), 0);
    if (!sorted_) std::sort(rank.begin(), rank.end(), [&](int64_t a, int64_t b) { return first[size_t(a)] < first[size_t(b)]; });
    std::vector<int64_t> pos(first.size());
    for (size_t j = 0; j < rank.size(); ++j) pos[size_t(rank[j])] = int64_t(j);
    const int64_t u = int64_t(first.size());
    Dims yshape = shape;
    yshape[size_t(axis)] = u;
    Tensor& y = ctx.output(0, in.dtype(), yshape);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < u; ++j)
        copy_elems(in.dtype(), y.raw(), (o * u + j) * inner, in.raw(), (o * n + first[size_t(rank[size_t(j)])]) * inner, inner);
    auto emit = [&](size_t i, int64_t len, auto value) {
      if (!ctx.wants_output(i)) return;
      int64_t* p = ctx.output(i, DType::Int64, {len}).template data<int64_t>();
      for (int64_t j = 0; j < len; ++j) p[j] = value(j);
    };
    emit(1, u, [&](int64_t j) { return first[size_t(rank[size_t(j)])]; });
    emit(2, n, [&](int64_t k) { return pos[size_t(group_of[size_t(k)])]; });
    emit(3, u, [&](int64_t j) { return counts[size_t(rank[size_t(j)])]; });
  }
 private:
  ir::Node node_;
  bool sorted_;
};

}  // namespace

void add_reverse_unique_ops(OpRegistry& r) {
  add_schema(r, "ReverseSequence", 10, kMaxOpset, infer_same_as_input, make_kernel<ReverseSequenceKernel>);
  add_schema(r, "Unique", 11, kMaxOpset, infer_unique, make_kernel<UniqueKernel>);
}

}  // namespace ember::ops
