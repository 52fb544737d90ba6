// Expand, Tile and Pad (all modes, negative pads, attribute and input forms).
#include <algorithm>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.expand: bidirectional broadcast, constant and runtime shape") {
  const Tensor x = random_tensor(DType::Float32, {3, 1});
  for (bool constant : {false, true}) {
    OpRun r = op("Expand", {x, i64v({2, 1, 7})});
    if (constant) r.constant_inputs = {1};
    check_equal(run_op(r)[0], remap(x, {2, 3, 7}, [](const Dims& o) { return Dims{o[1], 0}; }));
    r.inputs[1] = i64v({1});  // shape smaller than input: output keeps the input shape
    check_equal(run_op(r)[0], x);
  }
  check_error([&] { run_op(op("Expand", {x, i64v({2, 2})})); }, Status::ShapeMismatch, "Expand");
}

TEST_CASE("tensor.tile: repeats per axis, strings, zero repeat") {
  for (DType dt : {DType::Float32, DType::String}) {
    const Tensor x = random_tensor(dt, {2, 3}, 0, 9);
    for (bool constant : {false, true}) {
      OpRun r = op("Tile", {x, i64v({3, 2})});
      if (constant) r.constant_inputs = {1};
      check_equal(run_op(r)[0], remap(x, {6, 6}, [](const Dims& o) { return Dims{o[0] % 2, o[1] % 3}; }));
    }
    CHECK(run_op(op("Tile", {x, i64v({0, 1})}))[0].shape() == Dims{0, 3});
  }
  const Tensor x = random_tensor(DType::Float32, {2, 3});
  check_error([&] { run_op(op("Tile", {x, i64v({2})})); }, Status::ShapeMismatch, "repeats");
}

namespace {

// numpy.pad-style reference for one axis: source index or -1 for the constant.
int64_t ref_index(int64_t o, int64_t n, int64_t before, const std::string& mode) {
  int64_t j = o - before;
  if (j >= 0 && j < n) return j;
  if (mode == "constant") return -1;
  if (mode == "edge") return std::clamp<int64_t>(j, 0, n - 1);
  if (mode == "wrap") return ((j % n) + n) % n;
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;  // reflect, one bounce at a time
  return j;
}

Tensor ref_pad(const Tensor& x, const std::vector<int64_t>& pads, const std::string& mode, float value) {
  const size_t r = x.rank();
  Dims shape;
  for (size_t d = 0; d < r; ++d) shape.push_back(x.dim(d) + pads[d] + pads[r + d]);
  Tensor out(DType::Float32, shape);
  for (int64_t i = 0; i < out.numel(); ++i) {
    const Dims o = unravel(i, shape);
    Dims s(r);
    bool inside = true;
    for (size_t d = 0; d < r; ++d) {
      s[d] = ref_index(o[d], x.dim(d), pads[d], mode);
      inside &= s[d] >= 0;
    }
    out.data<float>()[i] = inside ? x.data<float>()[ravel(s, x.shape())] : value;
  }
  return out;
}

}  // namespace

TEST_CASE("tensor.pad: constant / reflect / edge / wrap, input form (opset 19)") {
  const Tensor x = random_tensor(DType::Float32, {3, 4, 5});
  const std::vector<int64_t> pads = {1, 0, 2, 2, 3, 1};
  for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
    for (bool constant : {false, true}) {
      OpRun r = op("Pad", {x, i64v(pads), f32({}, {1.5})}, {attr_string("mode", mode)});
      r.opset = 19;
      if (constant) r.constant_inputs = {1, 2};
      check_equal(run_op(r)[0], ref_pad(x, pads, mode, 1.5f));
    }
  }
}

TEST_CASE("tensor.pad: attribute form (opset 2), negative pads crop, axes input (opset 18)") {
  const Tensor x = random_tensor(DType::Float32, {4, 6});
  OpRun a = op("Pad", {x}, {attr_ints("pads", {1, 2, 0, 1}), attr_float("value", -3.f)});
  a.opset = 2;
  check_equal(run_op(a)[0], ref_pad(x, {1, 2, 0, 1}, "constant", -3.f));
  // Crop 1 row at the top, then pad columns with edge values.
  OpRun c = op("Pad", {x, i64v({-1, 2, 0, 1})}, {attr_string("mode", "edge")});
  const Tensor cropped = remap(x, {3, 6}, [](const Dims& o) { return Dims{o[0] + 1, o[1]}; });
  check_equal(run_op(c)[0], ref_pad(cropped, {0, 2, 0, 1}, "edge", 0));
  OpRun ax = op("Pad", {x, i64v({3, 1}), Tensor(), i64v({-1})}, {attr_string("mode", "reflect")});
  ax.opset = 18;
  check_equal(run_op(ax)[0], ref_pad(x, {0, 3, 0, 1}, "reflect", 0));
  OpRun bad = op("Pad", {x, i64v({1, 1})});
  check_error([&] { run_op(bad); }, Status::InvalidModel, "pads");
}
