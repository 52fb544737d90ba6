// Concat, Split and Slice against index-arithmetic references, incl. opset variants.
#include <algorithm>
#include <limits>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

namespace {

// Element i of `src` copied into element j of `dst` (any dtype).
void put(Tensor& dst, int64_t j, const Tensor& src, int64_t i) {
  if (src.dtype() == DType::String) dst.data<std::string>()[j] = src.data<std::string>()[i];
  else std::memcpy(static_cast<char*>(dst.raw()) + j * dtype_size(src.dtype()),
                   static_cast<const char*>(src.raw()) + i * dtype_size(src.dtype()), dtype_size(src.dtype()));
}

Tensor naive_concat(const std::vector<Tensor>& xs, size_t axis) {
  Dims shape = xs[0].shape();
  shape[axis] = 0;
  for (const Tensor& x : xs) shape[axis] += x.dim(axis);
  Tensor out(xs[0].dtype(), shape);
  for (int64_t i = 0; i < out.numel(); ++i) {
    Dims o = unravel(i, shape);
    size_t k = 0;
    while (o[axis] >= xs[k].dim(axis)) o[axis] -= xs[k++].dim(axis);
    put(out, i, xs[k], ravel(o, xs[k].shape()));
  }
  return out;
}

// Reference slice: per-axis index lists (already clamped by hand in the tests).
Tensor naive_slice(const Tensor& x, const std::vector<std::vector<int64_t>>& picks) {
  Dims shape;
  for (const auto& p : picks) shape.push_back(int64_t(p.size()));
  return remap(x, shape, [&](const Dims& o) {
    Dims s(o.size());
    for (size_t d = 0; d < o.size(); ++d) s[d] = picks[d][size_t(o[d])];
    return s;
  });
}

std::vector<int64_t> range(int64_t a, int64_t b, int64_t step = 1) {
  std::vector<int64_t> v;
  for (int64_t i = a; step > 0 ? i < b : i > b; i += step) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("tensor.concat: every axis, negative axis, empty input, strings") {
  for (DType dt : {DType::Float32, DType::String, DType::UInt8, DType::Float64}) {
    const Tensor a = random_tensor(dt, {2, 3, 4}, 0, 9), b = random_tensor(dt, {2, 1, 4}, 0, 9),
                 e = random_tensor(dt, {2, 0, 4}, 0, 9);
    check_equal(run_op(op("Concat", {a, e, b}, {attr_int("axis", -2)}))[0], naive_concat({a, e, b}, 1));
    const Tensor c = random_tensor(dt, {2, 3, 7}, 0, 9);
    check_equal(run_op(op("Concat", {a, c, a}, {attr_int("axis", 2)}))[0], naive_concat({a, c, a}, 2));
    check_equal(run_op(op("Concat", {a, a}, {attr_int("axis", 0)}))[0], naive_concat({a, a}, 0));
  }
  const Tensor a = random_tensor(DType::Float32, {2, 3}), b = random_tensor(DType::Float32, {3, 3});
  check_error([&] { run_op(op("Concat", {a, b}, {attr_int("axis", 1)})); }, Status::ShapeMismatch, "[3, 3]");
}

TEST_CASE("tensor.split: attribute (opset 11), input (opset 13), num_outputs (opset 18)") {
  const Tensor x = random_tensor(DType::Float32, {3, 7});
  auto cols = [&](int64_t a, int64_t b) { return naive_slice(x, {range(0, 3), range(a, b)}); };
  OpRun a = op("Split", {x}, {attr_int("axis", 1), attr_ints("split", {2, 5})}, 2);
  a.opset = 11;
  auto ya = run_op(a);
  check_equal(ya[0], cols(0, 2));
  check_equal(ya[1], cols(2, 7));
  for (bool constant : {false, true}) {
    OpRun b = op("Split", {x, i64v({1, 0, 6})}, {attr_int("axis", -1)}, 3);
    b.opset = 13;
    if (constant) b.constant_inputs = {1};
    auto yb = run_op(b);
    check_equal(yb[0], cols(0, 1));
    CHECK(yb[1].shape() == Dims{3, 0});
    check_equal(yb[2], cols(1, 7));
  }
  OpRun c = op("Split", {x}, {attr_int("axis", 1), attr_int("num_outputs", 3)}, 3);
  c.opset = 18;
  auto yc = run_op(c);  // ceil(7/3) = 3: sizes 3, 3, 1
  check_equal(yc[0], cols(0, 3));
  check_equal(yc[1], cols(3, 6));
  check_equal(yc[2], cols(6, 7));
  OpRun even = op("Split", {x}, {attr_int("axis", 0)}, 3);
  auto ye = run_op(even);
  check_equal(ye[2], naive_slice(x, {{2}, range(0, 7)}));
  OpRun bad = op("Split", {x}, {attr_int("axis", 1)}, 2);
  check_error([&] { run_op(bad); }, Status::ShapeMismatch, "split evenly");
}

TEST_CASE("tensor.slice: inputs form with negative steps, clamping and omitted axes") {
  const Tensor x = random_tensor(DType::Float32, {7, 17, 5});
  struct Case {
    std::vector<int64_t> starts, ends, axes, steps;
    std::vector<std::vector<int64_t>> picks;
  };
  const int64_t big = std::numeric_limits<int64_t>::max();
  const std::vector<Case> cases = {
      {{1, 2}, {5, -3}, {}, {}, {range(1, 5), range(2, 14), range(0, 5)}},
      {{-1}, {-big}, {1}, {-1}, {range(0, 7), range(16, -1, -1), range(0, 5)}},
      {{0, 100}, {big, -100}, {-1, 0}, {2, -3}, {range(6, -1, -3), range(0, 17), range(0, 5, 2)}},
      {{3}, {3}, {2}, {1}, {range(0, 7), range(0, 17), {}}},
      {{-100}, {100}, {1}, {5}, {range(0, 7), range(0, 17, 5), range(0, 5)}},
  };
  for (const Case& c : cases) {
    for (bool constant : {false, true}) {
      OpRun r = op("Slice", {x, i64v(c.starts), i64v(c.ends)});
      if (!c.axes.empty()) r.inputs.push_back(i64v(c.axes));
      if (!c.steps.empty()) {
        if (c.axes.empty()) r.inputs.push_back(Tensor());
        r.inputs.push_back(i64v(c.steps));
      }
      if (constant) r.constant_inputs = {1, 2, 3, 4};
      check_equal(run_op(r)[0], naive_slice(x, c.picks));
    }
  }
  check_error([&] { run_op(op("Slice", {x, i64v({0}), i64v({1}), i64v({0}), i64v({0})})); }, Status::InvalidModel,
              "step cannot be 0");
}

TEST_CASE("tensor.slice: attribute form (opset 9) and strings") {
  const Tensor x = random_tensor(DType::String, {4, 6});
  OpRun r = op("Slice", {x}, {attr_ints("starts", {1, -4}), attr_ints("ends", {1000, -1}), attr_ints("axes", {0, 1})});
  r.opset = 9;
  check_equal(run_op(r)[0], naive_slice(x, {range(1, 4), range(2, 5)}));
}
