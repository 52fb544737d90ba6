#include "ops/elementwise/ew_types.h"

namespace ember::ops::ew {

bool spec_allows(TypeSet s, DType t) {
  switch (s) {
    case TypeSet::Float: return dtype_is_float(t);
    case TypeSet::Signed: return dtype_is_float(t) || dtype_is_signed_int(t);
    case TypeSet::Numeric:
    case TypeSet::NumericAsFloat: return dtype_is_float(t) || dtype_is_integer(t);
    case TypeSet::Unsigned: return dtype_is_unsigned_int(t);
    case TypeSet::Integer: return dtype_is_integer(t);
    case TypeSet::Bool: return t == DType::Bool;
    case TypeSet::NumericOrBool: return dtype_is_float(t) || dtype_is_integer(t) || t == DType::Bool;
    case TypeSet::Any:
    case TypeSet::AnyWithString: return t != DType::Undefined;
  }
  return false;
}

const char* type_set_name(TypeSet s) {
  switch (s) {
    case TypeSet::Float: return "a floating-point type";
    case TypeSet::Signed: return "a floating-point or signed integer type";
    case TypeSet::Numeric:
    case TypeSet::NumericAsFloat: return "a numeric type";
    case TypeSet::Unsigned: return "an unsigned integer type";
    case TypeSet::Integer: return "an integer type";
    case TypeSet::Bool: return "bool";
    case TypeSet::NumericOrBool: return "a numeric or bool type";
    case TypeSet::Any:
    case TypeSet::AnyWithString: return "a tensor type";
  }
  return "?";
}

static bool implemented(TypeSet s, DType t) {
  switch (s) {
    case TypeSet::Float:
    case TypeSet::NumericAsFloat: return contains(FloatTypes{}, t);
    case TypeSet::Signed: return contains(SignedTypes{}, t);
    case TypeSet::Numeric: return contains(NumericTypes{}, t);
    case TypeSet::Unsigned: return contains(UnsignedTypes{}, t);
    case TypeSet::Integer: return contains(IntegerTypes{}, t);
    case TypeSet::Bool: return contains(BoolTypes{}, t);
    case TypeSet::NumericOrBool:
    case TypeSet::Any: return contains(NumericOrBoolTypes{}, t);
    case TypeSet::AnyWithString: return t == DType::String || contains(NumericOrBoolTypes{}, t);
  }
  return false;
}

void check_type(const ir::Node& node, const char* what, DType t, TypeSet s) {
  // Undefined means "not inferred yet" (e.g. an untyped graph input); the kernel checks again.
  if (t == DType::Undefined) return;
  EMBER_CHECK(spec_allows(s, t), TypeMismatch, node.describe(), ": ", what, " has type ",
              dtype_name(t), " but ", node.op_type, " expects ", type_set_name(s));
  EMBER_CHECK(implemented(s, t), Unsupported, node.describe(), ": ", what, " of type ",
              dtype_name(t), " is not implemented by the reference ", node.op_type, " kernel");
}

}  // namespace ember::ops::ew
