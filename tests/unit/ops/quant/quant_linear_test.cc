// QuantizeLinear / DequantizeLinear on small hand-worked cases (per-tensor, per-axis, blocked,
// narrow targets) and their error paths. Expected values are computed by hand in the comments.
#include <doctest/doctest.h>

#include "ir/narrow_types.h"
#include "test_util.h"

namespace ember::test {
namespace {

Tensor narrow(DType t, const Dims& shape, const std::vector<uint8_t>& codes) {
  Tensor x(t, shape);
  REQUIRE(int64_t(codes.size()) == x.numel());
  std::copy(codes.begin(), codes.end(), static_cast<uint8_t*>(x.raw()));
  return x;
}

std::vector<uint8_t> codes_of(const Tensor& t) {
  const uint8_t* p = static_cast<const uint8_t*>(t.raw());
  return std::vector<uint8_t>(p, p + t.numel());
}

Tensor q(std::vector<Tensor> ins, std::vector<ir::Attribute> attrs = {}, int opset = 21) {
  return run_op({"QuantizeLinear", std::move(ins), std::move(attrs), 1, opset})[0];
}
Tensor dq(std::vector<Tensor> ins, std::vector<ir::Attribute> attrs = {}, int opset = 21) {
  return run_op({"DequantizeLinear", std::move(ins), std::move(attrs), 1, opset})[0];
}

Tensor f32(const Dims& s, const std::vector<double>& v) { return make_tensor(DType::Float32, s, v); }

TEST_CASE("QuantizeLinear per-tensor uint8: ties to even, saturation") {
  // x / 0.5 = [0, 2, 5, 7, -2, 2000, 0.5, 1.5, -0.5]; rint (ties to even) = [0, 2, 5, 7, -2,
  // 2000, 0, 2, -0]; + 10, clamped to [0, 255].
  const Tensor x = f32({9}, {0, 1, 2.5, 3.5, -1, 1000, 0.25, 0.75, -0.25});
  const Tensor y = q({x, f32({}, {0.5}), make_tensor(DType::UInt8, {}, {10})});
  check_close(y, make_tensor(DType::UInt8, {9}, {10, 12, 15, 17, 8, 255, 10, 12, 10}), Tier::Exact);
  // No zero point: uint8 with zero point 0; negatives clamp to 0. Opset 10 (no saturate attr).
  const Tensor y2 = q({f32({3}, {-3, 2.5, 300}), f32({}, {1})}, {}, 10);
  check_close(y2, make_tensor(DType::UInt8, {3}, {0, 2, 255}), Tier::Exact);
  // int8 saturates at -128 / 127.
  const Tensor y3 = q({f32({2}, {-1000, 1000}), f32({}, {1}), make_tensor(DType::Int8, {}, {0})});
  check_close(y3, make_tensor(DType::Int8, {2}, {-128, 127}), Tier::Exact);
}

TEST_CASE("QuantizeLinear per-axis and blocked") {
  // Per-axis, axis 1, scale [1, 2, 4], zero point [0, 1, 2]:
  // x / s = [[4, 2, 1], [-8, 3, -0.75]] -> rint [[4, 2, 1], [-8, 3, -1]] -> + zp.
  const Tensor x = f32({2, 3}, {4, 4, 4, -8, 6, -3});
  const Tensor y = q({x, f32({3}, {1, 2, 4}), make_tensor(DType::Int8, {3}, {0, 1, 2})}, {attr_int("axis", 1)});
  check_close(y, make_tensor(DType::Int8, {2, 3}, {4, 3, 3, -8, 4, 1}), Tier::Exact);
  // Blocked, axis 1, block 2, scale [[1, 2], [4, 8]]: x / s = [[1, 2, 1.5, 2], [2, 3, 2, 3]].
  const Tensor xb = f32({2, 4}, {1, 2, 3, 4, 8, 12, 16, 24});
  const Tensor yb = q({xb, f32({2, 2}, {1, 2, 4, 8})}, {attr_int("axis", 1), attr_int("block_size", 2)});
  check_close(yb, make_tensor(DType::UInt8, {2, 4}, {1, 2, 2, 2, 2, 3, 2, 3}), Tier::Exact);
  // A block size that does not divide the axis: the spec sizes the scale ceil(5 / 2) = 3 and
  // the last block is partial. x / s = [2, 4, 3, 6, 10] with s = [1, 1, 2, 2, 0.5].
  const Tensor xp = f32({1, 5}, {2, 4, 6, 12, 5});
  const Tensor yp = q({xp, f32({1, 3}, {1, 2, 0.5})}, {attr_int("axis", 1), attr_int("block_size", 2)});
  check_close(yp, make_tensor(DType::UInt8, {1, 5}, {2, 4, 3, 6, 10}), Tier::Exact);
}

TEST_CASE("QuantizeLinear to int4 and float8") {
  // int4 range [-8, 7]: 7.6 -> 8 -> 7; -9 -> -8; 2.5 -> 2 (even); -2.5 -> -2.
  const Tensor y = q({f32({4}, {7.6, -9, 2.5, -2.5}), f32({}, {1}), narrow(DType::Int4, {}, {0})});
  CHECK(y.dtype() == DType::Int4);
  const std::vector<uint8_t> want = {7, uint8_t(int8_t(-8)), 2, uint8_t(int8_t(-2))};
  CHECK(codes_of(y) == want);
  // uint4 with zero point 3: 1.2 -> 1 + 3 = 4; 20 -> 15.
  const Tensor yu = q({f32({2}, {1.2, 20}), f32({}, {1}), narrow(DType::UInt4, {}, {3})});
  CHECK(codes_of(yu) == std::vector<uint8_t>{4, 15});
  // float8e4m3fn: 1000 saturates to 448 (0x7E) or becomes NaN (0x7F) with saturate=0;
  // 2.125 / 2 = 1.0625 is a tie between 1.0 (0x38) and 1.125 -> 0x38.
  const Tensor x8 = f32({2}, {1000, 2.125});
  const Tensor z8 = narrow(DType::Float8E4M3FN, {}, {0});
  CHECK(codes_of(q({x8, f32({}, {2}), z8})) == std::vector<uint8_t>{0x7E, 0x38});
  CHECK(codes_of(q({x8, f32({}, {2}), z8}, {attr_int("saturate", 0)})) == std::vector<uint8_t>{0x7F, 0x38});
}

TEST_CASE("QuantizeLinear error paths") {
  const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  SUBCASE("zero scale") { CHECK_THROWS_AS(q({x, f32({}, {0})}), Error); }
  SUBCASE("zero scale in a per-axis scale") { CHECK_THROWS_AS(q({x, f32({3}, {1, 0, 1})}), Error); }
  SUBCASE("per-axis scale of the wrong length") { CHECK_THROWS_AS(q({x, f32({2}, {1, 1})}), Error); }
  SUBCASE("zero point shape differs from the scale's") {
    CHECK_THROWS_AS(q({x, f32({3}, {1, 1, 1}), make_tensor(DType::UInt8, {2}, {0, 0})}), Error);
    CHECK_THROWS_AS(q({x, f32({}, {1}), make_tensor(DType::UInt8, {3}, {0, 0, 0})}), Error);
  }
  SUBCASE("blocked scale whose blocked dim is not ceil(dim / block)") {
    const Tensor xp = f32({1, 5}, {1, 2, 3, 4, 5});
    CHECK_THROWS_AS(q({xp, f32({1, 2}, {1, 1})}, {attr_int("axis", 1), attr_int("block_size", 2)}), Error);
    CHECK_THROWS_AS(q({xp, f32({1, 3}, {1, 1, 1})}, {attr_int("axis", 1), attr_int("block_size", -1)}), Error);
  }
  SUBCASE("axis out of range") { CHECK_THROWS_AS(q({x, f32({3}, {1, 1, 1})}, {attr_int("axis", 2)}), Error); }
  SUBCASE("precision other than x's type") {
    CHECK_THROWS_AS(q({x, f32({}, {1})}, {attr_int("precision", int64_t(DType::Float16))}, 23), Error);
  }
}

TEST_CASE("DequantizeLinear per-tensor, per-axis, blocked, narrow") {
  // (x - 10) * 0.5
  const Tensor y = dq({make_tensor(DType::UInt8, {3}, {0, 10, 255}), f32({}, {0.5}), make_tensor(DType::UInt8, {}, {10})});
  check_close(y, f32({3}, {-5, 0, 122.5}), Tier::Exact);
  // axis 0, scale [1, 0.25], zero point [1, -2]: [[3-1, -1-1] * 1, [2+2, 6+2] * 0.25].
  const Tensor ya = dq({make_tensor(DType::Int8, {2, 2}, {3, -1, 2, 6}), f32({2}, {1, 0.25}),
                        make_tensor(DType::Int8, {2}, {1, -2})},
                       {attr_int("axis", 0)});
  check_close(ya, f32({2, 2}, {2, -2, 1, 2}), Tier::Exact);
  // Blocked along axis 1, block 2, scale [[2, 0.5]].
  const Tensor yb = dq({make_tensor(DType::UInt8, {1, 4}, {1, 2, 3, 4}), f32({1, 2}, {2, 0.5})},
                       {attr_int("axis", 1), attr_int("block_size", 2)});
  check_close(yb, f32({1, 4}, {2, 4, 1.5, 2}), Tier::Exact);
  // int4 -8 and 7 at scale 0.5; float8e4m3fn 0x7E (448) at scale 2.
  const Tensor y4 = dq({narrow(DType::Int4, {2}, {uint8_t(int8_t(-8)), 7}), f32({}, {0.5})});
  check_close(y4, f32({2}, {-4, 3.5}), Tier::Exact);
  const Tensor y8 = dq({narrow(DType::Float8E4M3FN, {1}, {0x7E}), f32({}, {2})});
  check_close(y8, f32({1}, {896}), Tier::Exact);
}

TEST_CASE("DequantizeLinear error paths") {
  const Tensor x = make_tensor(DType::UInt8, {2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK_THROWS_AS(dq({x, f32({}, {1}), make_tensor(DType::Int8, {}, {0})}), Error);  // zp type != x type
  CHECK_THROWS_AS(dq({x, f32({4}, {1, 1, 1, 1})}), Error);                            // per-axis length
  CHECK_THROWS_AS(dq({x, f32({3}, {1, 1, 1}), make_tensor(DType::UInt8, {2}, {0, 0})}), Error);
  CHECK_THROWS_AS(dq({x, f32({2, 1}, {1, 1})}, {attr_int("axis", 1), attr_int("block_size", 2)}), Error);
  CHECK_THROWS_AS(dq({make_tensor(DType::Float32, {2}, {1, 2}), f32({}, {1})}), Error);  // x not quantized
}

}  // namespace
}  // namespace ember::test
