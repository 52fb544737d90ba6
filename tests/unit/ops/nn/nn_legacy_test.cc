// Gemm and BatchNormalization before opset 7 (the `broadcast` attribute for C; is_test,
// spatial and consumed_inputs), against hand-worked values.
#include <doctest/doctest.h>

#include "nn_test_util.h"

namespace ember::test {
namespace {

const DType F = DType::Float32;

TEST_CASE("nn Gemm opset 6: C broadcasts only with broadcast=1") {
  const Tensor a = make_tensor(F, {2, 2}, {1, 2, 3, 4}), b = make_tensor(F, {2, 2}, {5, 6, 7, 8});
  // A*B = [[19, 22], [43, 50]].
  const Tensor c2 = make_tensor(F, {2}, {1, 2});
  check_close(run_op(nn::op("Gemm", {a, b, c2}, {attr_int("broadcast", 1)}, 6))[0],
              make_tensor(F, {2, 2}, {20, 24, 44, 52}), Tier::Exact);
  const Tensor c22 = make_tensor(F, {2, 2}, {1, 2, 3, 4});
  check_close(run_op(nn::op("Gemm", {a, b, c22}, {attr_float("beta", 2)}, 1))[0],
              make_tensor(F, {2, 2}, {21, 26, 49, 58}), Tier::Exact);
  // transB: A*B^T = [[17, 23], [39, 53]], plus a scalar C.
  check_close(run_op(nn::op("Gemm", {a, b, make_tensor(F, {}, {10})}, {attr_int("broadcast", 1), attr_int("transB", 1)}, 6))[0],
              make_tensor(F, {2, 2}, {27, 33, 49, 63}), Tier::Exact);

  auto [st, msg] = nn::error_of([&] { run_op(nn::op("Gemm", {a, b, c2}, {}, 6)); });
  CHECK(st == Status::ShapeMismatch);  // C [2] without broadcast=1
  CHECK(msg.find("broadcast") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Gemm", {a, b, c2}, {attr_int("broadcast", 0)}, 6)); });
  CHECK(st == Status::ShapeMismatch);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Gemm", {a, b}, {attr_int("broadcast", 1)}, 6)); });
  CHECK(st == Status::InvalidModel);  // C is required at opset 6
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Gemm", {a, b, c2}, {attr_int("broadcast", 1)}, 7)); });
  CHECK(st == Status::InvalidModel);  // the attribute is gone from opset 7
}

TEST_CASE("nn BatchNormalization opsets 1-6: test mode only, spatial only") {
  // Channel 0: (x - 1) / sqrt(4) * 1 + 1; channel 1: (x - 5) / sqrt(1) * 2 + 0.
  const Tensor x = make_tensor(F, {1, 2, 2}, {1, 3, 5, 7});
  const Tensor sc = make_tensor(F, {2}, {1, 2}), bias = make_tensor(F, {2}, {1, 0});
  const Tensor mean = make_tensor(F, {2}, {1, 5}), var = make_tensor(F, {2}, {4, 1});
  const Tensor want = make_tensor(F, {1, 2, 2}, {1, 2, 0, 4});
  const ir::Attribute test = attr_int("is_test", 1), eps = attr_float("epsilon", 0);
  check_close(run_op(nn::op("BatchNormalization", {x, sc, bias, mean, var}, {test, eps}, 6))[0], want, Tier::Close);
  check_close(run_op(nn::op("BatchNormalization", {x, sc, bias, mean, var},
                            {test, eps, attr_int("spatial", 1), attr_ints("consumed_inputs", {0, 0, 0, 1, 1})}, 1))[0],
              want, Tier::Close);

  // is_test defaults to 0 (training) before opset 7.
  auto [st, msg] = nn::error_of([&] { run_op(nn::op("BatchNormalization", {x, sc, bias, mean, var}, {eps}, 6)); });
  CHECK(st == Status::Unsupported);
  CHECK(msg.find("is_test") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("BatchNormalization", {x, sc, bias, mean, var}, {test, attr_int("spatial", 0)}, 6));
  });
  CHECK(st == Status::Unsupported);
  CHECK(msg.find("spatial") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("BatchNormalization", {x, sc, bias, mean, var}, {test}, 6, 5));  // training outputs
  });
  CHECK(st == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
