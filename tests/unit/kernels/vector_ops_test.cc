// The native vector ops (src/backends/cpu/vector/) against the ops' reference kernels (src/ops)
// on the same node and inputs, and, for the ai.ember ops whose reference may not exist yet
// (Attention, SkipLayerNormalization), against straightforward loops in double. Each case also
// checks that the native registry really picked a native kernel (or declined where it should).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/native_registry.h"
#include "backends/cpu/vector/vector_util.h"
#include "ops/eager.h"
#include "support/thread_pool.h"
#include "test_util.h"

namespace ember::test {
namespace {

// One node in its own graph, with typed input values (an undefined tensor = omitted input).
struct OneNode {
  ir::Graph graph;
  ir::Node* node = nullptr;
};

std::unique_ptr<OneNode> make_node(const std::string& op, const std::string& domain, int opset,
                                   const std::vector<Tensor>& inputs, const std::vector<ir::Attribute>& attrs,
                                   size_t outputs = 1) {
  auto n = std::make_unique<OneNode>();
  auto node = std::make_unique<ir::Node>();
  node->name = op + "_under_test";
  node->op_type = op;
  node->domain = domain;
  node->opset = opset;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      node->inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = n->graph.add_value("in" + std::to_string(i));
    v->type = ir::TypeInfo::tensor(inputs[i].dtype(), inputs[i].shape());
    node->inputs.push_back(v);
  }
  for (size_t o = 0; o < outputs; ++o) node->outputs.push_back(n->graph.add_value("out" + std::to_string(o)));
  for (const ir::Attribute& a : attrs) node->attrs[a.name] = a;
  n->node = n->graph.add_node(std::move(node));
  return n;
}

ThreadPool& pool() {
  static ThreadPool p(2);
  return p;
}

std::vector<Tensor> run_kernel(const ops::Kernel& k, const std::vector<Tensor>& inputs, size_t outputs = 1) {
  std::vector<ops::RtValue> values(inputs.size());
  std::vector<const ops::RtValue*> ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    values[i].tensor = inputs[i];
    ptrs.push_back(inputs[i].defined() ? &values[i] : nullptr);
  }
  ops::HeapKernelContext ctx(ptrs, std::vector<bool>(outputs, true), pool());
  k.run(ctx);
  std::vector<Tensor> out;
  for (ops::RtValue& v : ctx.results()) out.push_back(v.tensor);
  return out;
}

std::unique_ptr<ops::Kernel> native(const ir::Node& node) {
  return backends::make_native_kernel(node, runtime::BackendOptions{});
}

// Runs native and reference on the node and compares output 0 (and checks the kernel name).
void native_vs_reference(const std::string& op, int opset, const std::vector<Tensor>& inputs,
                         const std::vector<ir::Attribute>& attrs, Tier tier, int64_t k = 1,
                         const std::string& domain = "", double atol = 1e-6) {
  auto n = make_node(op, domain, opset, inputs, attrs);
  auto fast = native(*n->node);
  REQUIRE_MESSAGE(fast != nullptr, op, " opset ", opset, ": no native kernel");
  CHECK(std::string(fast->name()).rfind("f32_", 0) == 0);
  auto ref = backends::vector::reference_kernel(*n->node);
  REQUIRE(ref != nullptr);
  const std::vector<Tensor> got = run_kernel(*fast, inputs), want = run_kernel(*ref, inputs);
  INFO(op, " opset ", opset, " via ", fast->name(), " input ", dims_str(inputs[0].shape()));
  check_close(got[0], want[0], tier, k, atol);
}

Tensor rnd(const Dims& shape, double lo = -3, double hi = 3) { return random_tensor(DType::Float32, shape, lo, hi); }

TEST_CASE("native vector ops: activations match the reference kernels") {
  for (const Dims& shape : {Dims{3, 1000}, Dims{7, 17}, Dims{1}, Dims{40000}}) {
    const Tensor x = rnd(shape, -6, 6);
    for (const char* op : {"Relu", "Sigmoid", "Tanh", "Erf", "Exp", "HardSwish"})
      native_vs_reference(op, 14, {x}, {}, Tier::Close);
    native_vs_reference("LeakyRelu", 16, {x}, {attr_float("alpha", 0.3f)}, Tier::Close);
    native_vs_reference("HardSigmoid", 6, {x}, {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)}, Tier::Close);
    native_vs_reference("Gelu", 20, {x}, {}, Tier::Close);
    native_vs_reference("Gelu", 20, {x}, {attr_string("approximate", "tanh")}, Tier::Close);
    native_vs_reference("Clip", 13, {x, make_tensor(DType::Float32, {}, {-0.5}), make_tensor(DType::Float32, {}, {2})},
                        {}, Tier::Exact);
    native_vs_reference("Clip", 13, {x, Tensor(), make_tensor(DType::Float32, {}, {2})}, {}, Tier::Exact);
    native_vs_reference("Clip", 6, {x}, {attr_float("min", -1.0f), attr_float("max", 0.5f)}, Tier::Exact);
  }
}

TEST_CASE("native vector ops: ai.ember Gelu matches 0.5 x (1 + erf(x / sqrt 2))") {
  const Tensor x = rnd({5, 129}, -6, 6);
  for (const char* approx : {"none", "tanh"}) {
    auto n = make_node("Gelu", "ai.ember", 1, {x}, {attr_string("approximate", approx)});
    auto k = native(*n->node);
    REQUIRE(k != nullptr);
    const Tensor y = run_kernel(*k, {x})[0];
    const float* xp = x.data<float>();
    std::vector<double> want;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double v = xp[i];
      want.push_back(std::string(approx) == "none"
                         ? 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)))
                         : 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
    }
    check_close(y, make_tensor(DType::Float32, x.shape(), want), Tier::Close);
  }
}

TEST_CASE("native vector ops: Add/Sub/Mul/Div broadcasting patterns, and the fallback for others") {
  struct Case {
    Dims a, b;
  };
  const std::vector<Case> cases = {
      {{2, 3, 17}, {2, 3, 17}}, {{2, 3, 17}, {}},     {{}, {2, 3, 17}},         {{2, 3, 17}, {17}},
      {{17}, {2, 3, 17}},       {{2, 3, 5, 7}, {3, 1, 1}}, {{1, 3, 1, 1}, {2, 3, 5, 7}}, {{2, 3, 17}, {1, 1, 17}},
      {{2, 1, 17}, {2, 3, 17}}, {{4, 1}, {1, 5}},     {{1, 1}, {5}},            {{70000}, {70000}},
  };
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const Case& c : cases) {
      const Tensor a = rnd(c.a), b = rnd(c.b, 0.5, 2.0);
      native_vs_reference(op, 14, {a, b}, {}, Tier::Exact);
    }
  }
  // Legacy broadcasting (opset < 7) and other dtypes are the reference's.
  auto legacy = make_node("Add", "", 6, {rnd({2, 3}), rnd({3})}, {});
  CHECK(native(*legacy->node) == nullptr);
  auto ints = make_node("Add", "", 14, {random_tensor(DType::Int32, {3}), random_tensor(DType::Int32, {3})}, {});
  CHECK(native(*ints->node) == nullptr);
}

TEST_CASE("native vector ops: Softmax over the last axis; other axes left to the reference") {
  for (const Dims& shape : {Dims{2, 5, 129}, Dims{12, 7}, Dims{1}, Dims{3, 1000}}) {
    const Tensor x = rnd(shape, -8, 8);
    native_vs_reference("Softmax", 13, {x}, {}, Tier::Close, shape.back());
    native_vs_reference("Softmax", 11, {x}, {attr_int("axis", int64_t(shape.size()) - 1)}, Tier::Close, shape.back());
  }
  auto mid = make_node("Softmax", "", 13, {rnd({2, 5, 7})}, {attr_int("axis", 1)});
  CHECK(native(*mid->node) == nullptr);
  auto old_default = make_node("Softmax", "", 11, {rnd({2, 5, 7})}, {});  // axis 1, coerced to 2-D
  CHECK(native(*old_default->node) == nullptr);
}

TEST_CASE("native vector ops: LayerNormalization matches the reference") {
  // Scale and B in [-3, 3]: outputs are sums of terms up to ~10 that may cancel to near 0, so
  // the absolute tolerance is the Close tier relative to the terms' size.
  auto native_vs_reference = [](const std::string& op, int opset, const std::vector<Tensor>& in,
                                const std::vector<ir::Attribute>& attrs, Tier tier, int64_t k) {
    test::native_vs_reference(op, opset, in, attrs, tier, k, "", 1e-5);
  };
  const Tensor x = rnd({2, 7, 63}, 5, 9);
  native_vs_reference("LayerNormalization", 17, {x, rnd({63}), rnd({63})}, {}, Tier::Close, 63);
  native_vs_reference("LayerNormalization", 17, {x, rnd({63})}, {attr_float("epsilon", 1e-3f)}, Tier::Close, 63);
  native_vs_reference("LayerNormalization", 17, {x, rnd({7, 63}), rnd({7, 63})}, {attr_int("axis", 1)}, Tier::Close,
                      7 * 63);
  // Scale broadcast inside the normalised block: the native kernel falls back to the reference.
  native_vs_reference("LayerNormalization", 17, {x, rnd({63}), rnd({63})}, {attr_int("axis", 1)}, Tier::Close, 7 * 63);
  {  // ai.ember LayerNormalization: ONNX opset 17 semantics, so the ONNX reference is the yardstick.
    const std::vector<Tensor> in = {x, rnd({63}), rnd({63})};
    auto ember_node = make_node("LayerNormalization", "ai.ember", 1, in, {});
    auto onnx_node = make_node("LayerNormalization", "", 17, in, {});
    auto fast = native(*ember_node->node);
    REQUIRE(fast != nullptr);
    check_close(run_kernel(*fast, in)[0], run_kernel(*backends::vector::reference_kernel(*onnx_node->node), in)[0],
                Tier::Close, 63, 1e-5);
  }
  auto stats = make_node("LayerNormalization", "", 17, {x, rnd({63})}, {}, 3);
  CHECK(native(*stats->node) == nullptr);  // Mean / InvStdDev outputs: reference
}

TEST_CASE("native vector ops: ai.ember SkipLayerNormalization matches a loop in double") {
  const int64_t rows = 2 * 5, c = 77;
  const Tensor x = rnd({2, 5, c}), skip = rnd({2, 5, c}), gamma = rnd({c}), beta = rnd({c}), bias = rnd({c});
  for (int variant = 0; variant < 4; ++variant) {
    const bool with_beta = variant & 1, with_bias = variant & 2;
    std::vector<Tensor> in = {x, skip, gamma, with_beta ? beta : Tensor(), with_bias ? bias : Tensor()};
    auto n = make_node("SkipLayerNormalization", "ai.ember", 1, in, {attr_float("epsilon", 1e-5f)}, 2);
    auto k = native(*n->node);
    REQUIRE(k != nullptr);
    const std::vector<Tensor> got = run_kernel(*k, in, 2);
    std::vector<double> want_y, want_s;
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<double> s(static_cast<size_t>(c));
      double mean = 0, var = 0;
      for (int64_t i = 0; i < c; ++i) {
        s[size_t(i)] = double(x.data<float>()[r * c + i]) + skip.data<float>()[r * c + i] +
                       (with_bias ? bias.data<float>()[i] : 0.0f);
        mean += s[size_t(i)] / double(c);
      }
      for (double v : s) var += (v - mean) * (v - mean) / double(c);
      for (int64_t i = 0; i < c; ++i) {
        want_s.push_back(s[size_t(i)]);
        want_y.push_back((s[size_t(i)] - mean) / std::sqrt(var + 1e-5) * gamma.data<float>()[i] +
                         (with_beta ? beta.data<float>()[i] : 0.0f));
      }
    }
    // Close tier relative to the terms' size (|normalised * gamma| and |beta| up to ~10 with these
    // inputs), hence the absolute 1e-5 for outputs that cancel to near 0.
    check_close(got[0], make_tensor(DType::Float32, x.shape(), want_y), Tier::Close, c, 1e-5);
    check_close(got[1], make_tensor(DType::Float32, x.shape(), want_s), Tier::Close);
  }
  auto bad = make_node("SkipLayerNormalization", "ai.ember", 1, {x, rnd({2, 5, 3}), gamma}, {});
  auto k = native(*bad->node);
  REQUIRE(k != nullptr);
  CHECK(status_of([&] { run_kernel(*k, {x, rnd({2, 5, 3}), gamma}); }) == Status::ShapeMismatch);
}

TEST_CASE("native vector ops: MaxPool / AveragePool / GlobalAveragePool match the reference") {
  const Tensor x = rnd({2, 3, 17, 19});
  for (int64_t ceil_mode : {0, 1}) {
    for (int64_t stride : {1, 2, 3}) {
      const std::vector<ir::Attribute> a = {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {stride, stride}),
                                            attr_ints("pads", {1, 1, 1, 1}), attr_int("ceil_mode", ceil_mode)};
      native_vs_reference("MaxPool", 12, {x}, a, Tier::Exact);
      for (int64_t cip : {0, 1}) {
        std::vector<ir::Attribute> b = a;
        b.push_back(attr_int("count_include_pad", cip));
        native_vs_reference("AveragePool", 11, {x}, b, Tier::Close, 9);
      }
    }
  }
  native_vs_reference("MaxPool", 12, {x}, {attr_ints("kernel_shape", {2, 4}), attr_string("auto_pad", "SAME_UPPER")},
                      Tier::Exact);
  native_vs_reference("AveragePool", 11, {x}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})},
                      Tier::Close, 4);
  native_vs_reference("GlobalAveragePool", 1, {x}, {}, Tier::Close, 17 * 19);
  native_vs_reference("GlobalAveragePool", 1, {rnd({1, 64, 56, 56})}, {}, Tier::Close, 56 * 56);
  auto dilated = make_node("MaxPool", "", 12, {x}, {attr_ints("kernel_shape", {3, 3}), attr_ints("dilations", {2, 2})});
  CHECK(native(*dilated->node) == nullptr);
  auto indices = make_node("MaxPool", "", 12, {x}, {attr_ints("kernel_shape", {3, 3})}, 2);
  CHECK(native(*indices->node) == nullptr);
}

// Y[b, s, h*Dv + d] = sum_t softmax_t(scale Q.K + mask) V, in double.
// An int64 vector tensor (the axes input of the opset-18 Reduce* form).
Tensor int64s(const std::vector<int64_t>& v) {
  Tensor t(DType::Int64, {int64_t(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

TEST_CASE("native vector ops: ReduceMean / ReduceSum match the reference for every axis set and form") {
  // Innermost axes (after size-1 dims drop out) take the native path, the others fall back.
  struct Case {
    Dims shape;
    std::vector<int64_t> axes;  // empty: all axes
  };
  const std::vector<Case> cases = {
      {{2, 3, 17, 19}, {3}},    {{2, 3, 17, 19}, {-1}},        {{2, 3, 17, 19}, {2, 3}}, {{2, 3, 17, 19}, {-2, -1}},
      {{2, 3, 17, 19}, {1, 2, 3}}, {{2, 3, 17, 19}, {}},        {{2, 3, 17, 19}, {1}},    {{2, 3, 17, 19}, {0, 2}},
      {{4, 1, 7}, {2}},         {{4, 1, 7}, {1, 2}},           {{4, 7, 1}, {1}},         {{3, 5000}, {-1}},
      {{1, 128, 768}, {-1}},
  };
  for (const Case& c : cases) {
    const Tensor x = rnd(c.shape);
    int64_t k = 1;
    for (size_t i = 0; i < c.shape.size(); ++i)
      if (c.axes.empty() || std::count(c.axes.begin(), c.axes.end(), int64_t(i)) ||
          std::count(c.axes.begin(), c.axes.end(), int64_t(i) - int64_t(c.shape.size())))
        k *= c.shape[i];
    for (int64_t keep : {0, 1}) {
      CAPTURE(keep);
      std::vector<ir::Attribute> attr_form = {attr_int("keepdims", keep)};
      if (!c.axes.empty()) attr_form.push_back(attr_ints("axes", c.axes));
      native_vs_reference("ReduceMean", 13, {x}, attr_form, Tier::Close, k);
      native_vs_reference("ReduceSum", 11, {x}, attr_form, Tier::Close, k, "", 1e-5);
      native_vs_reference("ReduceMean", 18, {x, int64s(c.axes)}, {attr_int("keepdims", keep)}, Tier::Close, k);
      native_vs_reference("ReduceSum", 13, {x, int64s(c.axes)}, {attr_int("keepdims", keep)}, Tier::Close, k, "",
                          1e-5);
    }
  }
  // noop_with_empty_axes: an empty axes input reduces nothing (the reference's identity).
  native_vs_reference("ReduceMean", 18, {rnd({3, 4}), int64s({})}, {attr_int("noop_with_empty_axes", 1)},
                      Tier::Exact);
  // Other element types are the reference's.
  auto ints = make_node("ReduceMean", "", 13, {random_tensor(DType::Int32, {3, 4})}, {});
  CHECK(native(*ints->node) == nullptr);
}

std::vector<double> attention_loop(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask, int64_t H,
                                   double scale) {
  const int64_t B = q.dim(0), S = q.dim(1), T = k.dim(1), Dh = q.dim(2) / H, Dv = v.dim(2) / H;
  std::vector<double> y(static_cast<size_t>(B * S * H * Dv));
  const Dims full = {B, H, S, T};
  std::vector<int64_t> ms(4, 0);
  if (mask) {
    int64_t stride = 1;
    for (int64_t i = int64_t(mask->rank()) - 1, j = 3; i >= 0; --i, --j) {
      ms[size_t(j)] = mask->dim(size_t(i)) == 1 ? 0 : stride;
      stride *= mask->dim(size_t(i));
    }
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t s = 0; s < S; ++s) {
        std::vector<double> p(static_cast<size_t>(T));
        double mx = -1e300, sum = 0;
        for (int64_t t = 0; t < T; ++t) {
          double dot = 0;
          for (int64_t d = 0; d < Dh; ++d)
            dot += double(q.data<float>()[(b * S + s) * H * Dh + h * Dh + d]) * k.data<float>()[(b * T + t) * H * Dh + h * Dh + d];
          p[size_t(t)] = scale * dot + (mask ? mask->data<float>()[b * ms[0] + h * ms[1] + s * ms[2] + t * ms[3]] : 0.0);
          mx = std::max(mx, p[size_t(t)]);
        }
        for (double& e : p) sum += (e = std::exp(e - mx));
        for (int64_t d = 0; d < Dv; ++d) {
          double acc = 0;
          for (int64_t t = 0; t < T; ++t) acc += p[size_t(t)] / sum * v.data<float>()[(b * T + t) * H * Dv + h * Dv + d];
          y[size_t((b * S + s) * H * Dv + h * Dv + d)] = acc;
        }
      }
  return y;
}

TEST_CASE("native vector ops: ai.ember Attention matches a loop in double") {
  const int64_t B = 2, S = 5, T = 7, H = 3, Dh = 4, Dv = 6;
  const Tensor q = rnd({B, S, H * Dh}), k = rnd({B, T, H * Dh}), v = rnd({B, T, H * Dv});
  // {B, 1, S, 1} is constant along t: the row loop, not the score GEMM's epilogue, adds it.
  const std::vector<Dims> masks = {{}, {B, 1, 1, T}, {S, T}, {B, H, S, T}, {1, T}, {B, 1, S, 1}};
  for (size_t mi = 0; mi < masks.size(); ++mi) {
    for (bool explicit_scale : {false, true}) {
      const bool with_mask = mi > 0;
      const Tensor mask = with_mask ? rnd(masks[mi], -4, 0) : Tensor();
      std::vector<ir::Attribute> attrs = {attr_int("num_heads", H)};
      if (explicit_scale) attrs.push_back(attr_float("scale", 0.3f));
      std::vector<Tensor> in = {q, k, v};
      if (with_mask) in.push_back(mask);
      auto n = make_node("Attention", "ai.ember", 1, in, attrs);
      auto kern = native(*n->node);
      REQUIRE(kern != nullptr);
      CHECK(std::string(kern->name()).rfind("f32_attention__", 0) == 0);
      const Tensor y = run_kernel(*kern, in)[0];
      const double scale = explicit_scale ? double(0.3f) : 1.0 / std::sqrt(double(Dh));
      INFO("mask ", with_mask ? dims_str(masks[mi]) : "none", " scale ", scale);
      check_close(y, make_tensor(DType::Float32, {B, S, H * Dv}, attention_loop(q, k, v, with_mask ? &mask : nullptr, H, scale)),
                  Tier::Close, T);
    }
  }
  // A bigger, BERT-like head size through the packed GEMM path.
  const Tensor q2 = rnd({1, 33, 2 * 64}, -1, 1), k2 = rnd({1, 33, 2 * 64}, -1, 1), v2 = rnd({1, 33, 2 * 64}, -1, 1);
  auto n = make_node("Attention", "ai.ember", 1, {q2, k2, v2}, {attr_int("num_heads", 2)});
  auto kern = native(*n->node);
  REQUIRE(kern != nullptr);
  check_close(run_kernel(*kern, {q2, k2, v2})[0],
              make_tensor(DType::Float32, q2.shape(), attention_loop(q2, k2, v2, nullptr, 2, 1.0 / 8.0)), Tier::Close, 64);
  // nan_probs_to_zero: query 1 of batch 0 has every key masked with -inf (a NaN Softmax row),
  // whose output becomes 0; the other queries are as without the attribute.
  Tensor hard = rnd({B, 1, S, T}, -4, 0);
  for (int64_t t = 0; t < T; ++t) hard.data<float>()[1 * T + t] = -INFINITY;
  auto guarded = make_node("Attention", "ai.ember", 1, {q, k, v, hard},
                           {attr_int("num_heads", H), attr_int("nan_probs_to_zero", 1)});
  auto gk = native(*guarded->node);
  REQUIRE(gk != nullptr);
  std::vector<double> want = attention_loop(q, k, v, &hard, H, 1.0 / std::sqrt(double(Dh)));
  for (int64_t c = 0; c < H * Dv; ++c) want[size_t(1 * H * Dv + c)] = 0.0;  // batch 0, query 1
  check_close(run_kernel(*gk, {q, k, v, hard})[0], make_tensor(DType::Float32, {B, S, H * Dv}, want), Tier::Close, T);
  // A mask that does not broadcast is refused by name.
  auto bad = make_node("Attention", "ai.ember", 1, {q, k, v, rnd({3, T})}, {attr_int("num_heads", H)});
  auto bk = native(*bad->node);
  REQUIRE(bk != nullptr);
  CHECK(status_of([&] { run_kernel(*bk, {q, k, v, rnd({3, T})}); }) == Status::ShapeMismatch);
}

// The columns [c0, c0 + w) of a [B, S, C] tensor.
Tensor columns(const Tensor& x, int64_t c0, int64_t w) {
  Tensor y(DType::Float32, {x.dim(0), x.dim(1), w});
  for (int64_t r = 0; r < x.dim(0) * x.dim(1); ++r)
    for (int64_t c = 0; c < w; ++c) y.data<float>()[r * w + c] = x.data<float>()[r * x.dim(2) + c0 + c];
  return y;
}

TEST_CASE("native vector ops: ai.ember Attention on a packed QKV matches a loop in double") {
  // S = 129 and Dh = 64: several GEMM row strips and column panels, as BERT's heads.
  for (const auto& [B, S, H, Dh] : {std::tuple{2, 7, 3, 4}, std::tuple{1, 129, 2, 64}, std::tuple{1, 1, 1, 1}}) {
    const Tensor qkv = rnd({B, S, 3 * H * Dh}, -1, 1);
    const Tensor q = columns(qkv, 0, H * Dh), k = columns(qkv, H * Dh, H * Dh), v = columns(qkv, 2 * H * Dh, H * Dh);
    for (const Dims& mdims : std::vector<Dims>{{}, {B, 1, 1, S}, {B, H, S, S}, {B, 1, S, 1}}) {
      const bool with_mask = !mdims.empty();
      const Tensor mask = with_mask ? rnd(mdims, -4, 0) : Tensor();
      std::vector<Tensor> in = {qkv, Tensor(), Tensor()};
      if (with_mask) in.push_back(mask);
      auto n = make_node("Attention", "ai.ember", 1, in, {attr_int("num_heads", H)});
      auto kern = native(*n->node);
      REQUIRE(kern != nullptr);
      INFO("S ", S, " H ", H, " Dh ", Dh, " mask ", with_mask ? dims_str(mdims) : "none");
      const Tensor want = make_tensor(DType::Float32, {B, S, H * Dh},
                                      attention_loop(q, k, v, with_mask ? &mask : nullptr, H, 1.0 / std::sqrt(double(Dh))));
      check_close(run_kernel(*kern, in)[0], want, Tier::Close, S);
      auto ref = backends::vector::reference_kernel(*n->node);
      REQUIRE(ref != nullptr);
      check_close(run_kernel(*ref, in)[0], want, Tier::Close, S);
    }
  }
  // A packed width that is not 3 * num_heads * Dh, and K without V, are refused by name.
  const Tensor bad = rnd({1, 4, 10});
  auto n = make_node("Attention", "ai.ember", 1, {bad, Tensor(), Tensor()}, {attr_int("num_heads", 2)});
  auto kern = native(*n->node);
  REQUIRE(kern != nullptr);
  CHECK(status_of([&] { run_kernel(*kern, {bad, Tensor(), Tensor()}); }) == Status::ShapeMismatch);
  const Tensor q = rnd({1, 4, 6});
  auto half = make_node("Attention", "ai.ember", 1, {q, q, Tensor()}, {attr_int("num_heads", 2)});
  auto hk = native(*half->node);
  REQUIRE(hk != nullptr);
  CHECK(status_of([&] { run_kernel(*hk, {q, q, Tensor()}); }) == Status::InvalidModel);
}

}  // namespace
}  // namespace ember::test
