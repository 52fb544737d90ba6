// ScatterND, ScatterElements (and its opset 9-10 name, Scatter): the output starts as a copy
// of data and the updates are written (or combined, for reduction=add/mul/max/min) at the
// indexed positions. Indices are range-checked before anything is written.
#include <algorithm>

#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

enum class Reduction { None, Add, Mul, Max, Min };

Reduction parse_reduction(const ir::Node& n) {
  const std::string s = n.attr_string("reduction", "none");
  if (s == "none") return Reduction::None;
  if (s == "add") return Reduction::Add;
  if (s == "mul") return Reduction::Mul;
  if (s == "max") return Reduction::Max;
  if (s == "min") return Reduction::Min;
  fail(Status::Unsupported, n.describe(), ": reduction '", s, "' is not supported (none, add, mul, max, min)");
}

// Applies `dst[doff + i] (op)= src[soff + i]` for i < n.
void apply(Reduction red, DType t, void* dst, int64_t doff, const void* src, int64_t soff, int64_t n,
           const ir::Node& node) {
  if (red == Reduction::None) return copy_elems(t, dst, doff, src, soff, n);
  EMBER_CHECK(t != DType::String, Unsupported, node.describe(), ": reduction on string tensors");
  visit_numeric_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst) + doff;
    const T* s = static_cast<const T*>(src) + soff;
    for (int64_t i = 0; i < n; ++i) {
      switch (red) {
        case Reduction::Add: d[i] = T(d[i] + s[i]); break;
        case Reduction::Mul: d[i] = T(d[i] * s[i]); break;
        case Reduction::Max: d[i] = s[i] > d[i] ? s[i] : d[i]; break;
        case Reduction::Min: d[i] = s[i] < d[i] ? s[i] : d[i]; break;
        default: break;
      }
    }
  });
}

int64_t wrap_index(int64_t v, int64_t dim, const ir::Node& n, size_t axis) {
  EMBER_CHECK(v >= -dim && v < dim, InvalidArgument, n.describe(), ": index ", v,
              " is out of range for axis ", axis, " of size ", dim);
  return v < 0 ? v + dim : v;
}

class ScatterNDKernel : public Kernel {
 public:
  explicit ScatterNDKernel(const ir::Node& n) : node_(n), red_(parse_reduction(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    require_dtype(node_, "indices", ind.dtype(), {DType::Int64, DType::Int32});
    EMBER_CHECK(upd.dtype() == data.dtype(), TypeMismatch, node_.describe(), ": updates are ",
                dtype_name(upd.dtype()), " but data is ", dtype_name(data.dtype()));
    EMBER_CHECK(ind.rank() >= 1 && ind.shape().back() <= int64_t(data.rank()), ShapeMismatch, node_.describe(),
                ": indices ", dims_str(ind.shape()), " do not fit data ", dims_str(data.shape()));
    const int64_t k = ind.shape().back();
    Dims want(ind.shape().begin(), ind.shape().end() - 1);
    want.insert(want.end(), data.shape().begin() + k, data.shape().end());
    EMBER_CHECK(upd.shape() == want, ShapeMismatch, node_.describe(), ": updates have shape ",
                dims_str(upd.shape()), ", expected ", dims_str(want));
    Tensor& out = ctx.output(0, data.dtype(), data.shape());
    copy_elems(data.dtype(), out.raw(), 0, data.raw(), 0, data.numel());
    const int64_t slice = dims_numel(Dims(data.shape().begin() + k, data.shape().end()));
    const int64_t tuples = k ? ind.numel() / k : dims_numel(Dims(ind.shape().begin(), ind.shape().end() - 1));
    const Dims st = dims_strides(data.shape());
    const std::vector<int64_t> idx = ind.to_int64_vector();
    std::vector<int64_t> offs(size_t(tuples), 0);
    for (int64_t t = 0; t < tuples; ++t)
      for (int64_t j = 0; j < k; ++j)
        offs[size_t(t)] += wrap_index(idx[size_t(t * k + j)], data.dim(size_t(j)), node_, size_t(j)) * st[size_t(j)];
    for (int64_t t = 0; t < tuples; ++t)
      apply(red_, data.dtype(), out.raw(), offs[size_t(t)], upd.raw(), t * slice, slice, node_);
  }
 private:
  ir::Node node_;
  Reduction red_;
};

class ScatterElementsKernel : public Kernel {
 public:
  explicit ScatterElementsKernel(const ir::Node& n) : node_(n), red_(parse_reduction(n)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    require_dtype(node_, "indices", ind.dtype(), {DType::Int64, DType::Int32});
    EMBER_CHECK(upd.dtype() == data.dtype(), TypeMismatch, node_.describe(), ": updates are ",
                dtype_name(upd.dtype()), " but data is ", dtype_name(data.dtype()));
    const size_t r = data.rank();
    const int64_t axis = normalize_axis(node_.attr_int("axis", 0), int64_t(r), node_);
    bool ok = r > 0 && ind.rank() == r && upd.shape() == ind.shape();
    for (size_t d = 0; ok && d < r; ++d) ok = int64_t(d) == axis || ind.dim(d) <= data.dim(d);
    EMBER_CHECK(ok, ShapeMismatch, node_.describe(), ": indices ", dims_str(ind.shape()), " and updates ",
                dims_str(upd.shape()), " do not fit data ", dims_str(data.shape()), " on axis ", axis);
    Tensor& out = ctx.output(0, data.dtype(), data.shape());
    copy_elems(data.dtype(), out.raw(), 0, data.raw(), 0, data.numel());
    const std::vector<int64_t> idx = ind.to_int64_vector();
    const int64_t dim = data.dim(size_t(axis));
    for (int64_t v : idx) wrap_index(v, dim, node_, size_t(axis));
    Dims st = dims_strides(data.shape());
    const int64_t axis_stride = st[size_t(axis)];
    st[size_t(axis)] = 0;
    StridedCounter c(ind.shape(), {st});
    for (size_t i = 0; i < idx.size(); ++i, c.next()) {
      const int64_t v = idx[i] < 0 ? idx[i] + dim : idx[i];
      apply(red_, data.dtype(), out.raw(), c.offset(0) + v * axis_stride, upd.raw(), int64_t(i), 1, node_);
    }
  }
 private:
  ir::Node node_;
  Reduction red_;
};

}  // namespace

void add_scatter_ops(OpRegistry& r) {
  add_schema(r, "ScatterND", 11, kMaxOpset, infer_same_as_input, make_kernel<ScatterNDKernel>);
  add_schema(r, "ScatterElements", 11, kMaxOpset, infer_same_as_input, make_kernel<ScatterElementsKernel>);
  add_schema(r, "Scatter", 9, 10, infer_same_as_input, make_kernel<ScatterElementsKernel>);
}

}  // namespace ember::ops
