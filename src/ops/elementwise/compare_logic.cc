// Comparisons (Equal, Less, LessOrEqual, Greater, GreaterOrEqual) and logic (And, Or, Xor):
// two inputs of one type broadcast together, bool output. Comparisons involving NaN are false
// (Equal(NaN, NaN) too), as in IEEE and numpy.
#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

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

}  // namespace

void add_compare_logic_ops(OpRegistry& r) {
  constexpr TypeSet N = TypeSet::Numeric;
  constexpr TypeSet B = TypeSet::Bool;
  add_binary<Equal, TypeSet::Any, true>(r, "Equal");  // string (opset 19) is Unsupported
  add_binary<Less, N, true>(r, "Less");
  add_binary<LessOrEqual, N, true>(r, "LessOrEqual", 12);
  add_binary<Greater, N, true>(r, "Greater");
  add_binary<GreaterOrEqual, N, true>(r, "GreaterOrEqual", 12);
  add_binary<And, B, true>(r, "And");
  add_binary<Or, B, true>(r, "Or");
  add_binary<Xor, B, true>(r, "Xor");
}

}  // namespace ember::ops::ew
