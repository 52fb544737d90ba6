// Every element type through the pure data-movement ops: the kernels move bits by element
// size, so each size class (1, 2, 4, 8 bytes, string) must come out bit-identical.
#include <algorithm>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.dtypes: movement ops are exact for every element type") {
  const DType all[] = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int8,
                       DType::UInt8,   DType::Int16,   DType::UInt16,   DType::Int32,   DType::UInt32,
                       DType::Int64,   DType::UInt64,  DType::Bool,     DType::String};
  for (DType dt : all) {
    CAPTURE(dtype_name(dt));
    const Tensor x = iota(dt, {3, 1, 5});
    const Tensor t = run_op(op("Transpose", {x}, {attr_ints("perm", {2, 1, 0})}))[0];
    check_equal(t, remap(x, {5, 1, 3}, [](const Dims& o) { return Dims{o[2], o[1], o[0]}; }));
    check_equal(run_op(op("Slice", {x, i64v({4}), i64v({-100}), i64v({2}), i64v({-2})}))[0],
                remap(x, {3, 1, 3}, [](const Dims& o) { return Dims{o[0], 0, 4 - 2 * o[2]}; }));
    check_equal(run_op(op("Gather", {x, i64v({2, 0})}, {attr_int("axis", 0)}))[0],
                remap(x, {2, 1, 5}, [](const Dims& o) { return Dims{o[0] == 0 ? 2 : 0, 0, o[2]}; }));
    check_equal(run_op(op("Expand", {x, i64v({2, 3, 4, 1})}))[0],
                remap(x, {2, 3, 4, 5}, [](const Dims& o) { return Dims{o[1], 0, o[3]}; }));
    check_equal(run_op(op("Tile", {x, i64v({1, 2, 1})}))[0], remap(x, {3, 2, 5}, [](const Dims& o) { return Dims{o[0], 0, o[2]}; }));
    check_equal(run_op(op("Concat", {x, x}, {attr_int("axis", 1)}))[0],
                remap(x, {3, 2, 5}, [](const Dims& o) { return Dims{o[0], 0, o[2]}; }));
    auto parts = run_op(op("Split", {x, i64v({1, 4})}, {attr_int("axis", 2)}, 2, 13));
    check_equal(parts[1], remap(x, {3, 1, 4}, [](const Dims& o) { return Dims{o[0], 0, o[2] + 1}; }));
    check_equal(run_op(op("Pad", {x, i64v({0, 0, 1, 0, 0, 1}), Tensor()}, {attr_string("mode", "edge")}))[0],
                remap(x, {3, 1, 7}, [](const Dims& o) { return Dims{o[0], 0, std::clamp<int64_t>(o[2] - 1, 0, 4)}; }));
  }
}

TEST_CASE("tensor.dtypes: linear Resize in float16 and float64") {
  for (DType dt : {DType::Float16, DType::Float64}) {
    const Tensor x = make_tensor(dt, {1, 1, 2, 2}, {1, 2, 3, 4});
    OpRun r = op("Resize", {x, Tensor(), make_tensor(DType::Float32, {4}, {1, 1, 2, 2})}, {attr_string("mode", "linear")}, 1, 13);
    check_close(run_op(r)[0],
                make_tensor(dt, {1, 1, 4, 4}, {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}),
                Tier::Exact);
  }
}
