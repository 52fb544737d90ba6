// CenterCropPad (crop and pad around the centre, axes, errors) and Resize with antialias
// (a constant image stays constant; the nearest mode is refused).
#include <doctest/doctest.h>

#include "../nn/nn_test_util.h"

namespace ember::test {
namespace {

using nn::error_of;
using nn::op;

TEST_CASE("tensor CenterCropPad: crop, pad, axes and errors") {
  const Tensor x = make_tensor(DType::Int32, {2, 3}, {1, 2, 3, 4, 5, 6});
  // Rows 2 -> 4 (pad one each side), columns 3 -> 1 (keep the middle).
  const Tensor y = run_op(op("CenterCropPad", {x, make_tensor(DType::Int64, {2}, {4, 1})}, {}, 18))[0];
  check_close(y, make_tensor(DType::Int32, {4, 1}, {0, 2, 5, 0}), Tier::Exact);
  const Tensor z = run_op(op("CenterCropPad", {x, make_tensor(DType::Int64, {1}, {2})}, {attr_ints("axes", {-1})}, 18))[0];
  check_close(z, make_tensor(DType::Int32, {2, 2}, {1, 2, 4, 5}), Tier::Exact);
  auto [st, msg] = error_of([&] { run_op(op("CenterCropPad", {x, make_tensor(DType::Int64, {1}, {2})}, {}, 18)); });
  CHECK(st == Status::ShapeMismatch);
  std::tie(st, msg) = error_of([&] {
    run_op(op("CenterCropPad", {x, make_tensor(DType::Int64, {1}, {2})}, {attr_ints("axes", {2})}, 18));
  });
  CHECK(st == Status::InvalidModel);
}

TEST_CASE("tensor Resize antialias: constant stays constant, nearest is refused") {
  const Tensor x = make_tensor(DType::Float32, {1, 1, 4, 4}, std::vector<double>(16, 3.0));
  const Tensor scales = make_tensor(DType::Float32, {4}, {1, 1, 0.5, 0.5});
  for (const char* mode : {"linear", "cubic"}) {
    CAPTURE(mode);
    OpRun r = op("Resize", {x, Tensor(), scales}, {attr_string("mode", mode), attr_int("antialias", 1)}, 18);
    check_close(run_op(r)[0], make_tensor(DType::Float32, {1, 1, 2, 2}, {3, 3, 3, 3}), Tier::Close, 8, 1e-5);
  }
  auto [st, msg] = error_of([&] {
    run_op(op("Resize", {x, Tensor(), scales}, {attr_string("mode", "nearest"), attr_int("antialias", 1)}, 18));
  });
  CHECK(st == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
