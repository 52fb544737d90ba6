#include "ir/narrow_types.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace ember {
namespace {

// A small binary float format: sign bit, `ebits` exponent bits, `mbits` mantissa bits.
struct MiniFloat {
  int ebits, mbits, bias;
  uint8_t sign_bit;   // 0x80, or 0x08 for float4
  uint8_t max_code;   // largest finite positive code
  bool has_inf;       // e5m2 only: 0x7C is +Inf
  bool fnuz;          // single NaN 0x80, no negative zero
  int nan_code;       // positive NaN code; -1 when the type has no NaN
};

const MiniFloat& format_of(DType t) {
  static const MiniFloat e4m3fn{4, 3, 7, 0x80, 0x7E, false, false, 0x7F};
  static const MiniFloat e4m3fnuz{4, 3, 8, 0x80, 0x7F, false, true, 0x80};
  static const MiniFloat e5m2{5, 2, 15, 0x80, 0x7B, true, false, 0x7E};
  static const MiniFloat e5m2fnuz{5, 2, 16, 0x80, 0x7F, false, true, 0x80};
  static const MiniFloat e2m1{2, 1, 1, 0x08, 0x07, false, false, -1};
  switch (t) {
    case DType::Float8E4M3FN: return e4m3fn;
    case DType::Float8E4M3FNUZ: return e4m3fnuz;
    case DType::Float8E5M2: return e5m2;
    case DType::Float8E5M2FNUZ: return e5m2fnuz;
    case DType::Float4E2M1: return e2m1;
    default: break;
  }
  fail(Status::Runtime, "format_of: ", dtype_name(t), " is not a narrow float type");
}

// Value of a positive finite code (exact in double).
double positive_value(const MiniFloat& m, int c) {
  const int exp = c >> m.mbits, mant = c & ((1 << m.mbits) - 1);
  if (exp == 0) return std::ldexp(double(mant), 1 - m.bias - m.mbits);
  return std::ldexp(double((1 << m.mbits) + mant), exp - m.bias - m.mbits);
}

float mini_to_float(const MiniFloat& m, uint8_t code) {
  if (m.fnuz && code == 0x80) return std::numeric_limits<float>::quiet_NaN();
  const bool neg = (code & m.sign_bit) != 0;
  const int c = code & (m.sign_bit - 1);
  if (m.nan_code >= 0 && !m.fnuz) {
    if (m.has_inf) {  // IEEE-like: all-ones exponent is Inf (mantissa 0) or NaN
      if ((c >> m.mbits) == (1 << m.ebits) - 1) {
        const float v = (c & ((1 << m.mbits) - 1)) ? std::numeric_limits<float>::quiet_NaN()
                                                   : std::numeric_limits<float>::infinity();
        return neg ? -v : v;
      }
    } else if (c == m.nan_code) {
      return std::numeric_limits<float>::quiet_NaN();
    }
  }
  const float v = float(positive_value(m, c));
  return neg ? -v : v;
}

uint8_t float_to_mini(const MiniFloat& m, double f, bool saturate) {
  if (m.nan_code < 0) saturate = true;  // float4e2m1: neither Inf nor NaN
  if (std::isnan(f)) return m.nan_code >= 0 ? uint8_t(m.nan_code) : m.sign_bit;  // ml_dtypes: -0
  const uint8_t sign = std::signbit(f) ? m.sign_bit : 0;
  const double a = std::fabs(double(f));
  auto overflow = [&]() -> uint8_t {
    if (saturate) return uint8_t(sign | m.max_code);
    if (m.has_inf) return uint8_t(sign | (m.max_code + 1));
    return uint8_t(m.nan_code);
  };
  if (std::isinf(a)) return overflow();
  // Largest code whose value is <= a (codes are ordered like their values).
  int lo = 0, hi = m.max_code;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (positive_value(m, mid) <= a) lo = mid; else hi = mid - 1;
  }
  const double vlo = positive_value(m, lo);
  int c = lo;
  if (a > vlo) {
    // The value one step past max_code continues the last binade's spacing.
    const double vhi = lo < m.max_code ? positive_value(m, lo + 1)
                                       : 2 * vlo - positive_value(m, lo - 1);
    const double half = (vlo + vhi) / 2;
    if (a > half || (a == half && (lo & 1))) c = lo + 1;  // ties to the even code
  }
  if (c > m.max_code) return overflow();
  if (c == 0 && m.fnuz) return 0;  // no negative zero
  return uint8_t(sign | c);
}

}  // namespace

int narrow_int_min(DType t) {
  switch (t) {
    case DType::Int4: return -8;
    case DType::Int2: return -2;
    default: return 0;
  }
}

int narrow_int_max(DType t) {
  switch (t) {
    case DType::Int4: return 7;
    case DType::UInt4: return 15;
    case DType::Int2: return 1;
    case DType::UInt2: return 3;
    default: return 0;
  }
}

uint8_t int_to_narrow_int(DType t, int64_t v) {
  const int bits = dtype_wire_bits(t);
  uint64_t u = uint64_t(v) & ((1u << bits) - 1);
  if ((t == DType::Int4 || t == DType::Int2) && (u >> (bits - 1)))  // sign-extend into int8
    u |= ~uint64_t(0) << bits;
  return uint8_t(u);
}

float narrow_to_float(DType t, uint8_t stored) {
  switch (t) {
    case DType::Int4: case DType::Int2: return float(int8_t(stored));
    case DType::UInt4: case DType::UInt2: return float(stored);
    case DType::Float8E8M0:
      return stored == 0xFF ? std::numeric_limits<float>::quiet_NaN() : std::ldexp(1.0f, int(stored) - 127);
    default: return mini_to_float(format_of(t), stored);
  }
}

uint8_t float_to_e8m0(float f, bool saturate, E8M0Round mode) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t exp = (bits >> 23) & 0xFF;
  if (exp == 0xFF) return 0xFF;  // NaN and Inf
  const uint32_t frac = bits & 0x7FFFFF;
  bool up = false;
  if (mode == E8M0Round::Up) {
    up = frac != 0;
  } else if (mode == E8M0Round::Nearest) {
    const bool g = bits & 0x400000, r = bits & 0x200000, s = bits & 0x1FFFFF, lsb = exp > 0;
    up = g && (r || s || lsb);
  }
  if (up && saturate && exp == 0xFE) up = false;
  return uint8_t(exp + (up ? 1 : 0));
}

uint8_t float_to_narrow(DType t, double f, bool saturate) {
  switch (t) {
    case DType::Int4: case DType::Int2: case DType::UInt4: case DType::UInt2: {
      if (!std::isfinite(f)) return 0;
      const double r = std::trunc(f);
      if (r < double(narrow_int_min(t)) || r > double(narrow_int_max(t))) return 0;
      return int_to_narrow_int(t, int64_t(r));
    }
    case DType::Float8E8M0: return float_to_e8m0(float(f), saturate, E8M0Round::Up);
    default: return float_to_mini(format_of(t), f, saturate);
  }
}

void unpack_narrow(DType t, const uint8_t* packed, int64_t n, uint8_t* out) {
  const int bits = dtype_wire_bits(t);
  if (bits == 8) {
    std::memcpy(out, packed, size_t(n));
    return;
  }
  const int per_byte = 8 / bits;
  const bool is_signed = t == DType::Int4 || t == DType::Int2;
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t v = uint8_t((packed[i / per_byte] >> ((i % per_byte) * bits)) & ((1 << bits) - 1));
    out[i] = is_signed ? int_to_narrow_int(t, v) : v;
  }
}

void pack_narrow(DType t, const uint8_t* in, int64_t n, uint8_t* packed) {
  const int bits = dtype_wire_bits(t);
  if (bits == 8) {
    std::memcpy(packed, in, size_t(n));
    return;
  }
  const int per_byte = 8 / bits;
  std::memset(packed, 0, size_t(packed_narrow_bytes(t, n)));
  for (int64_t i = 0; i < n; ++i)
    packed[i / per_byte] |= uint8_t((in[i] & ((1 << bits) - 1)) << ((i % per_byte) * bits));
}

}  // namespace ember
