// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis`
// (default 1) and the op runs over the flattened trailing block [axis, rank); from opset 13 it
// runs over the single dimension `axis` (default -1). Both reduce to an [outer, len, inner]
// view: the old form is the new one with inner = 1 and len = prod(dims[axis:]).
#include <algorithm>
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class SoftKind { Softmax, LogSoftmax, Hardmax };

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(const ir::Node& node, SoftKind kind)
      : node_(node.describe()), kind_(kind), coerce_2d_(node.opset < 13),
        axis_(node.attr_int("axis", node.opset < 13 ? 1 : -1)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = int64_t(x.rank());
    EMBER_CHECK(rank >= 1 && axis_ >= -rank && axis_ < rank, InvalidModel, node_, ": axis ", axis_,
                " is out of range for input of shape ", dims_str(x.shape()));
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    const Dims& s = x.shape();
    int64_t outer = 1, len = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= s[size_t(i)];
    if (coerce_2d_) {
      for (int64_t i = axis; i < rank; ++i) len *= s[size_t(i)];
    } else {
      len = s[size_t(axis)];
      for (int64_t i = axis + 1; i < rank; ++i) inner *= s[size_t(i)];
    }
    Tensor& y = ctx.output(0, x.dtype(), s);
    if (x.numel() == 0) return;
    auto go = [&](auto tag, auto acc_tag) {
      using T = decltype(tag);
      using A = decltype(acc_tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      ctx.pool().parallel_for(outer * inner, std::max<int64_t>(1, 2048 / len), [&](int64_t b, int64_t e) {
        for (int64_t k = b; k < e; ++k) {
          const int64_t base = (k / inner) * len * inner + k % inner;
          one_row<T, A>(xp + base, yp + base, len, inner);
        }
      });
    };
    switch (x.dtype()) {
      case DType::Float32: return go(float{}, float{});
      case DType::Float64: return go(double{}, double{});
      case DType::Float16: return go(half{}, float{});
      case DType::BFloat16: return go(bfloat16{}, float{});
      default: break;
    }
    fail(Status::Unsupported, node_, ": element type ", dtype_name(x.dtype()), " is not supported");
  }

 private:
  template <class T, class A>
  void one_row(const T* x, T* y, int64_t len, int64_t stride) const {
    A mx = A(x[0]);
    int64_t arg = 0;
    for (int64_t i = 1; i < len; ++i)
      if (A(x[i * stride]) > mx) { mx = A(x[i * stride]); arg = i; }
    if (kind_ == SoftKind::Hardmax) {
      for (int64_t i = 0; i < len; ++i) y[i * stride] = T(i == arg ? A(1) : A(0));
      return;
    }
    // Subtracting the max keeps exp() from overflowing; the result is mathematically unchanged.
    // For 16-bit types every intermediate is rounded to T, as the onnx reference (numpy in T)
    // does: computing in float and rounding once differs by an ulp often enough to matter.
    auto in_t = [](A v) { return A(T(v)); };
    A sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += in_t(std::exp(in_t(A(x[i * stride]) - mx)));
    sum = in_t(sum);
    if (kind_ == SoftKind::Softmax) {
      for (int64_t i = 0; i < len; ++i)
        y[i * stride] = T(in_t(std::exp(in_t(A(x[i * stride]) - mx))) / sum);
    } else {
      const A lse = in_t(std::log(sum));
      for (int64_t i = 0; i < len; ++i) y[i * stride] = T(in_t(A(x[i * stride]) - mx) - lse);
    }
  }

  std::string node_;
  SoftKind kind_;
  bool coerce_2d_;
  int64_t axis_;
};

void infer_softmax(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  if (x.has_shape) {
    const int64_t def = ctx.node().opset < 13 ? 1 : -1;
    normalize_axis(ctx.node().attr_int("axis", def), int64_t(x.dims.size()), ctx.node());
  }
  infer_same_as_input(ctx);
}

template <SoftKind K>
std::unique_ptr<Kernel> make_softmax(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<SoftmaxKernel>(node, K);
}

}  // namespace

void add_softmax_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"Softmax", "", 1, 1 << 30, infer_softmax, make_softmax<SoftKind::Softmax>, f});
  r.add({"LogSoftmax", "", 1, 1 << 30, infer_softmax, make_softmax<SoftKind::LogSoftmax>, f});
  r.add({"Hardmax", "", 1, 1 << 30, infer_softmax, make_softmax<SoftKind::Hardmax>, f});
}

}  // namespace ember::ops
