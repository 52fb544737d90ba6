// Conversions between float and the narrow element types (float8 variants, float4e2m1,
// float8e8m0, int4/uint4, int2/uint2), which Ember stores unpacked, one element per byte
// (see dtype.h). Rules follow the ONNX spec as its reference implementation realises it
// (ml_dtypes): round to nearest, ties to even; `saturate` clamps out-of-range finite values
// and infinities to the largest finite value, otherwise they become Inf (e5m2) or NaN
// (types without Inf). The fnuz types have no negative zero and a single NaN (0x80).
#pragma once

#include <cstdint>

#include "ir/dtype.h"

namespace ember {

// Value of one stored element of a narrow type (NaN for NaN codes).
float narrow_to_float(DType t, uint8_t stored);
// Stored element nearest to `f`. `saturate` matters for the float8 types only: float4e2m1
// always saturates (it has neither Inf nor NaN; NaN becomes -0 as in ml_dtypes), and the
// integer types take the ml_dtypes rule (truncate toward zero; NaN, Inf and values outside
// the type's range become 0).
uint8_t float_to_narrow(DType t, double f, bool saturate = true);
// float -> float8e8m0 (a power of two 2^(code-127); 0xFF is NaN). The sign is dropped;
// `mode` is Cast-25's round_mode: "up" (default), "down" or "nearest".
enum class E8M0Round { Up, Down, Nearest };
uint8_t float_to_e8m0(float f, bool saturate, E8M0Round mode);
// Integer value -> int4/uint4/int2/uint2 storage, wrapping modulo 2^bits (like numpy's
// astype between integer types).
uint8_t int_to_narrow_int(DType t, int64_t v);
// Range of the narrow integer types (int4: [-8, 7], uint2: [0, 3], ...).
int narrow_int_min(DType t);
int narrow_int_max(DType t);
inline bool dtype_is_narrow_int(DType t) {
  return t == DType::Int4 || t == DType::UInt4 || t == DType::Int2 || t == DType::UInt2;
}

// ONNX wire layout <-> unpacked storage for the 4-bit and 2-bit types: elements are packed
// low bits first (element 0 in the lowest nibble / bit pair). `n` counts elements.
void unpack_narrow(DType t, const uint8_t* packed, int64_t n, uint8_t* out);
void pack_narrow(DType t, const uint8_t* in, int64_t n, uint8_t* packed);
inline int64_t packed_narrow_bytes(DType t, int64_t n) {
  const int bits = dtype_wire_bits(t);
  return (n * bits + 7) / 8;
}

}  // namespace ember
