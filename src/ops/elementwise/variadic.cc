// Variadic broadcasting ops: Max, Min, Sum, Mean. The inputs are folded left to right with
// the binary broadcast engine; intermediate results live in temporaries (float for float16
// inputs) and the last step writes straight into the output, applying Mean's 1/n on the way.
// Max/Min propagate NaN like numpy.maximum/minimum.
#include <cmath>
#include <memory>
#include <type_traits>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

template <class C>
bool is_nan(C v) {
  if constexpr (std::is_floating_point_v<C>) return std::isnan(v);
  else return false;
}

struct MaxOp {
  template <class C> C operator()(C a, C b) const { return (a > b || is_nan(a)) ? a : b; }
};
struct MinOp {
  template <class C> C operator()(C a, C b) const { return (a < b || is_nan(a)) ? a : b; }
};
struct SumOp {
  template <class C> C operator()(C a, C b) const { return a + b; }
};

template <class Op, TypeSet S, bool IsMean = false>
class VariadicKernel final : public Kernel {
 public:
  explicit VariadicKernel(const ir::Node& n) : who_(n.describe()), n_(n.explicit_input_count()) {}

  void run(KernelContext& ctx) const override {
    const Tensor& first = ctx.input(0);
    for (size_t i = 1; i < n_; ++i)
      EMBER_CHECK(ctx.input(i).dtype() == first.dtype(), TypeMismatch, who_, ": input ", i,
                  " has type ", dtype_name(ctx.input(i).dtype()), " but input 0 has type ",
                  dtype_name(first.dtype()));
    Dims out_shape = first.shape();
    for (size_t i = 1; i < n_; ++i) out_shape = plan_broadcast({out_shape, ctx.input(i).shape()}, who_).out_shape;

    dispatch(ImplTypes<S>{}, first.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      using Acc = compute_t<T>;  // float16 partial results stay in float: one rounding at the end
      Tensor& y = ctx.output(0, first.dtype(), out_shape);
      if (n_ == 1) {
        y.copy_from(first);
        return;
      }
      const Acc scale = Acc(1.0 / double(n_));  // Mean's factor, applied in the last step
      Tensor acc;  // the running result while more inputs follow
      for (size_t i = 1; i < n_; ++i) {
        const Tensor& in = ctx.input(i);
        const bool last = i + 1 == n_;
        const BroadcastPlan p = plan_broadcast({i == 1 ? first.shape() : acc.shape(), in.shape()}, who_);
        Tensor next = last ? Tensor() : Tensor(dtype_of<Acc>::value, p.out_shape);
        auto step = [&](const auto* cur, auto* dst) {
          using Cur = std::remove_cv_t<std::remove_pointer_t<decltype(cur)>>;
          if (IsMean && last) {
            broadcast_binary(p, cur, in.data<T>(), dst, ctx.pool(), kCheapGrain,
                             [scale](Cur a, T b) { return Op{}(Acc(a), Acc(b)) * scale; });
          } else {
            broadcast_binary(p, cur, in.data<T>(), dst, ctx.pool(), kCheapGrain,
                             [](Cur a, T b) { return Op{}(Acc(a), Acc(b)); });
          }
        };
        if (i == 1 && last) step(first.data<T>(), y.data<T>());
        else if (i == 1) step(first.data<T>(), next.data<Acc>());
        else if (last) step(acc.data<Acc>(), y.data<T>());
        else step(acc.data<Acc>(), next.data<Acc>());
        if (!last) acc = std::move(next);
      }
    });
  }

 private:
  std::string who_;
  size_t n_;
};

template <class Op, TypeSet S, bool IsMean = false>
std::unique_ptr<Kernel> make_variadic(const ir::Node& n, KernelFactoryContext&) {
  EMBER_CHECK(n.explicit_input_count() >= 1, InvalidModel, n.describe(), ": needs at least one input");
  for (size_t i = 0; i < n.explicit_input_count(); ++i)
    EMBER_CHECK(n.inputs[i] != nullptr, InvalidModel, n.describe(), ": input ", i, " is missing");
  return std::make_unique<VariadicKernel<Op, S, IsMean>>(n);
}

template <TypeSet S>
void infer_variadic(InferContext& ctx) {
  EMBER_CHECK(ctx.input_count() >= 1, InvalidModel, ctx.node().describe(), ": needs at least one input");
  infer_broadcast<S>(ctx);
}

}  // namespace

void add_variadic_ops(OpRegistry& r) {
  // Max/Min take any numeric type since opset 12 (floats before; accepting more is harmless).
  r.add(OpSchema{"Max", "", 1, 1 << 30, &infer_variadic<TypeSet::Numeric>,
                 &make_variadic<MaxOp, TypeSet::Numeric>, dtypes_of(NumericTypes{})});
  r.add(OpSchema{"Min", "", 1, 1 << 30, &infer_variadic<TypeSet::Numeric>,
                 &make_variadic<MinOp, TypeSet::Numeric>, dtypes_of(NumericTypes{})});
  r.add(OpSchema{"Sum", "", 1, 1 << 30, &infer_variadic<TypeSet::Float>,
                 &make_variadic<SumOp, TypeSet::Float>, dtypes_of(FloatTypes{})});
  r.add(OpSchema{"Mean", "", 1, 1 << 30, &infer_variadic<TypeSet::Float>,
                 &make_variadic<SumOp, TypeSet::Float, true>, dtypes_of(FloatTypes{})});
}

}  // namespace ember::ops::ew
