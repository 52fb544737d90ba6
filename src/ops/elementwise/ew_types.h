// Element-type sets of the elementwise folder: which types the ONNX spec allows for an op
// (a type outside -> TypeMismatch) and which of those the reference kernels implement (allowed
// but not implemented -> Unsupported), plus a dispatcher that instantiates kernels only for
// the implemented types (instantiating all 14 element types for ~80 ops would be needless
// compile time).
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "ir/dtype.h"
#include "ops/op_registry.h"

namespace ember::ops::ew {

enum class TypeSet {
  Float,          // f16 bf16 f32 f64
  Signed,         // Float + signed integers
  Numeric,        // Signed + unsigned integers
  Unsigned,       // unsigned integers (BitShift before opset 28)
  Integer,        // signed and unsigned integers (BitShift-28, Bitwise*)
  Bool,           // bool only (Not, And, Or, Xor)
  NumericOrBool,  // Numeric + bool (Equal, Where, Identity...)
  NumericAsFloat, // spec: Numeric; implemented: Float only (Erf of an integer)
  Any,            // spec: every type incl. string; implemented: NumericOrBool (Where)
  AnyWithString,  // spec: every type; implemented: NumericOrBool + string (Equal-19)
};

template <class... Ts> struct TypeList {};

using FloatTypes = TypeList<float, double, half, bfloat16>;
using SignedTypes = TypeList<float, double, half, bfloat16, int8_t, int16_t, int32_t, int64_t>;
using NumericTypes = TypeList<float, double, half, bfloat16, int8_t, uint8_t, int16_t, uint16_t,
                              int32_t, uint32_t, int64_t, uint64_t>;
using UnsignedTypes = TypeList<uint8_t, uint16_t, uint32_t, uint64_t>;
using IntegerTypes = TypeList<int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t>;
using BoolTypes = TypeList<bool>;
using NumericOrBoolTypes = TypeList<float, double, half, bfloat16, int8_t, uint8_t, int16_t, uint16_t,
                                    int32_t, uint32_t, int64_t, uint64_t, bool>;

template <TypeSet S> struct Impl;
template <> struct Impl<TypeSet::Float> { using type = FloatTypes; };
template <> struct Impl<TypeSet::Signed> { using type = SignedTypes; };
template <> struct Impl<TypeSet::Numeric> { using type = NumericTypes; };
template <> struct Impl<TypeSet::Unsigned> { using type = UnsignedTypes; };
template <> struct Impl<TypeSet::Integer> { using type = IntegerTypes; };
template <> struct Impl<TypeSet::Bool> { using type = BoolTypes; };
template <> struct Impl<TypeSet::NumericOrBool> { using type = NumericOrBoolTypes; };
template <> struct Impl<TypeSet::NumericAsFloat> { using type = FloatTypes; };
template <> struct Impl<TypeSet::Any> { using type = NumericOrBoolTypes; };
template <> struct Impl<TypeSet::AnyWithString> { using type = NumericOrBoolTypes; };  // + string by hand
template <TypeSet S> using ImplTypes = typename Impl<S>::type;

template <class... Ts>
constexpr bool contains(TypeList<Ts...>, DType t) {
  return ((dtype_of<Ts>::value == t) || ...);
}

template <class... Ts>
std::vector<DType> dtypes_of(TypeList<Ts...>) {
  return {dtype_of<Ts>::value...};
}

// Whether the ONNX spec allows `t` for the set (independent of what is implemented).
bool spec_allows(TypeSet s, DType t);
const char* type_set_name(TypeSet s);

// TypeMismatch when the spec does not allow `t`; Unsupported when it does but the reference
// kernels do not implement it. `what` names the operand ("input 0", "input 'B'").
void check_type(const ir::Node& node, const char* what, DType t, TypeSet s);

// Calls f(T{}) for the element type `t`; Unsupported naming `who` for types outside the list.
template <class... Ts, class F>
void dispatch(TypeList<Ts...>, DType t, const std::string& who, F&& f) {
  const bool hit = ((t == dtype_of<Ts>::value ? (f(Ts{}), true) : false) || ...);
  if (!hit) fail(Status::Unsupported, who, ": element type ", dtype_name(t), " is not implemented");
}

// The type arithmetic happens in: half is computed in float and rounded back on store.
template <class T> struct compute_type { using type = T; };
template <> struct compute_type<half> { using type = float; };
template <> struct compute_type<bfloat16> { using type = float; };
template <class T> using compute_t = typename compute_type<T>::type;

template <class T>
constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, half> ||
                               std::is_same_v<T, bfloat16>;

}  // namespace ember::ops::ew
