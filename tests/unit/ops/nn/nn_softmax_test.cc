// Softmax / LogSoftmax / Hardmax: opset < 13 flattens [axis, rank) into one softmax row,
// opset >= 13 normalises the single dimension `axis`. The same input must give different
// answers under the two semantics, and each must match its own reference.
#include <doctest/doctest.h>

#include <cmath>

#include "nn_test_util.h"

namespace ember::test {
namespace {

// Reference over an [outer, len, inner] view.
Tensor ref_soft(const std::string& op, const Tensor& x, int64_t outer, int64_t len, int64_t inner) {
  const auto v = to_doubles(x);
  std::vector<double> y(v.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t k) { return size_t((o * len + k) * inner + i); };
      double mx = v[at(0)], sum = 0;
      int64_t arg = 0;
      for (int64_t k = 1; k < len; ++k)
        if (v[at(k)] > mx) { mx = v[at(k)]; arg = k; }
      for (int64_t k = 0; k < len; ++k) sum += std::exp(v[at(k)] - mx);
      for (int64_t k = 0; k < len; ++k) {
        if (op == "Softmax") y[at(k)] = std::exp(v[at(k)] - mx) / sum;
        else if (op == "LogSoftmax") y[at(k)] = v[at(k)] - mx - std::log(sum);
        else y[at(k)] = k == arg ? 1.0 : 0.0;
      }
    }
  return make_tensor(x.dtype(), x.shape(), y);
}

void check_soft(const std::string& op, const Dims& shape, int opset, int64_t axis, bool set_axis, DType dt = DType::Float32) {
  CAPTURE(op);
  CAPTURE(dims_str(shape));
  CAPTURE(opset);
  CAPTURE(axis);
  const Tensor x = random_tensor(dt, shape, -4, 4);
  std::vector<ir::Attribute> attrs;
  if (set_axis) attrs.push_back(attr_int("axis", axis));
  const Tensor got = run_op(nn::op(op, {x}, attrs, opset))[0];
  const int64_t r = int64_t(shape.size()), a = axis < 0 ? axis + r : axis;
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t i = 0; i < r; ++i) {
    if (i < a) outer *= shape[size_t(i)];
    else if (opset < 13 || i == a) len *= shape[size_t(i)];
    else inner *= shape[size_t(i)];
  }
  const Tensor want = ref_soft(op, x, outer, len, inner);
  if (op == "Hardmax") check_close(got, want, Tier::Exact);
  else nn::check_result(got, want, len);
}

TEST_CASE("nn Softmax family: opset 11 coerce-to-2D vs opset 13 single axis") {
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    for (int opset : {1, 11, 13}) {
      check_soft(op, {2, 3, 4}, opset, opset < 13 ? 1 : -1, false);  // each opset's default axis
      check_soft(op, {2, 3, 4}, opset, 1, true);
      check_soft(op, {2, 3, 4}, opset, 0, true);
      check_soft(op, {3, 7, 1, 5}, opset, -2, true);
      check_soft(op, {17}, opset, 0, true);
      check_soft(op, {1, 12, 128, 63}, opset, -1, true);
    }
  }
  check_soft("Softmax", {2, 7, 5}, 13, 1, true, DType::Float64);
  check_soft("Softmax", {2, 7, 5}, 13, -1, true, DType::Float16);
  check_soft("LogSoftmax", {2, 7, 5}, 11, 1, true, DType::Float16);
}

TEST_CASE("nn Softmax: the two semantics really differ on the same input") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 4});
  const Tensor a = run_op(nn::op("Softmax", {x}, {attr_int("axis", 1)}, 11))[0];
  const Tensor b = run_op(nn::op("Softmax", {x}, {attr_int("axis", 1)}, 13))[0];
  // opset 11: each batch row of 12 sums to 1; opset 13: each column of 3 sums to 1.
  const auto va = to_doubles(a), vb = to_doubles(b);
  double sa = 0, sb = 0;
  for (int i = 0; i < 12; ++i) sa += va[size_t(i)];
  for (int k = 0; k < 3; ++k) sb += vb[size_t(k * 4)];
  CHECK(std::fabs(sa - 1) < 1e-5);
  CHECK(std::fabs(sb - 1) < 1e-5);
  CHECK(std::fabs(va[0] - vb[0]) > 1e-6);
}

TEST_CASE("nn Hardmax: ties pick the first maximum; bad axis is an error") {
  const Tensor x = make_tensor(DType::Float32, {2, 3}, {1, 3, 3, 2, 2, 2});
  check_close(run_op(nn::op("Hardmax", {x}, {}, 13))[0], make_tensor(DType::Float32, {2, 3}, {0, 1, 0, 1, 0, 0}),
              Tier::Exact);
  const auto [st, msg] = nn::error_of([&] { run_op(nn::op("Softmax", {x}, {attr_int("axis", 2)}, 13)); });
  CHECK(st == Status::InvalidModel);
  CHECK(msg.find("axis") != std::string::npos);
}

}  // namespace
}  // namespace ember::test
