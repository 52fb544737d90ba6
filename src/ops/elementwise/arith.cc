// Broadcasting arithmetic: Add, Sub, Mul, Div, Mod, BitShift.
//
// Integer semantics follow numpy / onnxruntime: + - * wrap around (computed in the unsigned
// type, so there is no signed-overflow UB), Div truncates toward zero like C, Mod with
// fmod=0 takes the sign of the divisor (Python's %), with fmod=1 the sign of the dividend.
// An integer divisor of zero is an InvalidArgument error rather than a SIGFPE.
#include <cmath>
#include <type_traits>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

// The unsigned type integer arithmetic wraps in; at least `unsigned int`, because smaller
// unsigned types promote back to (signed) int and could overflow again in a multiplication.
template <class C>
using wrap_t = std::make_unsigned_t<decltype(C() + C())>;

struct Add {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  explicit Add(const ir::Node&) {}
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) return C(wrap_t<C>(a) + wrap_t<C>(b));
    else return a + b;
  }
};

struct Sub {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  explicit Sub(const ir::Node&) {}
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) return C(wrap_t<C>(a) - wrap_t<C>(b));
    else return a - b;
  }
};

struct Mul {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  explicit Mul(const ir::Node&) {}
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) return C(wrap_t<C>(a) * wrap_t<C>(b));
    else return a * b;
  }
};

template <class T>
void check_no_zero(const T* b, int64_t n, const std::string& who) {
  if constexpr (std::is_integral_v<T>) {
    for (int64_t i = 0; i < n; ++i)
      EMBER_CHECK(b[i] != T(0), InvalidArgument, who, ": integer division by zero (divisor element ", i, ")");
  }
}

struct Div {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  explicit Div(const ir::Node&) {}
  template <class T> void check_rhs(const T* b, int64_t n, const std::string& who) const { check_no_zero(b, n, who); }
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C> && std::is_signed_v<C>) {
      if (b == C(-1)) return C(wrap_t<C>(0) - wrap_t<C>(a));  // INT_MIN / -1 would trap
    }
    return a / b;
  }
};

struct Mod {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  bool fmod;
  explicit Mod(const ir::Node& n) : fmod(n.attr_int("fmod", 0) != 0) {}
  template <class T> void check_rhs(const T* b, int64_t n, const std::string& who) const {
    check_no_zero(b, n, who);
    EMBER_CHECK(std::is_integral_v<T> || fmod, InvalidModel, who,
                ": floating-point inputs require attribute fmod=1");
  }
  template <class C> C operator()(C a, C b) const {
    if constexpr (!std::is_integral_v<C>) {
      return std::fmod(a, b);  // float inputs require fmod=1 (checked at inference)
    } else {
      if constexpr (std::is_signed_v<C>) {
        if (b == C(-1)) return C(0);  // INT_MIN % -1 would trap
      }
      C r = C(a % b);
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = C(r + b);
      return r;
    }
  }
};

void infer_mod(InferContext& ctx) {
  infer_broadcast<TypeSet::Numeric>(ctx);
  const DType t = ctx.input_type(0).dtype;
  EMBER_CHECK(!dtype_is_float(t) || ctx.node().attr_int("fmod", 0) != 0, InvalidModel,
              ctx.node().describe(), ": floating-point inputs (", dtype_name(t),
              ") require attribute fmod=1");
}

struct BitShift {
  static constexpr int64_t grain = kCheapGrain;
  static constexpr bool unidirectional = false;
  bool left;
  explicit BitShift(const ir::Node& n) {
    const std::string d = n.attr_string("direction", "");
    EMBER_CHECK(d == "LEFT" || d == "RIGHT", InvalidModel, n.describe(),
                ": attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"", d, "\"");
    left = d == "LEFT";
  }
  template <class C> C operator()(C a, C b) const {
    // Shifting by the bit width or more is undefined in C++; numpy yields 0.
    if (b >= C(sizeof(C) * 8)) return C(0);
    return left ? C(wrap_t<C>(a) << b) : C(a >> b);
  }
};

}  // namespace

void add_arith_ops(OpRegistry& r) {
  constexpr TypeSet N = TypeSet::Numeric;
  add_binary<Add, N>(r, "Add");
  add_binary<Sub, N>(r, "Sub");
  add_binary<Mul, N>(r, "Mul");
  add_binary<Div, N>(r, "Div");
  r.add(OpSchema{"Mod", "", 10, 1 << 30, &infer_mod, &make_binary<Mod, N>, dtypes_of(NumericTypes{})});
  add_binary<BitShift, TypeSet::Unsigned>(r, "BitShift", 11);
}

}  // namespace ember::ops::ew
