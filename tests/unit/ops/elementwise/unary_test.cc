// Unary math ops and activations against double-precision references on random inputs of
// odd sizes, for every implemented float type (and the integer types where the op takes
// them). One large case exercises the parallel path.
#include <doctest/doctest.h>

#include <cmath>

#include "ew_test_util.h"

namespace ember::test {
namespace {

using ewt::Fn1;

struct UnaryCase {
  const char* op;
  Fn1 ref;
  double lo, hi;                       // input range (keeps inputs in the function's domain)
  std::vector<ir::Attribute> attrs = {};
  Tier tier = Tier::Close;
  int opset = 17;
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus(double x) { return std::log1p(std::exp(x)); }
double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

std::vector<UnaryCase> float_cases() {
  const double selu_a = 1.67326319217681884765625, selu_g = 1.05070102214813232421875;
  return {
      {"Sqrt", [](double x) { return std::sqrt(x); }, 0.0, 4.0},
      {"Exp", [](double x) { return std::exp(x); }, -5.0, 5.0},
      {"Log", [](double x) { return std::log(x); }, 0.05, 5.0},
      {"Neg", [](double x) { return -x; }, -3.0, 3.0},
      {"Abs", [](double x) { return std::fabs(x); }, -3.0, 3.0},
      {"Reciprocal", [](double x) { return 1.0 / x; }, 0.1, 3.0},
      {"Erf", [](double x) { return std::erf(x); }, -3.0, 3.0},
      {"Floor", [](double x) { return std::floor(x); }, -5.0, 5.0},
      {"Ceil", [](double x) { return std::ceil(x); }, -5.0, 5.0},
      {"Sign", [](double x) { return double((x > 0) - (x < 0)); }, -3.0, 3.0},
      {"Sin", [](double x) { return std::sin(x); }, -4.0, 4.0},
      {"Cos", [](double x) { return std::cos(x); }, -4.0, 4.0},
      {"Tan", [](double x) { return std::tan(x); }, -1.2, 1.2},
      {"Asin", [](double x) { return std::asin(x); }, -0.99, 0.99},
      {"Acos", [](double x) { return std::acos(x); }, -0.99, 0.99},
      {"Atan", [](double x) { return std::atan(x); }, -4.0, 4.0},
      {"Sinh", [](double x) { return std::sinh(x); }, -3.0, 3.0},
      {"Cosh", [](double x) { return std::cosh(x); }, -3.0, 3.0},
      {"Asinh", [](double x) { return std::asinh(x); }, -3.0, 3.0},
      {"Acosh", [](double x) { return std::acosh(x); }, 1.01, 4.0},
      {"Atanh", [](double x) { return std::atanh(x); }, -0.95, 0.95},
      {"Relu", [](double x) { return x > 0 ? x : 0.0; }, -3.0, 3.0},
      {"LeakyRelu", [](double x) { return x >= 0 ? x : 0.2 * x; }, -3.0, 3.0, {attr_float("alpha", 0.2f)}},
      {"LeakyRelu", [](double x) { return x >= 0 ? x : 0.01 * x; }, -3.0, 3.0},
      {"Elu", [](double x) { return x >= 0 ? x : 0.7 * (std::exp(x) - 1); }, -3.0, 3.0, {attr_float("alpha", 0.7f)}},
      {"Selu", [=](double x) { return x > 0 ? selu_g * x : selu_g * selu_a * (std::exp(x) - 1); }, -3.0, 3.0},
      {"Celu", [](double x) { return std::max(0.0, x) + std::min(0.0, 1.5 * (std::exp(x / 1.5) - 1)); },
       -3.0, 3.0, {attr_float("alpha", 1.5f)}},
      {"Sigmoid", sigmoid, -8.0, 8.0},
      {"HardSigmoid", [](double x) { return clamp01(0.3 * x + 0.4); }, -4.0, 4.0,
       {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)}},
      {"HardSigmoid", [](double x) { return clamp01(0.2 * x + 0.5); }, -4.0, 4.0},
      {"HardSwish", [](double x) { return x * clamp01(x / 6 + 0.5); }, -5.0, 5.0},
      {"Tanh", [](double x) { return std::tanh(x); }, -4.0, 4.0},
      {"Softplus", softplus, -6.0, 6.0},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }, -4.0, 4.0},
      {"Mish", [](double x) { return x * std::tanh(softplus(x)); }, -4.0, 4.0, {}, Tier::Approximate},
      {"ThresholdedRelu", [](double x) { return x > 0.5 ? x : 0.0; }, -2.0, 2.0, {attr_float("alpha", 0.5f)}},
      {"Gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }, -4.0, 4.0, {},
       Tier::Approximate, 20},
      {"Gelu",
       [](double x) {
         return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
       },
       -4.0, 4.0, {attr_string("approximate", "tanh")}, Tier::Approximate, 20},
  };
}

TEST_CASE("elementwise unary float ops match double references") {
  const std::vector<Dims> shapes = {{}, {1}, {7}, {3, 17}, {2, 1, 63}};
  for (const UnaryCase& c : float_cases()) {
    for (DType dt : {DType::Float32, DType::Float64, DType::Float16}) {
      for (const Dims& s : shapes) {
        CAPTURE(std::string(c.op));
        CAPTURE(std::string(dtype_name(dt)));
        CAPTURE(dims_str(s));
        const Tensor x = random_tensor(dt, s, c.lo, c.hi);
        const Tensor got = ewt::run1(c.op, {x}, c.attrs, c.opset);
        ewt::check_result(got, ewt::ref_map(x, dt, c.ref), c.tier);
      }
    }
  }
}

TEST_CASE("elementwise Round rounds halves to even") {
  const Tensor x = make_tensor(DType::Float32, {8}, {0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6, 7.0});
  check_close(ewt::run1("Round", {x}, {}, 11), make_tensor(DType::Float32, {8}, {0, 2, 2, -0.0, -2, 2, -3, 7}),
              Tier::Exact);
}

TEST_CASE("elementwise integer unary ops: Abs, Neg, Sign, Relu") {
  for (DType dt : {DType::Int8, DType::Int32, DType::Int64}) {
    CAPTURE(std::string(dtype_name(dt)));
    const Tensor x = random_tensor(dt, {5, 13}, -100, 100);
    check_close(ewt::run1("Abs", {x}), ewt::ref_map(x, dt, [](double v) { return std::fabs(v); }), Tier::Exact);
    check_close(ewt::run1("Neg", {x}), ewt::ref_map(x, dt, [](double v) { return -v; }), Tier::Exact);
    check_close(ewt::run1("Sign", {x}), ewt::ref_map(x, dt, [](double v) { return double((v > 0) - (v < 0)); }),
                Tier::Exact);
    check_close(ewt::run1("Relu", {x}, {}, 14), ewt::ref_map(x, dt, [](double v) { return v > 0 ? v : 0; }),
                Tier::Exact);
  }
  const Tensor u = random_tensor(DType::UInt8, {17}, 0, 255);
  check_close(ewt::run1("Abs", {u}), u, Tier::Exact);
  // The most negative value wraps (numpy semantics) instead of overflowing.
  const Tensor m = make_tensor(DType::Int8, {2}, {-128, 5});
  check_close(ewt::run1("Neg", {m}), make_tensor(DType::Int8, {2}, {-128, -5}), Tier::Exact);
}

TEST_CASE("elementwise IsNaN, IsInf and Not") {
  const double inf = INFINITY, nan = NAN;
  const Tensor x = make_tensor(DType::Float32, {6}, {1.0, nan, inf, -inf, 0.0, -2.0});
  check_close(ewt::run1("IsNaN", {x}), make_tensor(DType::Bool, {6}, {0, 1, 0, 0, 0, 0}), Tier::Exact);
  check_close(ewt::run1("IsInf", {x}), make_tensor(DType::Bool, {6}, {0, 0, 1, 1, 0, 0}), Tier::Exact);
  check_close(ewt::run1("IsInf", {x}, {attr_int("detect_negative", 0)}),
              make_tensor(DType::Bool, {6}, {0, 0, 1, 0, 0, 0}), Tier::Exact);
  check_close(ewt::run1("IsInf", {x}, {attr_int("detect_positive", 0)}),
              make_tensor(DType::Bool, {6}, {0, 0, 0, 1, 0, 0}), Tier::Exact);
  const Tensor xd = make_tensor(DType::Float64, {3}, {nan, 1.0, inf});
  check_close(ewt::run1("IsNaN", {xd}), make_tensor(DType::Bool, {3}, {1, 0, 0}), Tier::Exact);
  const Tensor b = random_tensor(DType::Bool, {4, 9});
  check_close(ewt::run1("Not", {b}), ewt::ref_map(b, DType::Bool, [](double v) { return v == 0; }), Tier::Exact);
}

TEST_CASE("elementwise activations at extreme inputs stay finite and exact") {
  // exp overflow must not turn Sigmoid/Softplus into NaN.
  const Tensor x = make_tensor(DType::Float32, {4}, {-1000, 1000, -90, 90});
  check_close(ewt::run1("Sigmoid", {x}), make_tensor(DType::Float32, {4}, {0, 1, sigmoid(-90), 1}), Tier::Close);
  check_close(ewt::run1("Softplus", {x}), make_tensor(DType::Float32, {4}, {0, 1000, softplus(-90), 90}), Tier::Close);
  const Tensor nan = make_tensor(DType::Float32, {1}, {NAN});
  CHECK(std::isnan(to_doubles(ewt::run1("Sign", {nan}))[0]));
  CHECK(std::isnan(to_doubles(ewt::run1("Sigmoid", {nan}))[0]));
}

TEST_CASE("elementwise unary large tensor uses the parallel path correctly") {
  const Tensor x = random_tensor(DType::Float32, {3, 50001}, -3, 3);
  ewt::check_result(ewt::run1("Tanh", {x}), ewt::ref_map(x, DType::Float32, [](double v) { return std::tanh(v); }),
                    Tier::Close);
  ewt::check_result(ewt::run1("Relu", {x}), ewt::ref_map(x, DType::Float32, [](double v) { return v > 0 ? v : 0; }),
                    Tier::Exact);
}

TEST_CASE("elementwise unary type errors") {
  const Tensor i = random_tensor(DType::Int32, {3}, 0, 5);
  CHECK(ewt::status_of([&] { ewt::run1("Sqrt", {i}); }) == Status::TypeMismatch);
  CHECK(ewt::status_of([&] { ewt::run1("Not", {random_tensor(DType::Float32, {3})}); }) == Status::TypeMismatch);
  // Allowed by the spec, not implemented here.
  CHECK(ewt::status_of([&] { ewt::run1("Erf", {i}); }) == Status::Unsupported);
  CHECK(ewt::status_of([&] {
          ewt::run1("Gelu", {random_tensor(DType::Float32, {3})}, {attr_string("approximate", "fast")}, 20);
        }) == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
