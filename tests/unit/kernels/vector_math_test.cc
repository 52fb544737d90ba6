// Accuracy of the vectorised math (kernels/x86/*/vmath_*.h) against std:: in double, through the
// unary entries of each ISA's vector kernel table: a dense sweep per function plus tiny and huge
// magnitudes and the special values. The measured maximum errors are printed (MESSAGE).
//
// Error measure: |got - want| / max(|want|, FLT_MIN) (relative, with denormal results measured
// against the smallest normal), except Gelu (erf form) and Silu, measured against
// max(|want|, |x|): Gelu's 1 + erf(x/sqrt2) cancels for negative x in any float implementation
// (the reference's included), Silu's x * sigmoid(x) multiplies x by a denormal for x < -87, and
// GeluTanh's sigmoid(2u) turns the rounding of u = 0.8 (x + 0.044715 x^3) (|u| up to ~100)
// into a relative error of |u| * 6e-8 on values that are < 1e-30 there.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_vector.h"
#include "kernels/vector_isa_tables.h"

namespace ember::test {
namespace {

using kernels::F32VectorKernels;
using kernels::UnaryOp;

struct MathCase {
  UnaryOp op;
  double lo, hi;                       // dense sweep range
  std::function<double(double)> want;  // in double
  double max_err;                      // the Close tier (1e-6, about 8 ulp)
  bool scale_by_x = false;
};

double gelu_d(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double sigmoid_d(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// 0.5 x (1 + tanh(u)) written as x sigmoid(2u): the same value without the cancellation that
// makes 1 + tanh(u) useless, even in double, for u < -19.
double gelu_tanh_d(double x) { return x * sigmoid_d(2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)); }

std::vector<float> sweep(double lo, double hi) {
  std::vector<float> v;
  const int n = 400001;
  for (int i = 0; i < n; ++i) v.push_back(float(lo + (hi - lo) * i / (n - 1)));
  for (double e = -44; e <= 38; e += 0.01) {  // tiny to huge magnitudes, both signs
    v.push_back(float(std::pow(10.0, e)));
    v.push_back(-float(std::pow(10.0, e)));
  }
  v.push_back(0.0f);
  v.push_back(-0.0f);
  v.push_back(FLT_MIN);
  v.push_back(FLT_MAX);
  v.push_back(-FLT_MAX);
  v.push_back(std::numeric_limits<float>::denorm_min());
  return v;
}

TEST_CASE("vector math: exp, log, tanh, sigmoid, erf, silu, gelu within the Close tier of std:: in double") {
  const std::vector<MathCase> cases = {
      {UnaryOp::Exp, -110, 95, [](double x) { return std::exp(x); }, 1e-6},
      {UnaryOp::Log, 0, 100, [](double x) { return std::log(x); }, 1e-6},
      {UnaryOp::Tanh, -12, 12, [](double x) { return std::tanh(x); }, 1e-6},
      {UnaryOp::Sigmoid, -110, 110, sigmoid_d, 1e-6},
      {UnaryOp::Silu, -110, 110, [](double x) { return x * sigmoid_d(x); }, 1e-6, true},
      {UnaryOp::Erf, -6, 6, [](double x) { return std::erf(x); }, 1e-6},
      {UnaryOp::Gelu, -12, 12, gelu_d, 1e-6, true},
      {UnaryOp::GeluTanh, -12, 12, gelu_tanh_d, 1e-6, true},
  };
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (const MathCase& c : cases) {
      std::vector<float> x = sweep(c.lo, c.hi);
      std::vector<float> y(x.size());
      k->unary(c.op, int64_t(x.size()), x.data(), y.data(), 0.0f, 0.0f);
      double worst = 0, worst_x = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const double xd = x[i];
        if (c.op == UnaryOp::Log && xd < 0) continue;  // checked with the special values
        const double w = c.want(xd);
        if (!std::isfinite(w) || std::fabs(w) > FLT_MAX) {
          // The float result must overflow the same way (or be NaN where the double is).
          if (std::isnan(w)) CHECK_MESSAGE(std::isnan(y[i]), "x=", x[i]);
          else CHECK_MESSAGE(y[i] == float(w), "x=", x[i], " got ", y[i]);
          continue;
        }
        const double denom = std::max({std::fabs(w), double(FLT_MIN), c.scale_by_x ? std::fabs(xd) : 0.0});
        const double err = std::fabs(double(y[i]) - w) / denom;
        if (!(err <= worst)) { worst = err; worst_x = xd; }
      }
      MESSAGE(std::string(k->isa), " ", std::string(kernels::unary_op_name(c.op)), ": max error ", worst, " (", worst / FLT_EPSILON,
              " eps) at x=", worst_x, " over ", x.size(), " points");
      CHECK_MESSAGE(worst <= c.max_err, k->isa, " ", kernels::unary_op_name(c.op), " error ", worst, " at x=", worst_x);
    }
  }
}

TEST_CASE("vector math: special values as std::") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  struct Special {
    UnaryOp op;
    float x, want;
  };
  const std::vector<Special> cases = {
      {UnaryOp::Exp, inf, inf},      {UnaryOp::Exp, -inf, 0.0f},    {UnaryOp::Exp, 100.0f, inf},
      {UnaryOp::Exp, -200.0f, 0.0f}, {UnaryOp::Exp, 0.0f, 1.0f},    {UnaryOp::Log, 0.0f, -inf},
      {UnaryOp::Log, -0.0f, -inf},   {UnaryOp::Log, inf, inf},      {UnaryOp::Log, -1.0f, nan},
      {UnaryOp::Log, -inf, nan},     {UnaryOp::Log, 1.0f, 0.0f},    {UnaryOp::Tanh, inf, 1.0f},
      {UnaryOp::Tanh, -inf, -1.0f},  {UnaryOp::Tanh, 0.0f, 0.0f},   {UnaryOp::Sigmoid, inf, 1.0f},
      {UnaryOp::Sigmoid, -inf, 0.0f}, {UnaryOp::Erf, inf, 1.0f},    {UnaryOp::Erf, -inf, -1.0f},
      {UnaryOp::Erf, 0.0f, 0.0f},    {UnaryOp::Gelu, inf, inf},     {UnaryOp::GeluTanh, inf, inf},
      {UnaryOp::Relu, nan, 0.0f},    {UnaryOp::Silu, inf, inf},
  };
  const std::vector<UnaryOp> nan_in_nan_out = {UnaryOp::Exp, UnaryOp::Log, UnaryOp::Tanh, UnaryOp::Sigmoid,
                                               UnaryOp::Erf, UnaryOp::Gelu, UnaryOp::GeluTanh, UnaryOp::Silu,
                                               UnaryOp::LeakyRelu, UnaryOp::HardSigmoid, UnaryOp::HardSwish,
                                               UnaryOp::Clip};
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (const Special& c : cases) {
      float y = 123.0f;
      k->unary(c.op, 1, &c.x, &y, 0.0f, 1.0f);
      if (std::isnan(c.want)) CHECK_MESSAGE(std::isnan(y), k->isa, " ", kernels::unary_op_name(c.op), "(", c.x, ") = ", y);
      else CHECK_MESSAGE(y == c.want, k->isa, " ", kernels::unary_op_name(c.op), "(", c.x, ") = ", y);
    }
    for (UnaryOp op : nan_in_nan_out) {
      float y = 0.0f;
      k->unary(op, 1, &nan, &y, 0.1f, 1.0f);
      CHECK_MESSAGE(std::isnan(y), k->isa, " ", kernels::unary_op_name(op), "(NaN) = ", y);
    }
  }
}

}  // namespace
}  // namespace ember::test
