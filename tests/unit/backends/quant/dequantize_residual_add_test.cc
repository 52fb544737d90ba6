// Native ai.ember DequantizeResidualAdd (src/backends/cpu/quant/dequantize_residual_add.cc)
// against its reference kernel (src/ops/quant/dequantize_residual_add.cc), exactly: both do the
// same float operations in the same order. Odd plane sizes (blocks of 1024 and their tails),
// uint8 and int8 in and out, Mul / Add present or absent, one or C values, Relu on and off,
// with and without the quantized output, 1 and 2 threads. Whether the op equals the unfused
// ONNX chain is tests/unit/opt/fuse_dequantize_residual_add_test.cc's question.
#include <doctest/doctest.h>

#include "backends/gemm_conv/native_check.h"

namespace ember::test {
namespace {

Tensor scalar(DType t, double v) { return make_tensor(t, {}, {v}); }

}  // namespace

TEST_CASE("native ai.ember DequantizeResidualAdd vs the reference: shapes, types, optional inputs") {
  struct Case { Dims x; DType xt, yt; bool mul, shift, one_value, relu, quantized; };
  const Case cases[] = {
      {{1, 1}, DType::UInt8, DType::UInt8, false, false, false, false, true},
      {{2, 3, 7, 9}, DType::UInt8, DType::UInt8, true, true, false, true, true},
      {{1, 5, 33, 37}, DType::UInt8, DType::Int8, true, false, false, true, true},   // 1221: a block and a tail
      {{3, 4, 17}, DType::Int8, DType::UInt8, false, true, true, false, true},
      {{1, 2, 45, 47}, DType::Int8, DType::Int8, true, true, true, true, false},     // float output only
      {{2, 64, 3, 3}, DType::UInt8, DType::UInt8, true, true, false, false, true},
  };
  for (const Case& c : cases) {
    const int64_t C = c.x[1];
    const Dims per = c.one_value ? Dims{1} : Dims{C};
    const bool u8 = c.xt == DType::UInt8;
    std::vector<Tensor> in = {random_tensor(c.xt, c.x, u8 ? 0 : -128, u8 ? 255 : 127), scalar(DType::Float32, 0.02),
                              scalar(c.xt, u8 ? 121 : -7),
                              c.mul ? random_tensor(DType::Float32, per, 0.5, 2.0) : Tensor(),
                              c.shift ? random_tensor(DType::Float32, per, -1.0, 1.0) : Tensor(),
                              random_tensor(DType::Float32, c.x, -2.0, 2.0)};
    if (c.quantized) {
      in.push_back(scalar(DType::Float32, 0.017));  // saturates part of the values at both ends
      in.push_back(scalar(c.yt, c.yt == DType::UInt8 ? 100 : 3));
    }
    for (int threads : {1, 2}) {
      CAPTURE(dims_str(c.x));
      CAPTURE(threads);
      NativeCase n{"DequantizeResidualAdd", "ai.ember", 1, in, {attr_int("relu", c.relu)}, {1, 2, 3, 4},
                   c.quantized ? size_t(2) : size_t(1)};
      CHECK(check_native(n, threads, 1, Tier::Exact) == "dequantize_residual_add");
    }
  }
}

TEST_CASE("ai.ember DequantizeResidualAdd: bad inputs are errors naming them") {
  const Tensor x = random_tensor(DType::UInt8, {1, 3, 4, 4}, 0, 255);
  const Tensor r = random_tensor(DType::Float32, {1, 3, 4, 4});
  SUBCASE("R of another shape") {
    NativeCase n{"DequantizeResidualAdd", "ai.ember", 1,
                 {x, scalar(DType::Float32, 0.1), Tensor(), Tensor(), Tensor(), random_tensor(DType::Float32, {1, 3, 4, 1})},
                 {}, {1}};
    CHECK_THROWS_WITH(check_native(n, 1, 1, Tier::Exact), doctest::Contains("R must be float32 of X's shape"));
  }
  SUBCASE("mul with neither 1 nor C values") {
    NativeCase n{"DequantizeResidualAdd", "ai.ember", 1,
                 {x, scalar(DType::Float32, 0.1), Tensor(), random_tensor(DType::Float32, {2}), Tensor(), r}, {}, {1, 3}};
    CHECK_THROWS_WITH(check_native(n, 1, 1, Tier::Exact), doctest::Contains("mul must have 1 or 3 elements"));
  }
  SUBCASE("a zero y_scale") {
    NativeCase n{"DequantizeResidualAdd", "ai.ember", 1,
                 {x, scalar(DType::Float32, 0.1), Tensor(), Tensor(), Tensor(), r, scalar(DType::Float32, 0.0)},
                 {}, {1}, 2};
    CHECK_THROWS_WITH(check_native(n, 1, 1, Tier::Exact), doctest::Contains("y_scale must be finite and non-zero"));
  }
}

}  // namespace ember::test
