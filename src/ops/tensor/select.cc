// Data-dependent selections: NonZero, Compress and TopK. Their output sizes depend on values,
// so inference leaves those dims unknown unless the deciding input is constant.
#include <algorithm>
#include <numeric>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

void infer_nonzero(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  TypeInfo t = unknown_dims(DType::Int64, 2);
  if (in.has_shape) t.dims[0] = ir::Dim::of(std::max<int64_t>(1, int64_t(in.dims.size())));
  ctx.set_output(0, t);
}

class NonZeroKernel : public Kernel {
 public:
  explicit NonZeroKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    EMBER_CHECK(in.dtype() != DType::String, Unsupported, node_.describe(), ": string input is not supported");
    std::vector<int64_t> hits;
    visit_numeric_dtype(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = static_cast<const T*>(in.raw());
      for (int64_t i = 0; i < in.numel(); ++i)
        if (float(p[i]) != 0.f || (std::is_integral_v<T> && p[i] != T(0))) hits.push_back(i);
    });
    // A scalar reports one coordinate row (always 0), as onnxruntime does.
    const Dims shape = in.rank() ? in.shape() : Dims{1};
    const int64_t r = int64_t(shape.size()), n = int64_t(hits.size());
    Tensor& out = ctx.output(0, DType::Int64, {r, n});
    int64_t* o = out.data<int64_t>();
    for (int64_t j = 0; j < n; ++j) {
      int64_t rem = hits[size_t(j)];
      for (int64_t d = r; d-- > 0;) {
        o[d * n + j] = rem % shape[size_t(d)];
        rem /= shape[size_t(d)];
      }
    }
  }
 private:
  ir::Node node_;
};

void infer_compress(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (!n.has_attr("axis")) return ctx.set_output(0, unknown_dims(in.dtype, 1));
  if (!in.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
  TypeInfo t = in;
  t.dims[size_t(normalize_axis(n.attr_int("axis"), int64_t(in.dims.size()), n))] = ir::Dim{};
  ctx.set_output(0, t);
}

class CompressKernel : public Kernel {
 public:
  explicit CompressKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    require_dtype(node_, "condition", cond.dtype(), {DType::Bool});
    EMBER_CHECK(cond.rank() == 1, ShapeMismatch, node_.describe(), ": condition must be 1-D, got ", dims_str(cond.shape()));
    const bool has_axis = node_.has_attr("axis");
    const Dims shape = has_axis ? in.shape() : Dims{in.numel()};
    const int64_t axis = has_axis ? normalize_axis(node_.attr_int("axis"), int64_t(in.rank()), node_) : 0;
    const int64_t dim = shape[size_t(axis)];
    const bool* c = cond.data<bool>();
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < cond.numel(); ++i) {
      if (!c[i]) continue;
      EMBER_CHECK(i < dim, InvalidArgument, node_.describe(), ": condition selects index ", i,
                  " but the axis has size ", dim);
      keep.push_back(i);
    }
    Dims out_shape = shape;
    out_shape[size_t(axis)] = int64_t(keep.size());
    Tensor& out = ctx.output(0, in.dtype(), out_shape);
    const int64_t outer = dims_numel(Dims(shape.begin(), shape.begin() + axis));
    const int64_t inner = dims_numel(Dims(shape.begin() + axis + 1, shape.end()));
    const int64_t k = int64_t(keep.size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < k; ++j)
        copy_elems(in.dtype(), out.raw(), (o * k + j) * inner, in.raw(), (o * dim + keep[size_t(j)]) * inner, inner);
  }
 private:
  ir::Node node_;
};

void infer_topk(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (!in.has_shape) {
    ctx.set_output(0, TypeInfo::tensor_unknown_shape(in.dtype));
    return ctx.set_output(1, TypeInfo::tensor_unknown_shape(DType::Int64));
  }
  TypeInfo t = in;
  ir::Dim& d = t.dims[size_t(normalize_axis(n.attr_int("axis", -1), int64_t(in.dims.size()), n))];
  std::optional<std::vector<int64_t>> k;
  if (n.opset < 10) k = std::vector<int64_t>{n.attr_int("k")};
  else k = const_ints(ctx, 1);
  d = k && k->size() == 1 ? ir::Dim::of((*k)[0]) : ir::Dim{};
  ctx.set_output(0, t);
  ctx.set_output(1, with_dtype(t, DType::Int64));
}

class TopKKernel : public Kernel {
 public:
  explicit TopKKernel(const ir::Node& n)
      : node_(n), largest_(n.attr_int("largest", 1) != 0) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    EMBER_CHECK(in.rank() > 0, ShapeMismatch, node_.describe(), ": input must have rank >= 1");
    const int64_t axis = normalize_axis(node_.attr_int("axis", -1), int64_t(in.rank()), node_);
    int64_t k;
    if (node_.opset < 10) {
      k = node_.attr_int("k");
    } else {
      const auto kv = input_ints(ctx, 1, &node_);
      EMBER_CHECK(kv.size() == 1, ShapeMismatch, node_.describe(), ": K must hold one value, got ", kv.size());
      k = kv[0];
    }
    const int64_t dim = in.dim(size_t(axis));
    EMBER_CHECK(k >= 0 && k <= dim, InvalidArgument, node_.describe(), ": k = ", k, " is out of range for axis ",
                axis, " of size ", dim, " (input ", dims_str(in.shape()), ")");
    Dims shape = in.shape();
    shape[size_t(axis)] = k;
    Tensor& vals = ctx.output(0, in.dtype(), shape);
    Tensor& idxs = ctx.output(1, DType::Int64, shape);
    const int64_t outer = dims_numel(Dims(in.shape().begin(), in.shape().begin() + axis));
    const int64_t inner = dims_numel(Dims(in.shape().begin() + axis + 1, in.shape().end()));
    EMBER_CHECK(in.dtype() != DType::String && in.dtype() != DType::Bool, Unsupported, node_.describe(),
                ": input type ", dtype_name(in.dtype()), " is not supported");
    visit_numeric_dtype(in.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = static_cast<const T*>(in.raw());
      T* ov = vals.data<T>();
      int64_t* oi = idxs.data<int64_t>();
      ctx.pool().parallel_for(outer * inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(dim, 1)), [&](int64_t b, int64_t e) {
        std::vector<int64_t> order(static_cast<size_t>(dim));
        std::vector<T> v(static_cast<size_t>(dim));  // native type: int64 must not round via double
        for (int64_t s = b; s < e; ++s) {
          const int64_t o = s / inner, i = s % inner;
          const T* base = src + o * dim * inner + i;
          for (int64_t j = 0; j < dim; ++j) v[size_t(j)] = base[j * inner];
          std::iota(order.begin(), order.end(), 0);
          // Ties go to the lower index (ONNX); the comparator is a strict total order.
          auto cmp = [&](int64_t x, int64_t y) {
            const T a = v[size_t(x)], c = v[size_t(y)];
            if (less_nan_last(a, c) || less_nan_last(c, a)) return largest_ ? less_nan_last(c, a) : less_nan_last(a, c);
            return x < y;
          };
          std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
          for (int64_t j = 0; j < k; ++j) {
            const int64_t at = o * k * inner + j * inner + i;
            ov[at] = base[order[size_t(j)] * inner];
            oi[at] = order[size_t(j)];
          }
        }
      });
    });
  }
 private:
  ir::Node node_;
  bool largest_;
};

}  // namespace

void add_select_ops(OpRegistry& r) {
  add_schema(r, "NonZero", 9, kMaxOpset, infer_nonzero, make_kernel<NonZeroKernel>);
  add_schema(r, "Compress", 9, kMaxOpset, infer_compress, make_kernel<CompressKernel>);
  add_schema(r, "TopK", 1, kMaxOpset, infer_topk, make_kernel<TopKKernel>);
}

}  // namespace ember::ops
