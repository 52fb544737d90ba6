// Activation functions: Relu, LeakyRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish,
// Tanh, Softplus, Softsign, Gelu, Mish, ThresholdedRelu. Attributes are read once when the
// kernel is built; their defaults are the spec's. Opsets before 6 only differ by the ignored
// `consumed_inputs` hint, so one schema per op covers every version.
#include <algorithm>
#include <cmath>

#include "ops/elementwise/ew_kernels.h"
#include "ops/elementwise/ew_ops.h"

namespace ember::ops::ew {
namespace {

// Clamps to [0, 1]; keeps NaN (both comparisons false).
template <class C>
C clamp01(C v) {
  return v < C(0) ? C(0) : (v > C(1) ? C(1) : v);
}

// log(1 + exp(x)) without overflow for large x.
template <class C>
C softplus(C x) {
  return x > C(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

struct Relu {
  static constexpr int64_t grain = kCheapGrain;
  explicit Relu(const ir::Node&) {}
  template <class C> C operator()(C x) const { return x > C(0) ? x : C(0); }
};

struct LeakyRelu {
  static constexpr int64_t grain = kCheapGrain;
  float alpha;
  explicit LeakyRelu(const ir::Node& n) : alpha(n.attr_float("alpha", 0.01f)) {}
  template <class C> C operator()(C x) const { return x >= C(0) ? x : C(alpha) * x; }
};

struct Elu {
  static constexpr int64_t grain = kCostlyGrain;
  float alpha;
  explicit Elu(const ir::Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  template <class C> C operator()(C x) const { return x >= C(0) ? x : C(alpha) * std::expm1(x); }
};

struct Selu {
  static constexpr int64_t grain = kCostlyGrain;
  float alpha, gamma;
  explicit Selu(const ir::Node& n)
      : alpha(n.attr_float("alpha", 1.67326319217681884765625f)),
        gamma(n.attr_float("gamma", 1.05070102214813232421875f)) {}
  template <class C> C operator()(C x) const {
    return x > C(0) ? C(gamma) * x : C(gamma) * C(alpha) * std::expm1(x);
  }
};

struct Celu {
  static constexpr int64_t grain = kCostlyGrain;
  float alpha;
  explicit Celu(const ir::Node& n) : alpha(n.attr_float("alpha", 1.0f)) {
    EMBER_CHECK(alpha != 0.0f, InvalidModel, n.describe(), ": attribute 'alpha' must not be 0");
  }
  template <class C> C operator()(C x) const {
    return std::max(C(0), x) + std::min(C(0), C(alpha) * std::expm1(x / C(alpha)));
  }
};

struct Sigmoid {
  static constexpr int64_t grain = kCostlyGrain;
  explicit Sigmoid(const ir::Node&) {}
  template <class C> C operator()(C x) const {
    if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
    const C e = std::exp(x);  // avoids exp overflow for very negative x
    return e / (C(1) + e);
  }
};

struct HardSigmoid {
  static constexpr int64_t grain = kCheapGrain;
  float alpha, beta;
  explicit HardSigmoid(const ir::Node& n)
      : alpha(n.attr_float("alpha", 0.2f)), beta(n.attr_float("beta", 0.5f)) {}
  template <class C> C operator()(C x) const { return clamp01(C(alpha) * x + C(beta)); }
};

struct HardSwish {
  static constexpr int64_t grain = kCheapGrain;
  explicit HardSwish(const ir::Node&) {}
  template <class C> C operator()(C x) const { return x * clamp01(x / C(6) + C(0.5)); }
};

struct Tanh {
  static constexpr int64_t grain = kCostlyGrain;
  explicit Tanh(const ir::Node&) {}
  template <class C> C operator()(C x) const { return std::tanh(x); }
};

struct Softplus {
  static constexpr int64_t grain = kCostlyGrain;
  explicit Softplus(const ir::Node&) {}
  template <class C> C operator()(C x) const { return softplus(x); }
};

struct Softsign {
  static constexpr int64_t grain = kCheapGrain;
  explicit Softsign(const ir::Node&) {}
  template <class C> C operator()(C x) const { return x / (C(1) + std::abs(x)); }
};

struct Mish {
  static constexpr int64_t grain = kCostlyGrain;
  explicit Mish(const ir::Node&) {}
  template <class C> C operator()(C x) const { return x * std::tanh(softplus(x)); }
};

struct ThresholdedRelu {
  static constexpr int64_t grain = kCheapGrain;
  float alpha;
  explicit ThresholdedRelu(const ir::Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  template <class C> C operator()(C x) const { return x > C(alpha) ? x : C(0); }
};

struct Gelu {
  static constexpr int64_t grain = kCostlyGrain;
  bool tanh_approx = false;
  explicit Gelu(const ir::Node& n) {
    const std::string a = n.attr_string("approximate", "none");
    EMBER_CHECK(a == "none" || a == "tanh", Unsupported, n.describe(),
                ": attribute 'approximate' = '", a, "' is not supported (expected 'none' or 'tanh')");
    tanh_approx = a == "tanh";
  }
  template <class C> C operator()(C x) const {
    if (tanh_approx) {
      const C k = C(0.7978845608028654);  // sqrt(2 / pi)
      return C(0.5) * x * (C(1) + std::tanh(k * (x + C(0.044715) * x * x * x)));
    }
    return C(0.5) * x * (C(1) + std::erf(x * C(0.7071067811865476)));  // x / sqrt(2)
  }
};

}  // namespace

void add_activation_ops(OpRegistry& r) {
  constexpr TypeSet F = TypeSet::Float;
  add_unary<Relu, TypeSet::Signed>(r, "Relu");  // integers since opset 14
  add_unary<LeakyRelu, F>(r, "LeakyRelu");
  add_unary<Elu, F>(r, "Elu");
  add_unary<Selu, F>(r, "Selu");
  add_unary<Celu, F>(r, "Celu");
  add_unary<Sigmoid, F>(r, "Sigmoid");
  add_unary<HardSigmoid, F>(r, "HardSigmoid");
  add_unary<HardSwish, F>(r, "HardSwish");
  add_unary<Tanh, F>(r, "Tanh");
  add_unary<Softplus, F>(r, "Softplus");
  add_unary<Softsign, F>(r, "Softsign");
  add_unary<Mish, F>(r, "Mish");
  add_unary<ThresholdedRelu, F>(r, "ThresholdedRelu");
  add_unary<Gelu, F>(r, "Gelu", 20);
}

}  // namespace ember::ops::ew
