// Ops with more than two or with parameter inputs: Max/Min/Sum/Mean (variadic), Where,
// Clip (attribute form before opset 11, input form after) and PRelu.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ew_test_util.h"

namespace ember::test {
namespace {

struct VariadicCase {
  const char* op;
  ewt::FnN ref;
};

double vmax(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }
double vmin(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double vsum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

TEST_CASE("elementwise Max/Min/Sum/Mean with 1 to 3 broadcasting inputs") {
  const std::vector<VariadicCase> cases = {
      {"Max", vmax}, {"Min", vmin}, {"Sum", vsum}, {"Mean", [](const auto& v) { return vsum(v) / double(v.size()); }}};
  const std::vector<std::vector<Dims>> shape_sets = {
      {{7}}, {{3, 17}, {17}}, {{2, 1, 5}, {4, 1}, {5}}, {{}, {1, 63}, {2, 1}}, {{3, 20001}, {3, 1}}};
  for (const VariadicCase& c : cases)
    for (DType dt : {DType::Float32, DType::Float64, DType::Float16})
      for (const auto& shapes : shape_sets) {
        CAPTURE(std::string(c.op));
        CAPTURE(std::string(dtype_name(dt)));
        CAPTURE(shapes.size());
        std::vector<Tensor> ins;
        for (const Dims& s : shapes) ins.push_back(random_tensor(dt, s, -3, 3));
        ewt::check_result(ewt::run1(c.op, ins), ewt::ref_broadcast(ins, dt, c.ref), Tier::Close);
      }
  for (DType dt : {DType::Int8, DType::UInt8, DType::Int32, DType::Int64}) {
    const std::vector<Tensor> ins = {random_tensor(dt, {4, 5}, 0, 100), random_tensor(dt, {5}, 0, 100),
                                     random_tensor(dt, {4, 1}, 0, 100)};
    check_close(ewt::run1("Max", ins, {}, 13), ewt::ref_broadcast(ins, dt, vmax), Tier::Exact);
    check_close(ewt::run1("Min", ins, {}, 13), ewt::ref_broadcast(ins, dt, vmin), Tier::Exact);
  }
  // NaN propagates through Max/Min in either position (numpy.maximum semantics).
  const Tensor a = make_tensor(DType::Float32, {3}, {NAN, 1, 2});
  const Tensor b = make_tensor(DType::Float32, {3}, {0, NAN, 5});
  const std::vector<double> mx = to_doubles(ewt::run1("Max", {a, b}));
  CHECK(std::isnan(mx[0]));
  CHECK(std::isnan(mx[1]));
  CHECK(mx[2] == 5);
  const std::vector<double> mn = to_doubles(ewt::run1("Min", {a, b}));
  CHECK(std::isnan(mn[0]));
  CHECK(std::isnan(mn[1]));
  CHECK(mn[2] == 2);
  CHECK(ewt::status_of([&] { ewt::run1("Sum", {a, random_tensor(DType::Float32, {2})}); }) == Status::ShapeMismatch);
  CHECK(ewt::status_of([&] { ewt::run1("Mean", {random_tensor(DType::Int32, {2}, 0, 3)}); }) == Status::TypeMismatch);
}

TEST_CASE("elementwise Where with three-way broadcasting") {
  const std::vector<std::vector<Dims>> shape_sets = {
      {{7}, {7}, {7}}, {{3, 1}, {1, 5}, {}}, {{2, 1, 4}, {3, 1}, {4}}, {{63}, {}, {2, 63}}, {{2, 40000}, {40000}, {1}}};
  for (DType dt : {DType::Float32, DType::Float16, DType::Float64, DType::Int8, DType::Int64, DType::Bool})
    for (const auto& s : shape_sets) {
      CAPTURE(std::string(dtype_name(dt)));
      const std::vector<Tensor> ins = {random_tensor(DType::Bool, s[0]), random_tensor(dt, s[1], -5, 5),
                                       random_tensor(dt, s[2], -5, 5)};
      check_close(ewt::run1("Where", ins),
                  ewt::ref_broadcast(ins, dt, [](const auto& v) { return v[0] != 0 ? v[1] : v[2]; }), Tier::Exact);
    }
  const Tensor x = random_tensor(DType::Float32, {3});
  CHECK(ewt::status_of([&] { ewt::run1("Where", {random_tensor(DType::Float32, {3}), x, x}); }) ==
        Status::TypeMismatch);
  CHECK(ewt::status_of([&] {
          ewt::run1("Where", {random_tensor(DType::Bool, {3}), x, random_tensor(DType::Float64, {3})});
        }) == Status::TypeMismatch);
  CHECK(ewt::status_of([&] { ewt::run1("Where", {random_tensor(DType::Bool, {4}), x, x}); }) ==
        Status::ShapeMismatch);
}

double clip_ref(double x, double lo, double hi) { return std::min(hi, std::max(x, lo)); }

TEST_CASE("elementwise Clip: attributes (opset 6) and inputs (opset 11/13)") {
  const Tensor x = random_tensor(DType::Float32, {3, 17}, -3, 3);
  auto ref = [&](const Tensor& t, double lo, double hi) {
    return ewt::ref_map(t, t.dtype(), [=](double v) { return clip_ref(v, lo, hi); });
  };
  check_close(ewt::run1("Clip", {x}, {attr_float("min", -1.0f), attr_float("max", 0.5f)}, 6), ref(x, -1, 0.5),
              Tier::Exact);
  check_close(ewt::run1("Clip", {x}, {attr_float("max", 0.5f)}, 6), ref(x, -INFINITY, 0.5), Tier::Exact);
  check_close(ewt::run1("Clip", {x}, {}, 6), x, Tier::Exact);
  const Tensor lo = make_tensor(DType::Float32, {}, {-0.25});
  const Tensor hi = make_tensor(DType::Float32, {}, {2.0});
  check_close(ewt::run1("Clip", {x, lo, hi}, {}, 13), ref(x, -0.25, 2), Tier::Exact);
  check_close(ewt::run1("Clip", {x, Tensor(), hi}, {}, 11), ref(x, -INFINITY, 2), Tier::Exact);
  check_close(ewt::run1("Clip", {x, lo}, {}, 13), ref(x, -0.25, INFINITY), Tier::Exact);
  // min > max: everything becomes max.
  check_close(ewt::run1("Clip", {x, hi, lo}, {}, 13), ewt::ref_map(x, DType::Float32, [](double) { return -0.25; }),
              Tier::Exact);
  // Other types (input form); a shape-[1] bound is accepted like a scalar.
  for (DType dt : {DType::Float16, DType::Float64, DType::Int8, DType::UInt8, DType::Int32, DType::Int64}) {
    CAPTURE(std::string(dtype_name(dt)));
    const Tensor t = random_tensor(dt, {2, 7}, 0, 50);
    const Tensor l = make_tensor(dt, {}, {10}), h = make_tensor(dt, {1}, {40});
    check_close(ewt::run1("Clip", {t, l, h}, {}, 13), ref(t, 10, 40), Tier::Exact);
  }
  const Tensor big = random_tensor(DType::Float32, {100003}, -3, 3);
  check_close(ewt::run1("Clip", {big, lo, hi}, {}, 13), ref(big, -0.25, 2), Tier::Exact);
  CHECK(ewt::status_of([&] { ewt::run1("Clip", {x, random_tensor(DType::Float32, {2}), hi}, {}, 13); }) ==
        Status::ShapeMismatch);
  CHECK(ewt::status_of([&] { ewt::run1("Clip", {x, make_tensor(DType::Float64, {}, {0})}, {}, 13); }) ==
        Status::TypeMismatch);
  CHECK(ewt::status_of([&] { ewt::run1("Clip", {random_tensor(DType::Int32, {2}, 0, 3)}, {}, 6); }) ==
        Status::TypeMismatch);
}

TEST_CASE("elementwise PRelu broadcasts the slope to the input") {
  auto ref = [](double x, double s) { return x < 0 ? s * x : x; };
  for (DType dt : {DType::Float32, DType::Float16, DType::Float64}) {
    const Tensor x = random_tensor(dt, {2, 3, 5, 7}, -2, 2);
    for (const Dims& sd : {Dims{3, 1, 1}, Dims{7}, Dims{1}, Dims{2, 3, 5, 7}}) {
      CAPTURE(dims_str(sd));
      const Tensor s = random_tensor(dt, sd, 0, 0.5);
      ewt::check_result(ewt::run1("PRelu", {x, s}), ewt::ref_binary(x, s, dt, ref), Tier::Close);
    }
  }
  const Tensor xi = random_tensor(DType::Int32, {4, 3}, -9, 9);
  const Tensor si = random_tensor(DType::Int32, {3}, 0, 3);
  check_close(ewt::run1("PRelu", {xi, si}, {}, 16), ewt::ref_binary(xi, si, DType::Int32, ref), Tier::Exact);
  CHECK(ewt::status_of([&] {
          ewt::run1("PRelu", {random_tensor(DType::Float32, {3}), random_tensor(DType::Float32, {2, 3})});
        }) == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test
