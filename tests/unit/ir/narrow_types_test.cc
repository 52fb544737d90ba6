// Narrow element type conversions (ir/narrow_types.h). Every expected code below is worked out
// by hand from the bit layouts (sign | exponent | mantissa, with the type's bias), not taken
// from Ember; the comment next to each says how.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ir/narrow_types.h"

namespace ember::test {
namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST_CASE("float8e4m3fn: bias 7, no Inf, NaN = S.1111.111") {
  const DType t = DType::Float8E4M3FN;
  // Largest finite: exponent 1111, mantissa 110 -> 2^(15-7) * 1.75 = 448.
  CHECK(narrow_to_float(t, 0x7E) == 448.0f);
  CHECK(narrow_to_float(t, 0xFE) == -448.0f);
  CHECK(std::isnan(narrow_to_float(t, 0x7F)));
  CHECK(std::isnan(narrow_to_float(t, 0xFF)));
  // Smallest subnormal: 0.001 -> 2^(1-7) * 1/8 = 2^-9; smallest normal 0.0001.000 = 2^-6.
  CHECK(narrow_to_float(t, 0x01) == std::ldexp(1.0f, -9));
  CHECK(narrow_to_float(t, 0x08) == std::ldexp(1.0f, -6));
  CHECK(narrow_to_float(t, 0x38) == 1.0f);  // exponent 0111 = bias
  CHECK(std::signbit(narrow_to_float(t, 0x80)));
  CHECK(float_to_narrow(t, 448.0) == 0x7E);
  CHECK(float_to_narrow(t, std::ldexp(1.0, -9)) == 0x01);
  // Ties to even: spacing near 1 is 1/8. 1.0625 lies halfway between 0x38 (1.0, mantissa 000)
  // and 0x39 (1.125): the even one is 0x38. 1.1875 is halfway between 0x39 and 0x3A: 0x3A.
  CHECK(float_to_narrow(t, 1.0625) == 0x38);
  CHECK(float_to_narrow(t, 1.1875) == 0x3A);
  CHECK(float_to_narrow(t, -1.1875) == 0xBA);
  // Half the smallest subnormal is a tie between 0 and 0x01: to 0 (even); 3/4 of it rounds up.
  CHECK(float_to_narrow(t, std::ldexp(1.0, -10)) == 0x00);
  CHECK(float_to_narrow(t, 3 * std::ldexp(1.0, -11)) == 0x01);
  CHECK(float_to_narrow(t, -0.0) == 0x80);
  // Out of range: saturate clamps to +-448; otherwise NaN (the type has no Inf).
  CHECK(float_to_narrow(t, 1000.0, true) == 0x7E);
  CHECK(float_to_narrow(t, -1000.0, true) == 0xFE);
  CHECK(float_to_narrow(t, kInf, true) == 0x7E);
  CHECK(float_to_narrow(t, 1000.0, false) == 0x7F);
  CHECK(float_to_narrow(t, kInf, false) == 0x7F);
  CHECK(float_to_narrow(t, kNaN, true) == 0x7F);
}

TEST_CASE("float8e4m3fnuz: bias 8, single NaN 0x80, no negative zero") {
  const DType t = DType::Float8E4M3FNUZ;
  // Largest finite: 0.1111.111 -> 2^(15-8) * 1.875 = 240. Smallest subnormal 2^(1-8) / 8 = 2^-10.
  CHECK(narrow_to_float(t, 0x7F) == 240.0f);
  CHECK(narrow_to_float(t, 0xFF) == -240.0f);
  CHECK(narrow_to_float(t, 0x01) == std::ldexp(1.0f, -10));
  CHECK(narrow_to_float(t, 0x40) == 1.0f);  // exponent 1000 = bias
  CHECK(std::isnan(narrow_to_float(t, 0x80)));
  CHECK(float_to_narrow(t, -0.0) == 0x00);
  CHECK(float_to_narrow(t, -std::ldexp(1.0, -12)) == 0x00);  // rounds to zero: no -0
  CHECK(float_to_narrow(t, 1000.0, true) == 0x7F);
  CHECK(float_to_narrow(t, -kInf, true) == 0xFF);
  CHECK(float_to_narrow(t, 1000.0, false) == 0x80);
  CHECK(float_to_narrow(t, kNaN) == 0x80);
}

TEST_CASE("float8e5m2: bias 15, IEEE-like Inf and NaN") {
  const DType t = DType::Float8E5M2;
  // Largest finite: 0.11110.11 -> 2^(30-15) * 1.75 = 57344. Smallest subnormal 2^(1-15) / 4 = 2^-16.
  CHECK(narrow_to_float(t, 0x7B) == 57344.0f);
  CHECK(narrow_to_float(t, 0x01) == std::ldexp(1.0f, -16));
  CHECK(narrow_to_float(t, 0x7C) == std::numeric_limits<float>::infinity());
  CHECK(narrow_to_float(t, 0xFC) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(narrow_to_float(t, 0x7D)));
  CHECK(std::isnan(narrow_to_float(t, 0x7E)));
  // Spacing near 1 is 1/4: 1.125 is halfway 0x3C (1.0) / 0x3D (1.25) -> 0x3C; 1.375 -> 0x3E.
  CHECK(float_to_narrow(t, 1.125) == 0x3C);
  CHECK(float_to_narrow(t, 1.375) == 0x3E);
  CHECK(float_to_narrow(t, 1e6, true) == 0x7B);
  CHECK(float_to_narrow(t, kInf, true) == 0x7B);
  CHECK(float_to_narrow(t, 1e6, false) == 0x7C);
  CHECK(float_to_narrow(t, -kInf, false) == 0xFC);
  CHECK(std::isnan(narrow_to_float(t, float_to_narrow(t, kNaN))));
}

TEST_CASE("float8e5m2fnuz: bias 16, single NaN 0x80") {
  const DType t = DType::Float8E5M2FNUZ;
  // Largest finite: 0.11111.11 -> 2^(31-16) * 1.75 = 57344. Smallest subnormal 2^(1-16) / 4 = 2^-17.
  CHECK(narrow_to_float(t, 0x7F) == 57344.0f);
  CHECK(narrow_to_float(t, 0x01) == std::ldexp(1.0f, -17));
  CHECK(std::isnan(narrow_to_float(t, 0x80)));
  CHECK(float_to_narrow(t, -0.0) == 0x00);
  CHECK(float_to_narrow(t, kInf, true) == 0x7F);
  CHECK(float_to_narrow(t, kInf, false) == 0x80);
  CHECK(float_to_narrow(t, kNaN) == 0x80);
}

TEST_CASE("float4e2m1: bias 1, sign bit 0x8, always saturating") {
  const DType t = DType::Float4E2M1;
  // Codes 0..7: 0, 0.5 (subnormal 2^0 / 2), 1, 1.5, 2, 3, 4, 6.
  const float values[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (int c = 0; c < 8; ++c) {
    CHECK(narrow_to_float(t, uint8_t(c)) == values[c]);
    CHECK(narrow_to_float(t, uint8_t(c | 0x8)) == -values[c]);
  }
  CHECK(float_to_narrow(t, 2.5) == 0x4);   // tie 2 (code 4) / 3 (code 5) -> even code 4
  CHECK(float_to_narrow(t, 3.5) == 0x6);   // tie 3 (code 5) / 4 (code 6) -> code 6
  CHECK(float_to_narrow(t, 5.0) == 0x6);   // tie 4 (code 6) / 6 (code 7) -> code 6
  CHECK(float_to_narrow(t, 0.25) == 0x0);  // tie 0 / 0.5 -> 0
  CHECK(float_to_narrow(t, 0.75) == 0x2);  // tie 0.5 (code 1) / 1 (code 2) -> code 2
  CHECK(float_to_narrow(t, 100.0, false) == 0x7);  // no Inf/NaN: saturates regardless
  CHECK(float_to_narrow(t, -kInf, false) == 0xF);
  CHECK(float_to_narrow(t, kNaN) == 0x8);  // ml_dtypes (the reference's cast): NaN -> -0
}

TEST_CASE("float8e8m0: 2^(code-127), 0xFF NaN, rounding modes") {
  const DType t = DType::Float8E8M0;
  CHECK(narrow_to_float(t, 127) == 1.0f);
  CHECK(narrow_to_float(t, 0) == std::ldexp(1.0f, -127));
  CHECK(narrow_to_float(t, 254) == std::ldexp(1.0f, 127));
  CHECK(std::isnan(narrow_to_float(t, 0xFF)));
  // 3 = 1.5 * 2^1 (float32 exponent field 128): up -> 4 (129), down -> 2 (128); "nearest"
  // looks at the first dropped bit, set for 1.5, so it goes up; 1.25 goes down.
  CHECK(float_to_e8m0(3.0f, true, E8M0Round::Up) == 129);
  CHECK(float_to_e8m0(3.0f, true, E8M0Round::Down) == 128);
  CHECK(float_to_e8m0(3.0f, true, E8M0Round::Nearest) == 129);
  CHECK(float_to_e8m0(1.25f, true, E8M0Round::Nearest) == 127);
  CHECK(float_to_e8m0(-4.0f, true, E8M0Round::Up) == 129);  // sign dropped
  // 1.5 * 2^127 rounds up past 2^127: saturate keeps 254, otherwise 0xFF.
  const float big = std::ldexp(1.5f, 127);
  CHECK(float_to_e8m0(big, true, E8M0Round::Up) == 254);
  CHECK(float_to_e8m0(big, false, E8M0Round::Up) == 0xFF);
  CHECK(float_to_e8m0(std::numeric_limits<float>::infinity(), true, E8M0Round::Up) == 0xFF);
  CHECK(float_to_e8m0(std::numeric_limits<float>::quiet_NaN(), true, E8M0Round::Up) == 0xFF);
}

TEST_CASE("int4/uint4/int2/uint2: ranges, wrapping, cast rule") {
  CHECK(narrow_int_min(DType::Int4) == -8);
  CHECK(narrow_int_max(DType::Int4) == 7);
  CHECK(narrow_int_max(DType::UInt4) == 15);
  CHECK(narrow_int_min(DType::Int2) == -2);
  CHECK(narrow_int_max(DType::UInt2) == 3);
  // int_to_narrow_int wraps modulo 2^bits; signed values are stored sign-extended.
  CHECK(int_to_narrow_int(DType::Int4, 8) == uint8_t(int8_t(-8)));
  CHECK(int_to_narrow_int(DType::Int4, -9) == 7);
  CHECK(int_to_narrow_int(DType::UInt4, 17) == 1);
  CHECK(int_to_narrow_int(DType::Int2, 2) == uint8_t(int8_t(-2)));
  CHECK(int_to_narrow_int(DType::UInt2, -1) == 3);
  CHECK(narrow_to_float(DType::Int4, uint8_t(int8_t(-8))) == -8.0f);
  // Cast float -> int4 follows ml_dtypes (what the ONNX reference's astype does): truncate
  // toward zero; values outside the range, NaN and Inf give 0.
  CHECK(float_to_narrow(DType::Int4, 2.7) == 2);
  CHECK(float_to_narrow(DType::Int4, -2.7) == uint8_t(int8_t(-2)));
  CHECK(float_to_narrow(DType::Int4, 7.9) == 7);
  CHECK(float_to_narrow(DType::Int4, 9.0) == 0);
  CHECK(float_to_narrow(DType::Int4, kNaN) == 0);
  CHECK(float_to_narrow(DType::UInt4, -1.0) == 0);
  CHECK(float_to_narrow(DType::Int2, -2.5) == uint8_t(int8_t(-2)));
  CHECK(float_to_narrow(DType::Int2, 2.0) == 0);
}

TEST_CASE("pack/unpack: low bits first, sign extension") {
  // int4 elements 1, -1 (0xF), 7, -8 (0x8), 3 pack as 0xF1, 0x87, 0x03.
  const uint8_t in[5] = {1, uint8_t(int8_t(-1)), 7, uint8_t(int8_t(-8)), 3};
  uint8_t packed[3] = {0, 0, 0};
  pack_narrow(DType::Int4, in, 5, packed);
  CHECK(packed[0] == 0xF1);
  CHECK(packed[1] == 0x87);
  CHECK(packed[2] == 0x03);
  uint8_t back[5] = {};
  unpack_narrow(DType::Int4, packed, 5, back);
  for (int i = 0; i < 5; ++i) CHECK(back[i] == in[i]);
  // uint2 elements 0..3 then 2: 0b11100100 = 0xE4, then 0x02.
  const uint8_t u2[5] = {0, 1, 2, 3, 2};
  uint8_t p2[2] = {};
  pack_narrow(DType::UInt2, u2, 5, p2);
  CHECK(p2[0] == 0xE4);
  CHECK(p2[1] == 0x02);
  CHECK(packed_narrow_bytes(DType::UInt2, 5) == 2);
  CHECK(packed_narrow_bytes(DType::Int4, 5) == 3);
}

}  // namespace
}  // namespace ember::test
