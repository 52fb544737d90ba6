// Broadcasting arithmetic: Add, Sub, Mul, Div, Mod, BitShift, BitwiseAnd/Or/Xor/Not.
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
  explicit Mod(const ir::Node& n) : fmod(n.attr_int("fmod", 0) != 0) {
    const int64_t f = n.attr_int("fmod", 0);
    EMBER_CHECK(f == 0 || f == 1, InvalidModel, n.describe(), ": attribute 'fmod' must be 0 or 1, got ", f);
  }
  template <class T> void check_rhs(const T* b, int64_t n, const std::string& who) const {
    check_no_zero(b, n, who);
  }
  template <class C> C operator()(C a, C b) const {
    if constexpr (!std::is_integral_v<C>) {
      const C r = std::fmod(a, b);
      if (fmod) return r;
      // fmod=0 on floats is numpy's np.mod: the result takes the divisor's sign.
      if (r == C(0)) return std::copysign(C(0), b);
      if ((r < C(0)) != (b < C(0))) return r + b;
      return r;
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
  const int64_t f = ctx.node().attr_int("fmod", 0);
  EMBER_CHECK(f == 0 || f == 1, InvalidModel, ctx.node().describe(),
              ": attribute 'fmod' must be 0 or 1, got ", f);
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
    // A shift by a negative amount or by the bit width or more is undefined in C++; ONNX
    // (opset 28) defines it as 0, except a right shift of a negative value, which gives -1.
    bool out_of_range = b >= C(sizeof(C) * 8);
    if constexpr (std::is_signed_v<C>) out_of_range = out_of_range || b < C(0);
    if (out_of_range) {
      if constexpr (std::is_signed_v<C>) {
        if (!left && a < C(0)) return C(-1);
      }
      return C(0);
    }
    return left ? C(wrap_t<C>(a) << b) : C(a >> b);  // >> of a negative value is arithmetic
  }
};

#define EMBER_EW_BITWISE(Name, expr)                             \
  struct Name {                                                  \
    static constexpr int64_t grain = kCheapGrain;                \
    static constexpr bool unidirectional = false;                \
    explicit Name(const ir::Node&) {}                            \
    template <class C> C operator()(C a, C b) const { return C(expr); } \
  };
EMBER_EW_BITWISE(BitwiseAnd, a & b)
EMBER_EW_BITWISE(BitwiseOr, a | b)
EMBER_EW_BITWISE(BitwiseXor, a ^ b)
#undef EMBER_EW_BITWISE

struct BitwiseNot {
  static constexpr int64_t grain = kCheapGrain;
  explicit BitwiseNot(const ir::Node&) {}
  template <class C> C operator()(C a) const { return C(~a); }
};

}  // namespace

void add_arith_ops(OpRegistry& r) {
  constexpr TypeSet N = TypeSet::Numeric;
  add_binary<Add, N>(r, "Add");
  add_binary<Sub, N>(r, "Sub");
  add_binary<Mul, N>(r, "Mul");
  add_binary<Div, N>(r, "Div");
  r.add(OpSchema{"Mod", "", 10, 1 << 30, &infer_mod, &make_binary<Mod, N>, dtypes_of(NumericTypes{})});
  add_binary<BitShift, TypeSet::Unsigned>(r, "BitShift", 11, 27);
  add_binary<BitShift, TypeSet::Integer>(r, "BitShift", 28);  // opset 28 adds signed types
  add_binary<BitwiseAnd, TypeSet::Integer>(r, "BitwiseAnd", 18);
  add_binary<BitwiseOr, TypeSet::Integer>(r, "BitwiseOr", 18);
  add_binary<BitwiseXor, TypeSet::Integer>(r, "BitwiseXor", 18);
  add_unary<BitwiseNot, TypeSet::Integer>(r, "BitwiseNot", 18);
}

}  // namespace ember::ops::ew
