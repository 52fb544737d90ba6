// Unary math ops: Sqrt, Exp, Log, Neg, Abs, Reciprocal, Erf, Floor, Ceil, Round, Sign, the
// trigonometric and hyperbolic functions, IsNaN, IsInf and Not. None changed semantics across
// opsets (later versions only added element types), so each has one schema.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

// Negation that wraps for the most negative integer instead of overflowing (numpy behaviour).
template <class C>
C wrap_neg(C x) {
  if constexpr (std::is_integral_v<C>) {
    using U = std::make_unsigned_t<C>;
    return C(U(0) - U(x));
  } else {
    return -x;
  }
}

// Declares a stateless unary functor `Name` computing `expr` of `x`.
#define EMBER_EW_UNARY(Name, grain_, expr)                \
  struct Name {                                           \
    static constexpr int64_t grain = grain_;              \
    explicit Name(const ir::Node&) {}                     \
    template <class C> C operator()(C x) const { return expr; } \
  };

EMBER_EW_UNARY(Sqrt, kCostlyGrain, std::sqrt(x))
EMBER_EW_UNARY(Exp, kCostlyGrain, std::exp(x))
EMBER_EW_UNARY(Log, kCostlyGrain, std::log(x))
EMBER_EW_UNARY(Reciprocal, kCheapGrain, C(1) / x)
EMBER_EW_UNARY(Erf, kCostlyGrain, std::erf(x))
EMBER_EW_UNARY(Floor, kCheapGrain, std::floor(x))
EMBER_EW_UNARY(Ceil, kCheapGrain, std::ceil(x))
EMBER_EW_UNARY(Round, kCheapGrain, std::nearbyint(x))  // halves to even, like numpy.round
EMBER_EW_UNARY(Sin, kCostlyGrain, std::sin(x))
EMBER_EW_UNARY(Cos, kCostlyGrain, std::cos(x))
EMBER_EW_UNARY(Tan, kCostlyGrain, std::tan(x))
EMBER_EW_UNARY(Asin, kCostlyGrain, std::asin(x))
EMBER_EW_UNARY(Acos, kCostlyGrain, std::acos(x))
EMBER_EW_UNARY(Atan, kCostlyGrain, std::atan(x))
EMBER_EW_UNARY(Sinh, kCostlyGrain, std::sinh(x))
EMBER_EW_UNARY(Cosh, kCostlyGrain, std::cosh(x))
EMBER_EW_UNARY(Asinh, kCostlyGrain, std::asinh(x))
EMBER_EW_UNARY(Acosh, kCostlyGrain, std::acosh(x))
EMBER_EW_UNARY(Atanh, kCostlyGrain, std::atanh(x))
EMBER_EW_UNARY(Neg, kCheapGrain, wrap_neg(x))
EMBER_EW_UNARY(Abs, kCheapGrain, x < C(0) ? wrap_neg(x) : x)
// NaN stays NaN (both comparisons are false), as numpy.sign does.
EMBER_EW_UNARY(Sign, kCheapGrain, x > C(0) ? C(1) : (x < C(0) ? C(-1) : x))
EMBER_EW_UNARY(Not, kCheapGrain, !x)
#undef EMBER_EW_UNARY

struct IsNaN {
  static constexpr int64_t grain = kCheapGrain;
  explicit IsNaN(const ir::Node&) {}
  template <class C> bool operator()(C x) const { return std::isnan(x); }
};

struct IsInf {
  static constexpr int64_t grain = kCheapGrain;
  bool neg = true, pos = true;
  explicit IsInf(const ir::Node& n)
      : neg(n.attr_int("detect_negative", 1) != 0), pos(n.attr_int("detect_positive", 1) != 0) {}
  template <class C> bool operator()(C x) const {
    return std::isinf(x) && ((x > 0 && pos) || (x < 0 && neg));
  }
};

template <class Op>
void add_bool_unary(OpRegistry& r, const char* name) {
  r.add(OpSchema{name, "", 1, 1 << 30, &infer_unary_bool<TypeSet::Float>,
                 &make_unary<Op, TypeSet::Float, true>, dtypes_of(FloatTypes{})});
}

}  // namespace

void add_unary_math_ops(OpRegistry& r) {
  constexpr TypeSet F = TypeSet::Float;
  add_unary<Sqrt, F>(r, "Sqrt");
  add_unary<Exp, F>(r, "Exp");
  add_unary<Log, F>(r, "Log");
  add_unary<Reciprocal, F>(r, "Reciprocal");
  // The spec lets Erf take integers too; those are reported as Unsupported.
  add_unary<Erf, TypeSet::NumericAsFloat>(r, "Erf");
  add_unary<Floor, F>(r, "Floor");
  add_unary<Ceil, F>(r, "Ceil");
  add_unary<Round, F>(r, "Round");
  add_unary<Sin, F>(r, "Sin");
  add_unary<Cos, F>(r, "Cos");
  add_unary<Tan, F>(r, "Tan");
  add_unary<Asin, F>(r, "Asin");
  add_unary<Acos, F>(r, "Acos");
  add_unary<Atan, F>(r, "Atan");
  add_unary<Sinh, F>(r, "Sinh");
  add_unary<Cosh, F>(r, "Cosh");
  add_unary<Asinh, F>(r, "Asinh");
  add_unary<Acosh, F>(r, "Acosh");
  add_unary<Atanh, F>(r, "Atanh");
  add_unary<Neg, TypeSet::Signed>(r, "Neg");
  add_unary<Abs, TypeSet::Numeric>(r, "Abs");
  add_unary<Sign, TypeSet::Numeric>(r, "Sign");
  add_unary<Not, TypeSet::Bool>(r, "Not");
  add_bool_unary<IsNaN>(r, "IsNaN");
  add_bool_unary<IsInf>(r, "IsInf");
}

}  // namespace ember::ops::ew
