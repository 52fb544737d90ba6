// Shape, Size, Constant, ConstantOfShape, EyeLike, Range.
#include <cmath>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.shape: plain and start/end window (opset 15)") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 5, 7});
  check_equal(run_op(op("Shape", {x}))[0], i64v({2, 3, 5, 7}));
  OpRun r = op("Shape", {x}, {attr_int("start", 1), attr_int("end", -1)});
  r.opset = 15;
  check_equal(run_op(r)[0], i64v({3, 5}));
  r.attrs = {attr_int("start", -10), attr_int("end", 100)};
  check_equal(run_op(r)[0], i64v({2, 3, 5, 7}));
  r.attrs = {attr_int("start", 3), attr_int("end", 1)};
  CHECK(run_op(r)[0].shape() == Dims{0});
  check_equal(run_op(op("Size", {x}))[0], i64({}, {210}));
}

TEST_CASE("tensor.constant: every attribute form; sparse is Unsupported") {
  const Tensor v = random_tensor(DType::Float32, {2, 3});
  check_equal(run_op(op("Constant", {}, {attr_tensor("value", v)}))[0], v);
  check_equal(run_op(op("Constant", {}, {attr_float("value_float", 2.5f)}))[0], f32({}, {2.5}));
  check_equal(run_op(op("Constant", {}, {attr_floats("value_floats", {1, 2})}))[0], f32({2}, {1, 2}));
  check_equal(run_op(op("Constant", {}, {attr_int("value_int", -4)}))[0], i64({}, {-4}));
  check_equal(run_op(op("Constant", {}, {attr_ints("value_ints", {5, 6, 7})}))[0], i64v({5, 6, 7}));
  const Tensor s = run_op(op("Constant", {}, {attr_string("value_string", "hi")}))[0];
  CHECK(s.dtype() == DType::String);
  CHECK(*s.data<std::string>() == "hi");
  ir::Attribute sp = attr_tensor("sparse_value", v);
  check_error([&] { run_op(op("Constant", {}, {sp})); }, Status::Unsupported, "sparse_value");
}

TEST_CASE("tensor.constant_of_shape: default zero, typed value, runtime and constant shapes") {
  for (bool constant : {false, true}) {
    OpRun r = op("ConstantOfShape", {i64v({2, 3})});
    if (constant) r.constant_inputs = {0};
    check_equal(run_op(r)[0], f32({2, 3}, std::vector<double>(6, 0.0)));
    r.attrs = {attr_tensor("value", i64({1}, {7}))};
    check_equal(run_op(r)[0], i64({2, 3}, std::vector<int64_t>(6, 7)));
  }
  check_equal(run_op(op("ConstantOfShape", {i64({0}, {})}))[0], f32({}, {0}));
  check_error([&] { run_op(op("ConstantOfShape", {i64v({2, -1})})); }, Status::InvalidArgument, "negative");
}

TEST_CASE("tensor.eye_like: k offsets and dtype attribute") {
  const Tensor x = random_tensor(DType::Float32, {3, 5});
  for (int64_t k : {-4, -1, 0, 2, 5}) {
    std::vector<double> want(15, 0);
    for (int64_t i = 0; i < 3; ++i)
      if (i + k >= 0 && i + k < 5) want[size_t(i * 5 + i + k)] = 1;
    check_equal(run_op(op("EyeLike", {x}, {attr_int("k", k)}))[0], f32({3, 5}, want));
  }
  const Tensor y = run_op(op("EyeLike", {x}, {attr_int("dtype", int64_t(DType::Int32))}))[0];
  check_equal(y, make_tensor(DType::Int32, {3, 5}, {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST_CASE("tensor.range: int and float, negative delta, empty, constant inputs") {
  auto scal = [](DType dt, double v) { return make_tensor(dt, {}, {v}); };
  for (bool constant : {false, true}) {
    OpRun r = op("Range", {scal(DType::Int64, 3), scal(DType::Int64, 17), scal(DType::Int64, 4)});
    if (constant) r.constant_inputs = {0, 1, 2};
    check_equal(run_op(r)[0], i64v({3, 7, 11, 15}));
    r.inputs = {scal(DType::Float32, 1), scal(DType::Float32, -1), scal(DType::Float32, -0.5)};
    check_equal(run_op(r)[0], f32({4}, {1, 0.5, 0, -0.5}));
    r.inputs = {scal(DType::Int32, 5), scal(DType::Int32, 5), scal(DType::Int32, 1)};
    CHECK(run_op(r)[0].shape() == Dims{0});
  }
  check_error([&] { run_op(op("Range", {scal(DType::Int64, 0), scal(DType::Int64, 3), scal(DType::Int64, 0)})); },
              Status::InvalidArgument, "delta cannot be 0");
}
