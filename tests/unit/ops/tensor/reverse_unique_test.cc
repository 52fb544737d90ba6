// ReverseSequence and Unique (values from the ONNX operator documentation plus a reference).
#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.reverse_sequence: time-major and batch-major") {
  const Tensor x = random_tensor(DType::Float32, {4, 3, 2});  // time_axis 0, batch_axis 1
  const std::vector<int64_t> lens = {4, 0, 2};
  const Tensor want = remap(x, x.shape(), [&](const Dims& o) {
    const int64_t l = lens[size_t(o[1])];
    return Dims{o[0] < l ? l - 1 - o[0] : o[0], o[1], o[2]};
  });
  check_equal(run_op(op("ReverseSequence", {x, i64v(lens)}))[0], want);
  const Tensor xb = random_tensor(DType::String, {3, 5});  // batch_axis 0, time_axis 1
  const Tensor wantb = remap(xb, xb.shape(), [&](const Dims& o) {
    const int64_t l = lens[size_t(o[0])] + 1;
    return Dims{o[0], o[1] < l ? l - 1 - o[1] : o[1]};
  });
  check_equal(run_op(op("ReverseSequence", {xb, i64v({5, 1, 3})}, {attr_int("batch_axis", 0), attr_int("time_axis", 1)}))[0],
              wantb);
  check_error([&] { run_op(op("ReverseSequence", {x, i64v({5, 0, 0})})); }, Status::InvalidArgument, "out of range");
}

TEST_CASE("tensor.unique: sorted and unsorted, flattened and along an axis") {
  const Tensor x = f32({6}, {2, 1, 1, 3, 4, 3});
  auto y = run_op(op("Unique", {x}, {attr_int("sorted", 0)}, 4, 11));
  check_equal(y[0], f32({4}, {2, 1, 3, 4}));
  check_equal(y[1], i64v({0, 1, 3, 4}));
  check_equal(y[2], i64v({0, 1, 1, 2, 3, 2}));
  check_equal(y[3], i64v({1, 2, 2, 1}));
  y = run_op(op("Unique", {x}, {}, 4, 11));
  check_equal(y[0], f32({4}, {1, 2, 3, 4}));
  check_equal(y[1], i64v({1, 0, 3, 4}));
  check_equal(y[2], i64v({1, 0, 0, 2, 3, 2}));
  check_equal(y[3], i64v({2, 1, 2, 1}));
  const Tensor m = f32({3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 4});  // ONNX doc: unique rows
  y = run_op(op("Unique", {m}, {attr_int("axis", 0)}, 4, 11));
  check_equal(y[0], f32({2, 3}, {1, 0, 0, 2, 3, 4}));
  check_equal(y[1], i64v({0, 2}));
  check_equal(y[2], i64v({0, 0, 1}));
  check_equal(y[3], i64v({2, 1}));
  const Tensor c = f32({2, 4}, {1, 1, 0, 1, 2, 2, 3, 2});  // unique columns
  y = run_op(op("Unique", {c}, {attr_int("axis", -1)}, 4, 11));
  check_equal(y[0], f32({2, 2}, {0, 1, 3, 2}));
  check_equal(y[2], i64v({1, 1, 0, 1}));
}
