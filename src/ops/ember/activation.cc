#include "ops/ember/activation.h"

#include <algorithm>
#include <cmath>

namespace ember::ops::ember_op {

namespace {

constexpr ActKind kAll[] = {ActKind::None,    ActKind::Relu,        ActKind::LeakyRelu, ActKind::Clip,
                            ActKind::Sigmoid, ActKind::HardSigmoid, ActKind::HardSwish, ActKind::Silu,
                            ActKind::Gelu,    ActKind::GeluTanh};

}  // namespace

const char* Activation::name_of(ActKind kind) {
  switch (kind) {
    case ActKind::None: return "";
    case ActKind::Relu: return "Relu";
    case ActKind::LeakyRelu: return "LeakyRelu";
    case ActKind::Clip: return "Clip";
    case ActKind::Sigmoid: return "Sigmoid";
    case ActKind::HardSigmoid: return "HardSigmoid";
    case ActKind::HardSwish: return "HardSwish";
    case ActKind::Silu: return "Silu";
    case ActKind::Gelu: return "Gelu";
    case ActKind::GeluTanh: return "GeluTanh";
  }
  return "?";
}

size_t Activation::param_count(ActKind kind) {
  switch (kind) {
    case ActKind::LeakyRelu: return 1;
    case ActKind::Clip:
    case ActKind::HardSigmoid: return 2;
    default: return 0;
  }
}

Activation Activation::parse(const ir::Node& node) {
  const std::string name = node.attr_string("activation", "");
  const std::vector<float> params = node.attr_floats("activation_params");
  Activation a;
  const ActKind* found = std::find_if(std::begin(kAll), std::end(kAll), [&](ActKind k) { return name == name_of(k); });
  EMBER_CHECK(found != std::end(kAll), InvalidModel, node.describe(), ": unknown activation '", name,
              "' (expected one of Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Silu, Gelu, GeluTanh)");
  a.kind = *found;
  EMBER_CHECK(params.size() == param_count(a.kind), InvalidModel, node.describe(), ": activation '", name,
              "' takes ", param_count(a.kind), " activation_params, given ", params.size());
  if (!params.empty()) a.p0 = params[0];
  if (params.size() > 1) a.p1 = params[1];
  EMBER_CHECK(a.kind != ActKind::Clip || a.p0 <= a.p1, InvalidModel, node.describe(), ": Clip min ", a.p0,
              " is greater than max ", a.p1);
  return a;
}

float Activation::apply(float x) const {
  switch (kind) {
    case ActKind::None: return x;
    case ActKind::Relu: return x > 0 ? x : 0.0f;
    case ActKind::LeakyRelu: return x >= 0 ? x : p0 * x;
    case ActKind::Clip: return std::min(std::max(x, p0), p1);
    case ActKind::Sigmoid: return float(1.0 / (1.0 + std::exp(-double(x))));
    case ActKind::HardSigmoid: return std::min(1.0f, std::max(0.0f, p0 * x + p1));
    case ActKind::HardSwish: return x * std::min(1.0f, std::max(0.0f, x / 6.0f + 0.5f));
    case ActKind::Silu: return float(double(x) / (1.0 + std::exp(-double(x))));
    case ActKind::Gelu: return float(0.5 * double(x) * (1.0 + std::erf(double(x) / std::sqrt(2.0))));
    case ActKind::GeluTanh: {
      const double d = x, c = std::sqrt(2.0 / M_PI);
      return float(0.5 * d * (1.0 + std::tanh(c * (d + 0.044715 * d * d * d))));
    }
  }
  return x;
}

void Activation::apply(float* data, int64_t n) const {
  if (kind == ActKind::None) return;
  for (int64_t i = 0; i < n; ++i) data[i] = apply(data[i]);
}

}  // namespace ember::ops::ember_op
