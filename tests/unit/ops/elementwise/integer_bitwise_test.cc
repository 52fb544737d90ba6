// The elementwise additions without tests so far: uint16/uint64 arithmetic with wraparound,
// Mod's sign rules (fmod 0 and 1, float special cases of Mod-28), BitShift-28 on signed types,
// the Bitwise ops, BitCast-26, CumProd-26 and string Equal. All expectations are hand-worked.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.h"

namespace ember::test {
namespace {

template <class T>
Tensor raw(DType dt, const Dims& s, const std::vector<T>& v) {
  Tensor t(dt, s);
  REQUIRE(int64_t(v.size()) == t.numel());
  std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}
template <class T>
std::vector<T> vals(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}
Tensor run1(const std::string& op, std::vector<Tensor> ins, std::vector<ir::Attribute> attrs = {}, int opset = 28) {
  return run_op({op, std::move(ins), std::move(attrs), 1, opset})[0];
}

TEST_CASE("uint16 / uint64 arithmetic wraps modulo 2^bits") {
  const Tensor a = raw<uint16_t>(DType::UInt16, {3}, {65535, 300, 1});
  const Tensor b = raw<uint16_t>(DType::UInt16, {3}, {2, 300, 2});
  CHECK(vals<uint16_t>(run1("Add", {a, b}, {}, 14)) == std::vector<uint16_t>{1, 600, 3});
  CHECK(vals<uint16_t>(run1("Sub", {a, b}, {}, 14)) == std::vector<uint16_t>{65533, 0, 65535});
  // 300 * 300 = 90000 = 65536 + 24464.
  CHECK(vals<uint16_t>(run1("Mul", {a, b}, {}, 14)) == std::vector<uint16_t>{65534, 24464, 2});
  CHECK(vals<uint16_t>(run1("Div", {a, b}, {}, 14)) == std::vector<uint16_t>{32767, 1, 0});
  const uint64_t max = std::numeric_limits<uint64_t>::max(), big = uint64_t(1) << 63;
  const Tensor c = raw<uint64_t>(DType::UInt64, {3}, {max, uint64_t(1) << 32, big + 1});
  const Tensor d = raw<uint64_t>(DType::UInt64, {3}, {2, uint64_t(1) << 32, 2});
  CHECK(vals<uint64_t>(run1("Add", {c, d}, {}, 14)) == std::vector<uint64_t>{1, uint64_t(1) << 33, big + 3});
  CHECK(vals<uint64_t>(run1("Mul", {c, d}, {}, 14)) == std::vector<uint64_t>{max - 1, 0, 2});
  // Exact 64-bit quotients (a double-based path would lose the low bits).
  CHECK(vals<uint64_t>(run1("Div", {c, d}, {}, 14)) == std::vector<uint64_t>{max / 2, 1, (big + 1) / 2});
  CHECK_THROWS_AS(run1("Div", {a, raw<uint16_t>(DType::UInt16, {3}, {1, 0, 1})}, {}, 14), Error);
}

TEST_CASE("Mod: fmod=0 takes the divisor's sign, fmod=1 the dividend's") {
  const Tensor a = make_tensor(DType::Int32, {5}, {-7, 7, -7, 7, 0});
  const Tensor b = make_tensor(DType::Int32, {5}, {3, 3, -3, -3, -3});
  // floor mod: -7 = -3*3 + 2; 7 = 2*3 + 1; -7 = 2*(-3) - 1; 7 = -3*(-3) - 2.
  check_close(run1("Mod", {a, b}, {}, 13), make_tensor(DType::Int32, {5}, {2, 1, -1, -2, 0}), Tier::Exact);
  check_close(run1("Mod", {a, b}, {attr_int("fmod", 1)}, 13), make_tensor(DType::Int32, {5}, {-1, 1, -1, 1, 0}),
              Tier::Exact);
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor x = make_tensor(DType::Float32, {7}, {-7.5, 7.5, -0.0, 0.0, 5, -5, 5});
  const Tensor y = make_tensor(DType::Float32, {7}, {2, -2, 3, -3, inf, inf, -inf});
  const Tensor r = run1("Mod", {x, y}, {attr_int("fmod", 0)});
  // -7.5 - floor(-3.75)*2 = 0.5; 7.5 - floor(-3.75)*(-2) = -0.5; zeros take y's sign;
  // Mod-28: y = +-inf, x finite: x when the signs agree, else y.
  const std::vector<float> got = vals<float>(r);
  CHECK(got[0] == 0.5f);
  CHECK(got[1] == -0.5f);
  CHECK((got[2] == 0.0f && !std::signbit(got[2])));
  CHECK((got[3] == 0.0f && std::signbit(got[3])));
  CHECK(got[4] == 5.0f);
  CHECK(got[5] == float(inf));
  CHECK(got[6] == -float(inf));
  CHECK_THROWS_AS(run1("Mod", {a, b}, {attr_int("fmod", 2)}, 13), Error);
}

TEST_CASE("BitShift-28 on signed types") {
  const Tensor x = make_tensor(DType::Int8, {6}, {-16, -1, 16, -16, 16, 64});
  const Tensor s = make_tensor(DType::Int8, {6}, {2, 10, 8, -1, -1, 1});
  // RIGHT is arithmetic: -16 >> 2 = -4. Shift >= 8 or < 0: -1 for a negative x, else 0.
  CHECK(vals<int8_t>(run1("BitShift", {x, s}, {attr_string("direction", "RIGHT")})) ==
        std::vector<int8_t>{-4, -1, 0, -1, 0, 32});
  // LEFT: -16 << 2 = -64; out-of-range amounts give 0; 64 << 1 moves into the sign bit: -128.
  CHECK(vals<int8_t>(run1("BitShift", {x, s}, {attr_string("direction", "LEFT")})) ==
        std::vector<int8_t>{-64, 0, 0, 0, 0, -128});
  // Unsigned still works, and signed types are refused before opset 28.
  const Tensor u = make_tensor(DType::UInt8, {2}, {1, 255});
  CHECK(vals<uint8_t>(run1("BitShift", {u, make_tensor(DType::UInt8, {2}, {7, 9})},
                           {attr_string("direction", "LEFT")}, 11)) == std::vector<uint8_t>{128, 0});
  CHECK_THROWS_AS(run1("BitShift", {x, s}, {attr_string("direction", "RIGHT")}, 11), Error);
  CHECK_THROWS_AS(run1("BitShift", {x, s}, {attr_string("direction", "UP")}), Error);
}

TEST_CASE("Bitwise And/Or/Xor/Not") {
  const Tensor a = raw<int16_t>(DType::Int16, {2}, {0x0F0F, -1});
  const Tensor b = raw<int16_t>(DType::Int16, {2}, {0x00FF, 0x1234});
  CHECK(vals<int16_t>(run1("BitwiseAnd", {a, b}, {}, 18)) == std::vector<int16_t>{0x000F, 0x1234});
  CHECK(vals<int16_t>(run1("BitwiseOr", {a, b}, {}, 18)) == std::vector<int16_t>{0x0FFF, -1});
  CHECK(vals<int16_t>(run1("BitwiseXor", {a, b}, {}, 18)) == std::vector<int16_t>{0x0FF0, int16_t(~0x1234)});
  CHECK(vals<int8_t>(run1("BitwiseNot", {make_tensor(DType::Int8, {2}, {5, -128})}, {}, 18)) ==
        std::vector<int8_t>{-6, 127});
  CHECK(vals<uint8_t>(run1("BitwiseNot", {make_tensor(DType::UInt8, {2}, {0, 0xF0})}, {}, 18)) ==
        std::vector<uint8_t>{255, 0x0F});
  CHECK_THROWS_AS(run1("BitwiseAnd", {make_tensor(DType::Float32, {1}, {1}), make_tensor(DType::Float32, {1}, {1})}, {}, 18),
                  Error);
}

TEST_CASE("BitCast-26 reinterprets bits of the same width") {
  // 1.0f = 0x3F800000 = 1065353216; -2.0f = 0xC0000000 -> as int32 -1073741824.
  const Tensor f = make_tensor(DType::Float32, {2}, {1.0, -2.0});
  CHECK(vals<int32_t>(run1("BitCast", {f}, {attr_int("to", int64_t(DType::Int32))}, 26)) ==
        std::vector<int32_t>{1065353216, -1073741824});
  CHECK(vals<uint8_t>(run1("BitCast", {make_tensor(DType::Int8, {2}, {-1, -128})}, {attr_int("to", int64_t(DType::UInt8))},
                           26)) == std::vector<uint8_t>{255, 128});
  CHECK_THROWS_AS(run1("BitCast", {f}, {attr_int("to", int64_t(DType::Int16))}, 26), Error);  // widths differ
  CHECK_THROWS_AS(run1("BitCast", {make_tensor(DType::UInt8, {1}, {2})}, {attr_int("to", int64_t(DType::Bool))}, 26),
                  Error);  // 2 is not a bool
}

TEST_CASE("CumProd-26: exclusive, reverse, integer wrap") {
  const Tensor x = make_tensor(DType::Float32, {4}, {1, 2, 3, 4});
  const Tensor axis = make_tensor(DType::Int64, {}, {0});
  auto cp = [&](const Tensor& in, int64_t exclusive, int64_t reverse) {
    return run1("CumProd", {in, axis}, {attr_int("exclusive", exclusive), attr_int("reverse", reverse)}, 26);
  };
  check_close(cp(x, 0, 0), make_tensor(DType::Float32, {4}, {1, 2, 6, 24}), Tier::Exact);
  check_close(cp(x, 1, 0), make_tensor(DType::Float32, {4}, {1, 1, 2, 6}), Tier::Exact);
  check_close(cp(x, 0, 1), make_tensor(DType::Float32, {4}, {24, 24, 12, 4}), Tier::Exact);
  check_close(cp(x, 1, 1), make_tensor(DType::Float32, {4}, {24, 12, 4, 1}), Tier::Exact);
  // int32: 65536 * 65536 = 2^32 wraps to 0.
  check_close(cp(make_tensor(DType::Int32, {2}, {65536, 65536}), 0, 0), make_tensor(DType::Int32, {2}, {65536, 0}),
              Tier::Exact);
  // Axis along dimension 1 of a [2, 3] tensor.
  const Tensor m = make_tensor(DType::Int64, {2, 3}, {1, 2, 3, -1, 5, 2});
  check_close(run1("CumProd", {m, make_tensor(DType::Int64, {}, {-1})}, {}, 26),
              make_tensor(DType::Int64, {2, 3}, {1, 2, 6, -1, -5, -10}), Tier::Exact);
  CHECK_THROWS_AS(run1("CumProd", {m, make_tensor(DType::Int64, {}, {2})}, {}, 26), Error);
}

TEST_CASE("Equal on strings") {
  Tensor a(DType::String, {3}), b(DType::String, {1});
  const std::string av[3] = {"abc", "", "ab"};
  for (int i = 0; i < 3; ++i) a.data<std::string>()[i] = av[i];
  b.data<std::string>()[0] = "ab";
  const Tensor r = run1("Equal", {a, b}, {}, 19);
  REQUIRE(r.dtype() == DType::Bool);
  CHECK(vals<bool>(r) == std::vector<bool>{false, false, true});
  CHECK_THROWS_AS(run1("Equal", {a, make_tensor(DType::Int32, {1}, {1})}, {}, 19), Error);  // string vs int
}

}  // namespace
}  // namespace ember::test
