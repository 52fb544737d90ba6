// Cast / CastLike over every pair of supported element types, float -> integer truncation and
// saturation, unsupported targets; Identity and Dropout (inference mode, training with ratio 0) pass-through.
#include <doctest/doctest.h>

#include <cmath>

#include "ew_test_util.h"

namespace ember::test {
namespace {

const std::vector<DType> kCastTypes = {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16,
                                       DType::Int8,    DType::UInt8,   DType::Int16,   DType::UInt16,
                                       DType::Int32,   DType::UInt32,  DType::Int64,   DType::UInt64, DType::Bool};

TEST_CASE("elementwise Cast between all supported type pairs") {
  for (DType from : kCastTypes)
    for (DType to : kCastTypes) {
      CAPTURE(std::string(dtype_name(from)));
      CAPTURE(std::string(dtype_name(to)));
      // Small non-negative integers are exact in every type, so the expected value is known.
      const Tensor x = ewt::run1("Floor", {random_tensor(DType::Float32, {3, 7}, 0, 100)});
      const Tensor xf = from == DType::Float32 ? x : ewt::run1("Cast", {x}, {attr_int("to", int64_t(from))});
      const Tensor got = ewt::run1("Cast", {xf}, {attr_int("to", int64_t(to))});
      const Tensor want = ewt::ref_map(xf, to, [&](double v) { return to == DType::Bool ? double(v != 0) : v; });
      check_close(got, want, Tier::Exact);
      check_close(ewt::run1("CastLike", {xf, Tensor(to, {1})}, {}, 15), want, Tier::Exact);
    }
}

TEST_CASE("elementwise Cast float to integer truncates and saturates") {
  const Tensor f = make_tensor(DType::Float32, {8}, {-3.7, -0.5, 0.5, 2.9, 100.2, 1e10, -1e10, NAN});
  check_close(ewt::run1("Cast", {f}, {attr_int("to", int64_t(DType::Int32))}),
              make_tensor(DType::Int32, {8}, {-3, 0, 0, 2, 100, 2147483647.0, -2147483648.0, 0}), Tier::Exact);
  check_close(ewt::run1("Cast", {f}, {attr_int("to", int64_t(DType::UInt8))}),
              make_tensor(DType::UInt8, {8}, {0, 0, 0, 2, 100, 255, 0, 0}), Tier::Exact);
  check_close(ewt::run1("Cast", {f}, {attr_int("to", int64_t(DType::Bool))}),
              make_tensor(DType::Bool, {8}, {1, 1, 1, 1, 1, 1, 1, 1}), Tier::Exact);
  // Rounding to float16 and back, and int -> int wrap-around.
  const Tensor h = ewt::run1("Cast", {make_tensor(DType::Float32, {3}, {1.0 / 3, 70000, -2.5})},
                             {attr_int("to", int64_t(DType::Float16))});
  const std::vector<double> hv = to_doubles(h);
  CHECK(hv[0] == doctest::Approx(0.333251953125));
  CHECK(std::isinf(hv[1]));
  CHECK(hv[2] == -2.5);
  check_close(ewt::run1("Cast", {make_tensor(DType::Int32, {3}, {300, -1, 127})}, {attr_int("to", int64_t(DType::Int8))}),
              make_tensor(DType::Int8, {3}, {44, -1, 127}), Tier::Exact);
  const Tensor big = random_tensor(DType::Float32, {70001}, -100, 100);
  check_close(ewt::run1("Cast", {big}, {attr_int("to", int64_t(DType::Int64))}),
              ewt::ref_map(big, DType::Int64, [](double v) { return std::trunc(v); }), Tier::Exact);
}

TEST_CASE("elementwise Cast unsupported targets and inputs") {
  const Tensor f = random_tensor(DType::Float32, {2});
  for (int64_t code : {14, 15})  // complex64, complex128
    CHECK(ewt::status_of([&] { ewt::run1("Cast", {f}, {attr_int("to", code)}); }) == Status::Unsupported);
  CHECK(ewt::status_of([&] { ewt::run1("Cast", {f}, {attr_int("to", int64_t(DType::String))}); }) ==
        Status::Unsupported);
  CHECK(ewt::status_of([&] { ewt::run1("Cast", {f}, {attr_int("to", 99)}); }) == Status::InvalidModel);
  CHECK(ewt::status_of([&] { ewt::run1("Cast", {f}); }) == Status::InvalidModel);  // `to` missing
}

TEST_CASE("elementwise Identity copies any tensor") {
  for (DType dt : {DType::Float32, DType::Int64, DType::Bool, DType::Float16, DType::String}) {
    CAPTURE(std::string(dtype_name(dt)));
    const Tensor x = random_tensor(dt, {3, 5}, 0, 9);
    const Tensor y = ewt::run1("Identity", {x});
    REQUIRE(y.dtype() == dt);
    REQUIRE(y.shape() == x.shape());
    if (dt == DType::String) {
      for (int64_t i = 0; i < x.numel(); ++i) CHECK(y.data<std::string>()[i] == x.data<std::string>()[i]);
    } else {
      check_close(y, x, Tier::Exact);
    }
  }
}

TEST_CASE("elementwise Dropout in inference mode") {
  const Tensor x = random_tensor(DType::Float32, {4, 9});
  for (int opset : {7, 10, 13}) {
    CAPTURE(opset);
    OpRun r;
    r.op_type = "Dropout";
    r.inputs = {x};
    r.attrs = {attr_float("ratio", 0.3f)};
    r.num_outputs = 2;
    r.opset = opset;
    const std::vector<Tensor> out = run_op(r);
    check_close(out[0], x, Tier::Exact);
    const DType mask_type = opset >= 10 ? DType::Bool : DType::Float32;
    check_close(out[1], ewt::ref_map(x, mask_type, [](double) { return 1.0; }), Tier::Exact);
  }
  OpRun r;
  r.op_type = "Dropout";
  r.opset = 13;
  r.inputs = {x, make_tensor(DType::Float32, {}, {0.5}), make_tensor(DType::Bool, {}, {0})};
  check_close(run_op(r).at(0), x, Tier::Exact);
  r.inputs[2] = make_tensor(DType::Bool, {}, {1});
  CHECK(ewt::status_of([&] { run_op(r); }) == Status::Unsupported);
  r.constant_inputs = {1, 2};
  CHECK(ewt::status_of([&] { run_op(r); }) == Status::Unsupported);
  // Training with ratio 0 keeps every element: deterministic, so it runs; mask all true.
  r.inputs[1] = make_tensor(DType::Float32, {}, {0.0});
  r.num_outputs = 2;
  for (std::vector<size_t> constants : {std::vector<size_t>{}, std::vector<size_t>{1, 2}}) {
    r.constant_inputs = constants;
    const std::vector<Tensor> out = run_op(r);
    check_close(out[0], x, Tier::Exact);
    check_close(out[1], ewt::ref_map(x, DType::Bool, [](double) { return 1.0; }), Tier::Exact);
  }
  r.inputs.resize(1);  // training without a ratio input means the default 0.5
  r.inputs.push_back(Tensor());
  r.inputs.push_back(make_tensor(DType::Bool, {}, {1}));
  CHECK(ewt::status_of([&] { run_op(r); }) == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
