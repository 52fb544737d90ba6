// Element types, numbered as in ONNX's TensorProto.DataType, and the half-precision
// storage types. `visit_dtype` turns a runtime DType into a compile-time element type so
// reference kernels are written once as templates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "support/error.h"

namespace ember {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  BFloat16 = 16,
  // Narrow types (ONNX 1.14+). Stored UNPACKED, one element per byte, as numpy/ml_dtypes
  // hold them: float8/float4/e8m0 as their bit code in the low bits, int4/int2 as a
  // sign-extended int8, uint4/uint2 as a uint8. The ONNX reader unpacks the 2-per-byte
  // (4-bit) and 4-per-byte (2-bit) wire layout; the writer packs it again. They are not
  // visited by visit_dtype: only ops that know them (Cast, Q/DQ, data movement) accept them.
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
  Float8E8M0 = 24,
  UInt2 = 25,
  Int2 = 26,
};

size_t dtype_size(DType t);           // bytes per element; sizeof(std::string) for String
const char* dtype_name(DType t);      // "float32", "int64", ...
bool dtype_is_valid(int32_t onnx_code);
// Name of an ONNX element type code that has no DType (complex, float8, int4, ...), so errors
// can say what the model asked for; null for codes ONNX does not define or DType covers.
const char* onnx_only_type_name(int64_t onnx_code);
bool dtype_is_float(DType t);         // f16, bf16, f32, f64
bool dtype_is_signed_int(DType t);
bool dtype_is_unsigned_int(DType t);
inline bool dtype_is_integer(DType t) { return dtype_is_signed_int(t) || dtype_is_unsigned_int(t); }
// The narrow storage types above (codes 17-26); none of the predicates above include them.
inline bool dtype_is_narrow(DType t) { return int32_t(t) >= 17 && int32_t(t) <= 26; }
// Bits per element on the ONNX wire (8, 4 or 2); 8 * dtype_size for every other type.
int dtype_wire_bits(DType t);

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);  // round to nearest even
inline float bfloat16_to_float(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
}
uint16_t float_to_bfloat16(float f);  // round to nearest even

// IEEE binary16 storage. Arithmetic happens in float: `half + half` yields float and the
// assignment back rounds, which is exactly how a reference implementation should behave.
struct half {
  uint16_t bits = 0;
  half() = default;
  half(float f) : bits(float_to_half(f)) {}  // NOLINT: implicit by design
  operator float() const { return half_to_float(bits); }
};
struct bfloat16 {
  uint16_t bits = 0;
  bfloat16() = default;
  bfloat16(float f) : bits(float_to_bfloat16(f)) {}  // NOLINT
  operator float() const { return bfloat16_to_float(bits); }
};

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<half> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<bfloat16> { static constexpr DType value = DType::BFloat16; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<std::string> { static constexpr DType value = DType::String; };

// Calls f(T{}) with T the element type of `t`. Throws Unsupported for Undefined.
// Usage: visit_dtype(t, [&](auto tag) { using T = decltype(tag); ... });
template <class F>
decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Float16: return f(half{});
    case DType::BFloat16: return f(bfloat16{});
    case DType::Int8: return f(int8_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Bool: return f(bool{});
    case DType::String: return f(std::string{});
    default: break;
  }
  fail(Status::Unsupported, "element type ", dtype_name(t), " (code ", int(t), ") is not supported here");
}

// Same, restricted to numeric types (no string); bool counts as numeric (0/1).
template <class F>
decltype(auto) visit_numeric_dtype(DType t, F&& f) {
  if (t == DType::String) fail(Status::Unsupported, "string tensors are not supported here");
  return visit_dtype(t, [&](auto tag) -> decltype(auto) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::string>) {
      return f(float{});  // unreachable: rejected above; keeps return types uniform
    } else {
      return f(tag);
    }
  });
}

}  // namespace ember
