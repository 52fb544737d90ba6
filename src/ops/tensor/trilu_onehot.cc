// Trilu (keep the upper/lower triangle of the last two dims) and OneHot (indices -> one-hot
// along a new axis). Both write every output element from a rule over its coordinates.
#include "ops/op_util.h"
#include "ops/tensor/movement.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {
namespace {

using namespace movement;

class TriluKernel : public Kernel {
 public:
  explicit TriluKernel(const ir::Node& n) : node_(n), upper_(n.attr_int("upper", 1) != 0) {}
  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    EMBER_CHECK(in.rank() >= 2, ShapeMismatch, node_.describe(), ": input must have rank >= 2, got ",
                dims_str(in.shape()));
    int64_t k = 0;
    if (ctx.has_input(1)) {
      const auto kv = input_ints(ctx, 1, &node_);
      EMBER_CHECK(kv.size() == 1, ShapeMismatch, node_.describe(), ": k must be a scalar");
      k = kv[0];
    }
    Tensor& out = ctx.output(0, in.dtype(), in.shape());
    const int64_t rows = in.dim(in.rank() - 2), cols = in.dim(in.rank() - 1);
    const int64_t mats = rows * cols != 0 ? in.numel() / (rows * cols) : 0;
    visit_storage(in.dtype(), [&](auto tag) {
      using S = decltype(tag);
      const S* s = static_cast<const S*>(in.raw());
      S* o = static_cast<S*>(out.raw());
      for (int64_t m = 0; m < mats; ++m)
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            const int64_t at = (m * rows + i) * cols + j;
            const bool keep = upper_ ? j - i >= k : j - i <= k;
            o[at] = keep ? s[at] : S{};  // S{} is zero bits: 0 for every numeric type, "" for strings
          }
    });
  }
 private:
  ir::Node node_;
  bool upper_;
};

int64_t depth_value(const Tensor& t, const ir::Node& n) {
  EMBER_CHECK(t.numel() == 1, ShapeMismatch, n.describe(), ": depth must hold one value, got shape ", dims_str(t.shape()));
  const int64_t d = visit_numeric_dtype(t.dtype(), [&](auto tag) {
    return int64_t(double(static_cast<const decltype(tag)*>(t.raw())[0]));
  });
  EMBER_CHECK(d >= 1, InvalidArgument, n.describe(), ": depth must be positive, got ", d);
  return d;
}

void infer_onehot(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  const TypeInfo& ind = ctx.input_type(0);
  const DType dt = ctx.input_type(2).dtype;
  if (!ind.has_shape) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(dt));
  const int64_t axis = normalize_axis(n.attr_int("axis", -1), int64_t(ind.dims.size()) + 1, n);
  std::vector<ir::Dim> d = ind.dims;
  const Tensor* dv = ctx.input_value(1);
  d.insert(d.begin() + axis, dv ? ir::Dim::of(depth_value(*dv, n)) : ir::Dim{});
  ctx.set_output(0, type_from_dims(dt, d));
}

class OneHotKernel : public Kernel {
 public:
  explicit OneHotKernel(const ir::Node& n) : node_(n) {}
  void run(KernelContext& ctx) const override {
    const Tensor& ind = ctx.input(0);
    const int64_t depth = depth_value(ctx.input(1), node_);
    const Tensor& values = ctx.input(2);
    EMBER_CHECK(values.numel() == 2, ShapeMismatch, node_.describe(), ": values must hold [off, on], got shape ",
                dims_str(values.shape()));
    const int64_t axis = normalize_axis(node_.attr_int("axis", -1), int64_t(ind.rank()) + 1, node_);
    Dims shape = ind.shape();
    shape.insert(shape.begin() + axis, depth);
    Tensor& out = ctx.output(0, values.dtype(), shape);
    // Index values as int64 (indices may be of any numeric type; fractions truncate).
    const std::vector<int64_t> idx = visit_numeric_dtype(ind.dtype(), [&](auto tag) {
      const auto* p = static_cast<const decltype(tag)*>(ind.raw());
      std::vector<int64_t> v;
      for (int64_t i = 0; i < ind.numel(); ++i) v.push_back(int64_t(double(p[i])));
      return v;
    });
    const int64_t inner = dims_numel(Dims(ind.shape().begin() + axis, ind.shape().end()));
    const int64_t outer = inner ? ind.numel() / inner : 0;
    const bool neg_ok = node_.opset >= 11;  // negative indices count from the end since opset 11
    visit_storage(values.dtype(), [&](auto tag) {
      using S = decltype(tag);
      const S off = static_cast<const S*>(values.raw())[0], on = static_cast<const S*>(values.raw())[1];
      S* o = static_cast<S*>(out.raw());
      std::fill_n(o, out.numel(), off);
      for (int64_t a = 0; a < outer; ++a)
        for (int64_t i = 0; i < inner; ++i) {
          int64_t v = idx[size_t(a * inner + i)];
          if (v < 0 && neg_ok) v += depth;
          if (v >= 0 && v < depth) o[(a * depth + v) * inner + i] = on;
        }
    });
  }
 private:
  ir::Node node_;
};

}  // namespace

void add_trilu_onehot_ops(OpRegistry& r) {
  add_schema(r, "Trilu", 14, kMaxOpset, infer_same_as_input, make_kernel<TriluKernel>);
  add_schema(r, "OneHot", 9, kMaxOpset, infer_onehot, make_kernel<OneHotKernel>);
}

}  // namespace ember::ops
