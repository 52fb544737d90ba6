// GlobalAveragePool, GlobalMaxPool and GlobalLpPool: one value per (image, channel) plane,
// output [N, C, 1, 1, ...].
#include <algorithm>
#include <cmath>

#include "ops/nn/nn_ops.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class GlobalKind { Average, Max, Lp };

void infer_global_pool(InferContext& ctx) {
  TypeInfo t = ctx.input_type(0);
  if (t.has_shape) {
    EMBER_CHECK(t.dims.size() >= 3, ShapeMismatch, ctx.node().describe(),
                ": input X must be [N, C, D1, ...], given ", t.str());
    for (size_t i = 2; i < t.dims.size(); ++i) t.dims[i] = ir::Dim::of(1);
  }
  ctx.set_output(0, t);
}

class GlobalPoolKernel final : public Kernel {
 public:
  GlobalPoolKernel(const ir::Node& node, GlobalKind kind, int64_t p)
      : node_(node.describe()), kind_(kind), p_(p) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.rank() >= 3, ShapeMismatch, node_, ": input X must be [N, C, D1, ...], given ",
                dims_str(x.shape()));
    Dims out_shape = x.shape();
    std::fill(out_shape.begin() + 2, out_shape.end(), 1);
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    const int64_t planes = x.dim(0) * x.dim(1), sz = x.numel() / std::max<int64_t>(planes, 1);
    auto go = [&](auto tag, auto acc_tag) {
      using T = decltype(tag);
      using A = decltype(acc_tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      ctx.pool().parallel_for(planes, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) yp[p] = T(reduce<T, A>(xp + p * sz, sz));
      });
    };
    switch (x.dtype()) {
      case DType::Float32: return go(float{}, double{});
      case DType::Float64: return go(double{}, double{});
      case DType::Float16: return go(half{}, float{});
      case DType::BFloat16: return go(bfloat16{}, float{});
      default: break;
    }
    fail(Status::Unsupported, node_, ": element type ", dtype_name(x.dtype()), " is not supported");
  }

 private:
  template <class T, class A>
  A reduce(const T* x, int64_t n) const {
    if (kind_ == GlobalKind::Max) {
      A m = n > 0 ? A(x[0]) : A(0);
      for (int64_t i = 1; i < n; ++i) m = std::max(m, A(x[i]));
      return m;
    }
    A acc = 0;
    if (kind_ == GlobalKind::Average) {
      for (int64_t i = 0; i < n; ++i) acc += A(x[i]);
      return n > 0 ? acc / A(n) : A(0);
    }
    for (int64_t i = 0; i < n; ++i) acc += A(std::pow(std::fabs(A(x[i])), A(p_)));
    return A(std::pow(acc, A(1) / A(p_)));
  }

  std::string node_;
  GlobalKind kind_;
  int64_t p_;
};

template <GlobalKind K>
std::unique_ptr<Kernel> make_global(const ir::Node& node, KernelFactoryContext&) {
  const int64_t p = node.attr_int("p", 2);
  EMBER_CHECK(p >= 1, Unsupported, node.describe(), ": p=", p, " is not supported (p >= 1)");
  return std::make_unique<GlobalPoolKernel>(node, K, p);
}

}  // namespace

void add_global_pool_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  r.add({"GlobalAveragePool", "", 1, 1 << 30, infer_global_pool, make_global<GlobalKind::Average>, f});
  r.add({"GlobalMaxPool", "", 1, 1 << 30, infer_global_pool, make_global<GlobalKind::Max>, f});
  r.add({"GlobalLpPool", "", 2, 1 << 30, infer_global_pool, make_global<GlobalKind::Lp>, f});
}

}  // namespace ember::ops
