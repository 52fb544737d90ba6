// Comparisons (Equal, Less, LessOrEqual, Greater, GreaterOrEqual) and logic (And, Or, Xor):
// two inputs of one type broadcast together, bool output. Comparisons involving NaN are false
// (Equal(NaN, NaN) too), as in IEEE and numpy.
#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"
#include "ops/elementwise/shape_value_infer.h"

namespace ember::ops::ew {
namespace {

// Declares a stateless binary functor `Name` computing `expr` of `a` and `b`.
#define EMBER_EW_BINARY(Name, expr)                                  \
  struct Name {                                                      \
    static constexpr int64_t grain = kCheapGrain;                    \
    static constexpr bool unidirectional = false;                    \
    explicit Name(const ir::Node&) {}                                \
    template <class C> bool operator()(C a, C b) const { return expr; } \
  };

EMBER_EW_BINARY(Equal, a == b)
EMBER_EW_BINARY(Less, a < b)
EMBER_EW_BINARY(LessOrEqual, a <= b)
EMBER_EW_BINARY(Greater, a > b)
EMBER_EW_BINARY(GreaterOrEqual, a >= b)
EMBER_EW_BINARY(And, a && b)
EMBER_EW_BINARY(Or, a || b)
EMBER_EW_BINARY(Xor, a != b)
#undef EMBER_EW_BINARY

// Equal also compares strings (opset 19); numbers and bools go to the generic kernel.
class EqualKernel final : public Kernel {
 public:
  explicit EqualKernel(const ir::Node& n) : numeric_(n), who_(n.describe()), legacy_(n.opset < 7) {}
  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != DType::String && b.dtype() != DType::String) return numeric_.run(ctx);
    EMBER_CHECK(!legacy_, TypeMismatch, who_, ": strings are not comparable before opset 11");
    EMBER_CHECK(a.dtype() == b.dtype(), TypeMismatch, who_, ": inputs have types ",
                dtype_name(a.dtype()), " and ", dtype_name(b.dtype()), "; both must have the same type");
    const BroadcastPlan p = plan_broadcast({a.shape(), b.shape()}, who_);
    Tensor& y = ctx.output(0, DType::Bool, p.out_shape);
    broadcast_binary(p, a.data<std::string>(), b.data<std::string>(), y.data<bool>(), ctx.pool(),
                     kCostlyGrain, [](const std::string& u, const std::string& v) { return u == v; });
  }

 private:
  BinaryKernel<Equal, TypeSet::AnyWithString, true> numeric_;
  std::string who_;
  bool legacy_;  // opset < 7: only the numeric kernel knows the legacy broadcast
};

void infer_equal(InferContext& ctx) {
  infer_binary<TypeSet::AnyWithString, true>(ctx);
  infer_equal_values(ctx);  // Equal(target_shape, -1) decided where it can be
}

std::unique_ptr<Kernel> make_equal(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<EqualKernel>(n);
}

}  // namespace

void add_compare_logic_ops(OpRegistry& r) {
  constexpr TypeSet N = TypeSet::Numeric;
  constexpr TypeSet B = TypeSet::Bool;
  std::vector<DType> eq_types = dtypes_of(NumericOrBoolTypes{});
  eq_types.push_back(DType::String);
  r.add(OpSchema{"Equal", "", 1, 1 << 30, &infer_equal, &make_equal, eq_types});
  add_binary<Less, N, true>(r, "Less");
  add_binary<LessOrEqual, N, true>(r, "LessOrEqual", 12);
  add_binary<Greater, N, true>(r, "Greater");
  add_binary<GreaterOrEqual, N, true>(r, "GreaterOrEqual", 12);
  add_binary<And, B, true>(r, "And");
  add_binary<Or, B, true>(r, "Or");
  add_binary<Xor, B, true>(r, "Xor");
}

}  // namespace ember::ops::ew
