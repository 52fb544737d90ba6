#include "test_util.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <sstream>

#include "runtime/session.h"

namespace ember::test {

uint64_t seed() {
  static const uint64_t s = [] {
    if (const char* env = std::getenv("EMBER_TEST_SEED")) return uint64_t(std::strtoull(env, nullptr, 10));
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007);
  }();
  return s;
}

std::mt19937_64& rng() {
  static std::mt19937_64 r(seed());
  return r;
}

Tensor random_tensor(DType dtype, const Dims& shape, double lo, double hi) {
  Tensor t(dtype, shape);
  const int64_t n = t.numel();
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::string>) {
      for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = "s" + std::to_string(rng()() % 1000);
    } else if constexpr (std::is_same_v<T, bool>) {
      for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = (rng()() & 1) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      std::uniform_int_distribution<int64_t> d{static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
      for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = T(d(rng()));
    } else {
      std::uniform_real_distribution<double> d{lo, hi};
      for (int64_t i = 0; i < n; ++i) t.data<T>()[i] = T(float(d(rng())));
    }
  });
  return t;
}

Tensor make_tensor(DType dtype, const Dims& shape, const std::vector<double>& values) {
  Tensor t(dtype, shape);
  REQUIRE(int64_t(values.size()) == t.numel());
  visit_numeric_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) t.data<T>()[i] = T(float(values[i]));
      else t.data<T>()[i] = T(values[i]);
    }
  });
  return t;
}

std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> out(size_t(t.numel()));
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = double(float(p[i]));
    if constexpr (std::is_same_v<T, double> || std::is_integral_v<T>)
      for (size_t i = 0; i < out.size(); ++i) out[i] = double(p[i]);
  });
  return out;
}

double tier_rtol(Tier t, int64_t k) {
  const double scale = std::sqrt(double(std::max<int64_t>(k, 1)));
  switch (t) {
    case Tier::Exact: return 0.0;
    case Tier::Close: return 1e-6 * scale;
    case Tier::Approximate: return 1e-4 * scale;
  }
  return 0.0;
}

void check_close(const Tensor& got, const Tensor& want, Tier tier, int64_t k, double atol) {
  REQUIRE_MESSAGE(got.dtype() == want.dtype(), "dtype ", dtype_name(got.dtype()), " vs ", dtype_name(want.dtype()));
  REQUIRE_MESSAGE(got.shape() == want.shape(), "shape ", dims_str(got.shape()), " vs ", dims_str(want.shape()));
  if (got.dtype() == DType::String) {
    for (int64_t i = 0; i < got.numel(); ++i)
      REQUIRE_MESSAGE(got.data<std::string>()[i] == want.data<std::string>()[i], "string mismatch at ", i);
    return;
  }
  const std::vector<double> a = to_doubles(got), b = to_doubles(want);
  const double rtol = tier_rtol(tier, k);
  const double abs_tol = tier == Tier::Exact ? 0.0 : atol;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
    const bool ok = both_nan || a[i] == b[i] || std::fabs(a[i] - b[i]) <= abs_tol + rtol * std::fabs(b[i]);
    if (!ok) {
      std::ostringstream os;
      os << "element " << i << ": got " << a[i] << ", want " << b[i] << " (rtol " << rtol << ", atol "
         << abs_tol << ", seed " << seed() << ")";
      FAIL(os.str());
    }
  }
}

void check_close_to_scale(const Tensor& got, const Tensor& want, Tier tier, int64_t k) {
  if (want.dtype() != DType::Float32 || got.dtype() != DType::Float32) return check_close(got, want, tier, k);
  double scale = 0;
  for (int64_t i = 0; i < want.numel(); ++i) scale = std::max(scale, double(std::fabs(want.data<float>()[i])));
  check_close(got, want, tier, k, std::max(1e-6, tier_rtol(tier, k) * scale));
}

ir::Attribute attr_int(const std::string& name, int64_t v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Int; a.i = v; return a;
}
ir::Attribute attr_float(const std::string& name, float v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Float; a.f = v; return a;
}
ir::Attribute attr_string(const std::string& name, const std::string& v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::String; a.s = v; return a;
}
ir::Attribute attr_ints(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Ints; a.ints = std::move(v); return a;
}
ir::Attribute attr_floats(const std::string& name, std::vector<float> v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Floats; a.floats = std::move(v); return a;
}
ir::Attribute attr_tensor(const std::string& name, Tensor v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Tensor; a.t = std::move(v); return a;
}
ir::Attribute attr_strings(const std::string& name, std::vector<std::string> v) {
  ir::Attribute a; a.name = name; a.type = ir::AttrType::Strings; a.strings = std::move(v); return a;
}

std::vector<Tensor> run_op(const OpRun& r) {
  auto model = std::make_shared<ir::Model>();
  model->ir_version = 8;
  model->opset_imports[r.domain] = r.opset;
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  g.name = "run_op_" + r.op_type;
  auto node = std::make_unique<ir::Node>();
  node->name = r.op_type + "_under_test";
  node->op_type = r.op_type;
  node->domain = r.domain;
  node->opset = r.opset;
  runtime::Feeds feeds;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    if (!r.inputs[i].defined()) {
      node->inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = g.add_value("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor(r.inputs[i].dtype(), r.inputs[i].shape());
    const bool constant = std::find(r.constant_inputs.begin(), r.constant_inputs.end(), i) != r.constant_inputs.end();
    if (constant) {
      v->constant = r.inputs[i];
      g.initializers.push_back(v);
    } else {
      v->is_input = true;
      g.inputs.push_back(v);
      feeds.emplace_back(v->name, r.inputs[i]);
    }
    node->inputs.push_back(v);
  }
  for (size_t o = 0; o < r.num_outputs; ++o) {
    ir::Value* v = g.add_value("out" + std::to_string(o));
    v->is_output = true;
    g.outputs.push_back(v);
    node->outputs.push_back(v);
  }
  for (const ir::Attribute& a : r.attrs) node->attrs[a.name] = a;
  g.add_node(std::move(node));
  runtime::SessionOptions opts;
  opts.threads = 2;
  auto session = runtime::Session::from_model(model, opts);
  return session->run(feeds);
}

}  // namespace ember::test
