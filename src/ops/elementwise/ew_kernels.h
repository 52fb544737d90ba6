// Kernel templates for the elementwise ops. An op is a small functor class:
//
//   struct Exp {
//     static constexpr int64_t grain = kCostlyGrain;     // parallel_for chunk size
//     explicit Exp(const ir::Node&) {}                    // parse attributes once
//     template <class C> C operator()(C x) const { ... } // C = compute type (float for half)
//   };
//
// Binary functors declare `static constexpr bool unidirectional` (true: input 1 must broadcast
// to input 0's shape, as PRelu's slope) and may also define `template <class T> void check_rhs(const T*, int64_t,
// const std::string& who) const` to reject inputs before any output is written (integer
// division by zero), because throwing from inside parallel_for workers is not an option.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "ops/elementwise/broadcast_loop.h"
#include "ops/elementwise/ew_infer.h"
#include "ops/elementwise/ew_types.h"
#include "ops/elementwise/legacy_broadcast.h"

namespace ember::ops::ew {

template <class Op, TypeSet S, bool BoolOut = false>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(const ir::Node& n) : op_(n), who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    dispatch(ImplTypes<S>{}, x.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      using O = std::conditional_t<BoolOut, bool, T>;
      Tensor& y = ctx.output(0, dtype_of<O>::value, x.shape());
      // A local copy of the functor lets the compiler keep its parameters in registers
      // (through `this` they might alias the output buffer).
      map_unary(x.data<T>(), y.data<O>(), x.numel(), ctx.pool(), Op::grain,
                [op = op_](T v) { return op(C(v)); });
    });
  }

 private:
  Op op_;
  std::string who_;
};

template <class Op, TypeSet S, bool BoolOut = false>
std::unique_ptr<Kernel> make_unary(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<UnaryKernel<Op, S, BoolOut>>(n);
}

template <class Op, TypeSet S>
void add_unary(OpRegistry& r, const char* name, int since = 1, int last = 1 << 30) {
  r.add(OpSchema{name, "", since, last, &infer_unary<S>, &make_unary<Op, S>, dtypes_of(ImplTypes<S>{})});
}

// Two inputs of one type, numpy broadcasting (before opset 7: B laid onto A by the legacy
// rules, see legacy_broadcast.h; unidirectional ops use PRelu's per-channel rule); output of
// the same type or bool.
template <class Op, TypeSet S, bool BoolOut = false>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(const ir::Node& n)
      : op_(n), who_(n.describe()), lr_(LegacyRhs::of(n, Op::unidirectional)) {}
  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    EMBER_CHECK(a.dtype() == b.dtype(), TypeMismatch, who_, ": inputs have types ",
                dtype_name(a.dtype()), " and ", dtype_name(b.dtype()), "; both must have the same type");
    const BroadcastPlan p = plan_broadcast({a.shape(), lr_.rhs_shape(a.shape(), b.shape(), who_)}, who_);
    if constexpr (Op::unidirectional)
      EMBER_CHECK(p.out_shape == a.shape(), ShapeMismatch, who_, ": input 1 of shape ",
                  dims_str(b.shape()), " does not broadcast to input 0's shape ", dims_str(a.shape()));
    dispatch(ImplTypes<S>{}, a.dtype(), who_, [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      using O = std::conditional_t<BoolOut, bool, T>;
      if constexpr (requires { op_.check_rhs(b.data<T>(), b.numel(), who_); })
        op_.check_rhs(b.data<T>(), b.numel(), who_);
      Tensor& y = ctx.output(0, dtype_of<O>::value, p.out_shape);
      broadcast_binary(p, a.data<T>(), b.data<T>(), y.data<O>(), ctx.pool(), Op::grain,
                       [op = op_](T u, T v) { return op(C(u), C(v)); });
    });
  }

 private:
  Op op_;
  std::string who_;
  LegacyRhs lr_;
};

template <class Op, TypeSet S, bool BoolOut = false>
std::unique_ptr<Kernel> make_binary(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<BinaryKernel<Op, S, BoolOut>>(n);
}

// Binary broadcast inference; before opset 7 with the legacy rules (output of A's shape).
template <TypeSet S, bool BoolOut = false>
void infer_binary(InferContext& ctx) {
  const LegacyRhs lr = LegacyRhs::of(ctx.node(), false);
  if (!lr.active()) return BoolOut ? infer_broadcast_bool<S>(ctx) : infer_broadcast<S>(ctx);
  const DType t = common_dtype(ctx, S);
  infer_legacy_binary(ctx, lr, BoolOut ? DType::Bool : t);
}

template <class Op, TypeSet S, bool BoolOut = false>
void add_binary(OpRegistry& r, const char* name, int since = 1, int last = 1 << 30) {
  r.add(OpSchema{name, "", since, last,
                 &infer_binary<S, BoolOut>,
                 &make_binary<Op, S, BoolOut>, dtypes_of(ImplTypes<S>{})});
}

}  // namespace ember::ops::ew
