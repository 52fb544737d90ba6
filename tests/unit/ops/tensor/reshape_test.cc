// Reshape, Flatten, Squeeze, Unsqueeze: data must come out unchanged, dims as ONNX says,
// both with constant shape inputs (static inference) and runtime ones.
#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.reshape: 0 and -1 semantics, constant and runtime shape") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 7});
  for (bool constant : {false, true}) {
    OpRun r = op("Reshape", {x, i64v({0, -1})});
    if (constant) r.constant_inputs = {1};
    const Tensor y = run_op(r)[0];
    check_equal(y, x.reshaped({2, 21}));
    r.inputs[1] = i64v({7, 0, 2});  // 0 copies input dim 1 (=3)
    check_equal(run_op(r)[0], x.reshaped({7, 3, 2}));
  }
}

TEST_CASE("tensor.reshape: allowzero keeps literal zeros") {
  const Tensor x = random_tensor(DType::Int32, {0, 3}, -5, 5);
  OpRun r = op("Reshape", {x, i64v({3, 0})}, {attr_int("allowzero", 1)});
  r.opset = 14;
  CHECK(run_op(r)[0].shape() == Dims{3, 0});
}

TEST_CASE("tensor.reshape: string and bool data move unchanged") {
  for (DType dt : {DType::String, DType::Bool, DType::Float16, DType::Int8}) {
    const Tensor x = random_tensor(dt, {3, 5}, 0, 100);
    check_equal(run_op(op("Reshape", {x, i64v({5, 3})}))[0], x.reshaped({5, 3}));
  }
}

TEST_CASE("tensor.reshape: bad shape is a ShapeMismatch naming both shapes") {
  const Tensor x = random_tensor(DType::Float32, {2, 3});
  for (bool constant : {false, true}) {
    OpRun r = op("Reshape", {x, i64v({4, -1})});
    if (constant) r.constant_inputs = {1};
    check_error([&] { run_op(r); }, Status::ShapeMismatch, "[2, 3]");
    check_error([&] { run_op(r); }, Status::ShapeMismatch, "[4, -1]");
  }
  check_error([&] { run_op(op("Reshape", {x, i64v({-1, -1})})); }, Status::InvalidModel, "more than one -1");
}

TEST_CASE("tensor.flatten: every axis incl. negative and 0") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 4, 5});
  const std::vector<std::pair<int64_t, Dims>> cases = {
      {0, {1, 120}}, {1, {2, 60}}, {2, {6, 20}}, {4, {120, 1}}, {-1, {24, 5}}, {-4, {1, 120}}};
  for (const auto& [axis, want] : cases)
    check_equal(run_op(op("Flatten", {x}, {attr_int("axis", axis)}))[0], x.reshaped(want));
  check_error([&] { run_op(op("Flatten", {x}, {attr_int("axis", 5)})); }, Status::InvalidModel, "axis 5");
}

TEST_CASE("tensor.squeeze: attribute form (opset 11) and input form (opset 13)") {
  const Tensor x = random_tensor(DType::Float32, {1, 3, 1, 5});
  OpRun a = op("Squeeze", {x}, {attr_ints("axes", {0, -2})});
  a.opset = 11;
  check_equal(run_op(a)[0], x.reshaped({3, 5}));
  OpRun b = op("Squeeze", {x, i64v({-2})});
  b.opset = 13;
  check_equal(run_op(b)[0], x.reshaped({1, 3, 5}));
  b.constant_inputs = {1};
  check_equal(run_op(b)[0], x.reshaped({1, 3, 5}));
  OpRun all = op("Squeeze", {x});  // no axes: all size-1 dims
  check_equal(run_op(all)[0], x.reshaped({3, 5}));
  OpRun bad = op("Squeeze", {x, i64v({1})});
  check_error([&] { run_op(bad); }, Status::ShapeMismatch, "cannot squeeze axis 1");
}

TEST_CASE("tensor.unsqueeze: attribute form (opset 11) and input form (opset 13)") {
  const Tensor x = random_tensor(DType::Int64, {3, 4}, -9, 9);
  OpRun a = op("Unsqueeze", {x}, {attr_ints("axes", {0, -1})});
  a.opset = 11;
  check_equal(run_op(a)[0], x.reshaped({1, 3, 4, 1}));
  OpRun b = op("Unsqueeze", {x, i64v({1, 3})});
  b.opset = 13;
  check_equal(run_op(b)[0], x.reshaped({3, 1, 4, 1}));
  b.constant_inputs = {1};
  check_equal(run_op(b)[0], x.reshaped({3, 1, 4, 1}));
  OpRun dup = op("Unsqueeze", {x, i64v({1, 1})});
  check_error([&] { run_op(dup); }, Status::InvalidModel, "repeated axis");
}
