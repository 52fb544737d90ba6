// Pow: base T (float types, int32, int64), exponent T1 (any numeric type since opset 12; the
// same float type before). The output has the base's type.
//
// To avoid instantiating every (base, exponent) pair, an exponent of another type is first
// widened to int64 (integer exponents) or double (float exponents). Integer bases with
// integer exponents use exact repeated squaring (wrapping like numpy), not a double pow
// that loses precision above 2^53.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/ew_convert.h"
#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

using BaseTypes = TypeList<float, double, half, int32_t, int64_t>;

template <class T>
T ipow(T base, int64_t e) {
  if (e < 0) {  // 1 / base^|e| truncated toward zero
    if (base == T(1)) return T(1);
    if (base == T(-1)) return (e % 2) ? T(-1) : T(1);
    return T(0);
  }
  using U = std::make_unsigned_t<T>;
  U r = 1, b = U(base);
  for (; e; e >>= 1) {
    if (e & 1) r *= b;
    b *= b;
  }
  return T(r);
}

template <class T, class E>
T pow_one(T x, E e) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_integral_v<E>) return ipow(x, int64_t(e));
    else return convert<T>(std::pow(double(x), double(e)));
  } else if constexpr (std::is_same_v<T, E>) {
    using C = compute_t<T>;
    return T(std::pow(C(x), C(e)));
  } else {
    return T(compute_t<T>(std::pow(double(x), double(e))));
  }
}

// The exponent as int64 (integer types) or double (float types), unless it already has the
// base's type.
Tensor widen_exponent(const Tensor& e) {
  const bool integral = dtype_is_integer(e.dtype());
  Tensor out(integral ? DType::Int64 : DType::Float64, e.shape());
  visit_numeric_dtype(e.dtype(), [&](auto tag) {
    using E = decltype(tag);
    const E* src = e.data<E>();
    if (integral) {
      int64_t* dst = out.data<int64_t>();
      for (int64_t i = 0; i < e.numel(); ++i) dst[i] = int64_t(src[i]);
    } else {
      double* dst = out.data<double>();
      for (int64_t i = 0; i < e.numel(); ++i) dst[i] = double(compute_t<E>(src[i]));
    }
  });
  return out;
}

class PowKernel final : public Kernel {
 public:
  explicit PowKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const BroadcastPlan p = plan_broadcast({a.shape(), b.shape()}, who_);
    dispatch(BaseTypes{}, a.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      Tensor& y = ctx.output(0, a.dtype(), p.out_shape);
      if (b.dtype() == a.dtype()) {
        if constexpr (std::is_same_v<T, float>) {
          if (b.numel() == 1 && *b.data<float>() == 2.0f) {  // x^2 (LayerNorm variance) exactly
            map_unary(a.data<float>(), y.data<float>(), a.numel(), ctx.pool(), kCheapGrain,
                      [](float v) { return v * v; });
            return;
          }
        }
        broadcast_binary(p, a.data<T>(), b.data<T>(), y.data<T>(), ctx.pool(), kCostlyGrain,
                         [](T x, T e) { return pow_one(x, e); });
        return;
      }
      const Tensor w = widen_exponent(b);
      auto run_with = [&](auto etag) {
        using E = decltype(etag);
        broadcast_binary(p, a.data<T>(), w.data<E>(), y.data<T>(), ctx.pool(), kCostlyGrain,
                         [](T x, E e) { return pow_one(x, e); });
      };
      if (w.dtype() == DType::Int64) run_with(int64_t{});
      else run_with(double{});
    });
  }

 private:
  std::string who_;
};

void infer_pow(InferContext& ctx) {
  const ir::Node& n = ctx.node();
  reject_legacy_broadcast(n);
  const DType base = ctx.input_type(0).dtype;
  const DType expo = ctx.input_type(1).dtype;
  EMBER_CHECK(base == DType::Undefined || dtype_is_float(base) || base == DType::Int32 ||
                  base == DType::Int64,
              TypeMismatch, n.describe(), ": base has type ", dtype_name(base),
              " but Pow expects a float type, int32 or int64");
  EMBER_CHECK(base == DType::Undefined || contains(BaseTypes{}, base), Unsupported, n.describe(),
              ": base of type ", dtype_name(base), " is not implemented");
  check_type(n, "exponent", expo, TypeSet::Numeric);
  if (n.opset < 12)
    EMBER_CHECK(expo == base, TypeMismatch, n.describe(), ": base (", dtype_name(base),
                ") and exponent (", dtype_name(expo), ") must have the same type before opset 12");
  TypeInfo out = broadcast_all(ctx);
  ctx.set_output(0, with_dtype(out, base));
}

std::unique_ptr<Kernel> make_pow(const ir::Node& n, KernelFactoryContext&) {
  reject_legacy_broadcast(n);
  return std::make_unique<PowKernel>(n);
}

}  // namespace

void add_pow_ops(OpRegistry& r) {
  r.add(OpSchema{"Pow", "", 1, 1 << 30, &infer_pow, &make_pow, dtypes_of(BaseTypes{})});
}

}  // namespace ember::ops::ew
