// The quantization rewrites on small hand-built graphs: which nodes they produce (Q/DQ only at
// the edges of int8 regions, Relu absorbed, pass-through on uint8) and that the result stays
// close to the float model. Comparisons with onnxruntime are in tests/python/test_quantize*.py.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "opt/graph_builder.h"
#include "opt/pattern.h"
#include "opt/quantize/calibrate.h"
#include "opt/quantize/rewrites.h"
#include "ops/graph_inference.h"
#include "runtime/session.h"

namespace ember::test {

namespace {

Tensor randn(const Dims& shape, std::mt19937_64& rng, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  Tensor t(DType::Float32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

ir::Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a;
  a.name = name;
  a.type = ir::AttrType::Ints;
  a.ints = std::move(v);
  return a;
}

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.data<float>()[i], y = b.data<float>()[i];
    ab += x * y, aa += x * x, bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

// x [2, 3, 9, 9] -> Conv(3->8, 3x3) -> Relu -> MaxPool 2x2 -> Conv(8->5, 1x1, bias) -> Flatten
// -> Gemm(5*3*3 -> 7, transB) : a float output at the end.
GraphBuilder conv_net(std::mt19937_64& rng) {
  GraphBuilder b(17);
  ir::Value* x = b.input("x", DType::Float32, {2, 3, 9, 9});
  ir::Value* c1 = b.node("Conv", {x, b.constant("w1", randn({8, 3, 3, 3}, rng, 0.3f)), b.constant("b1", randn({8}, rng))},
                         {opt::attr_int("group", 1)}, "conv1");
  ir::Value* r1 = b.node("Relu", {c1}, {}, "relu1");
  ir::Value* p = b.node("MaxPool", {r1}, {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})},
                        "pool");
  ir::Value* c2 = b.node("Conv", {p, b.constant("w2", randn({5, 8, 1, 1}, rng, 0.3f)), b.constant("b2", randn({5}, rng))},
                         {}, "conv2");
  ir::Value* f = b.node("Flatten", {c2}, {}, "flatten");
  ir::Value* y = b.node("Gemm", {f, b.constant("wg", randn({7, 45}, rng, 0.2f)), b.constant("bg", randn({7}, rng))},
                        {opt::attr_int("transB", 1)}, "gemm");
  b.output(y);
  ops::infer_graph(b.g(), ops::OpRegistry::global());
  return b;
}

std::map<std::string, size_t> op_counts(const ir::Graph& g) {
  std::map<std::string, size_t> c;
  for (const auto& n : g.nodes()) ++c[n->op_type];
  return c;
}

Tensor run(std::shared_ptr<ir::Model> m, const Tensor& x) {
  runtime::SessionOptions so;
  so.threads = 1;
  return runtime::Session::from_model(std::move(m), so)->run({{"x", x}}).at(0);
}

}  // namespace

TEST_CASE("quantize_static: QLinearConv with Relu absorbed, uint8 through MaxPool, MatMulInteger for Gemm") {
  std::mt19937_64 rng(123);
  GraphBuilder f32 = conv_net(rng);
  std::mt19937_64 rng2(123);
  GraphBuilder q = conv_net(rng2);  // the same weights

  std::vector<Tensor> feeds;
  for (int i = 0; i < 4; ++i) feeds.push_back(randn({2, 3, 9, 9}, rng));
  opt::quantize::FeedSet set;
  set.count = feeds.size();
  set.get = [&](size_t i) { return runtime::Feeds{{"x", feeds[i]}}; };
  const std::vector<std::string> tensors = opt::quantize::static_calibration_tensors(q.g());
  // conv1's input and (absorbed Relu) output, conv2's input (the pool) and output, the Gemm input.
  CHECK(tensors == std::vector<std::string>{"x", "relu1_out0", "pool_out0", "conv2_out0", "flatten_out0"});
  opt::quantize::CalibrationOptions co;
  co.progress = false;
  const auto ranges = opt::quantize::calibrate(*q.model, tensors, set, co);
  const auto labels = opt::quantize::quantize_static(*q.model, ranges, true);
  CHECK(labels.size() == 5);  // conv1 + relu1, pool, conv2, flatten, gemm
  const auto ops = op_counts(q.g());
  CHECK(ops == std::map<std::string, size_t>{{"Add", 1}, {"Cast", 1}, {"Flatten", 1}, {"MatMulInteger", 1},
                                             {"MaxPool", 1}, {"Mul", 1}, {"QLinearConv", 2}, {"QuantizeLinear", 1}});
  for (const auto& n : q.g().nodes())
    if (n->op_type == "MaxPool" || n->op_type == "Flatten") CHECK(n->outputs[0]->type.dtype == DType::UInt8);
  const Tensor x = randn({2, 3, 9, 9}, rng);
  const double c = cosine(run(q.model, x), run(f32.model, x));
  MESSAGE("cosine int8 vs float32: " << c);
  CHECK(c > 0.99);
}

TEST_CASE("quantize_static: a Clip(0, 6) after a Conv is absorbed like a Relu (ReLU6)") {
  auto build = [](std::mt19937_64& r) {
    GraphBuilder b(17);
    ir::Value* x = b.input("x", DType::Float32, {1, 4, 6, 6});
    ir::Value* c = b.node("Conv", {x, b.constant("w", randn({6, 4, 1, 1}, r, 2.0f))}, {}, "conv");
    b.output(b.node("Clip", {c, b.constant("lo", Tensor::scalar<float>(0.0f)), b.constant("hi", Tensor::scalar<float>(6.0f))},
                    {}, "relu6"));
    ops::infer_graph(b.g(), ops::OpRegistry::global());
    return b;
  };
  std::mt19937_64 r0(3), r1(3), rng(4);
  GraphBuilder f32 = build(r0), q = build(r1);
  std::vector<Tensor> feeds;
  for (int i = 0; i < 3; ++i) feeds.push_back(randn({1, 4, 6, 6}, rng));
  opt::quantize::FeedSet set;
  set.count = feeds.size();
  set.get = [&](size_t i) { return runtime::Feeds{{"x", feeds[i]}}; };
  opt::quantize::CalibrationOptions co;
  co.progress = false;
  const auto tensors = opt::quantize::static_calibration_tensors(q.g());
  CHECK(tensors == std::vector<std::string>{"x", "relu6_out0"});
  const auto labels = opt::quantize::quantize_static(*q.model, opt::quantize::calibrate(*q.model, tensors, set, co), true);
  REQUIRE(labels.size() == 1);
  CHECK(labels[0] == "quantize_static: Conv 'conv' + Clip 'relu6' -> QLinearConv");
  CHECK(op_counts(q.g()) ==
        std::map<std::string, size_t>{{"DequantizeLinear", 1}, {"QLinearConv", 1}, {"QuantizeLinear", 1}});
  CHECK(cosine(run(q.model, feeds[0]), run(f32.model, feeds[0])) > 0.99);
}

TEST_CASE("quantize_static: a tensor without a calibrated range stays float") {
  std::mt19937_64 rng(5);
  GraphBuilder b = conv_net(rng);
  const auto labels = opt::quantize::quantize_static(*b.model, {}, false);
  CHECK(labels.empty());
  CHECK(op_counts(b.g())["Conv"] == 2);
  CHECK(op_counts(b.g())["Gemm"] == 1);
}

TEST_CASE("quantize_dynamic and weight-only: MatMul and Gemm rewritten, outputs close") {
  std::mt19937_64 rng(77);
  auto build = [](std::mt19937_64& r) {
    GraphBuilder b(17);
    ir::Value* x = b.input("x", DType::Float32, {3, 5, 70});
    ir::Value* m = b.node("MatMul", {x, b.constant("w", randn({70, 33}, r, 0.12f))}, {}, "mm");
    ir::Value* a = b.node("Add", {m, b.constant("bias", randn({33}, r))}, {}, "add");
    ir::Value* mean = b.node("ReduceMean", {a}, {ints_attr("axes", {1})},
                             "mean");
    ir::Value* y = b.node("Gemm", {b.node("Reshape", {mean, b.constant("shape", [] {
                                                        Tensor s(DType::Int64, {2});
                                                        s.data<int64_t>()[0] = 3;
                                                        s.data<int64_t>()[1] = 33;
                                                        return s;
                                                      }())}),
                                   b.constant("wg", randn({33, 6}, r, 0.2f))},
                          {}, "gemm");
    b.output(y);
    ops::infer_graph(b.g(), ops::OpRegistry::global());
    return b;
  };
  std::mt19937_64 r0(77);
  GraphBuilder ref = build(r0);
  const Tensor x = randn({3, 5, 70}, rng);
  const Tensor want = run(ref.model, x);

  std::mt19937_64 r1(77);
  GraphBuilder dyn = build(r1);
  CHECK(opt::quantize::quantize_dynamic(*dyn.model, true).size() == 2);
  CHECK(op_counts(dyn.g())["MatMulInteger"] == 2);
  CHECK(op_counts(dyn.g())["DynamicQuantizeLinear"] == 2);
  CHECK(cosine(run(dyn.model, x), want) > 0.99);

  std::mt19937_64 r2(77);
  GraphBuilder wo = build(r2);
  CHECK(opt::quantize::quantize_weight_only(*wo.model, DType::Int4, 32).size() == 2);
  CHECK(wo.model->opset_imports.at("") == 21);
  for (const auto& n : wo.g().nodes()) {
    CHECK(n->opset == 21);
    if (n->op_type == "ReduceMean") {  // axes moved from the attribute to an input at opset 18
      CHECK_FALSE(n->has_attr("axes"));
      CHECK(n->inputs.size() == 2);
    }
  }
  CHECK(op_counts(wo.g())["DequantizeLinear"] == 2);
  CHECK(cosine(run(wo.model, x), want) > 0.99);  // int4: 15 levels per block (measured 0.993)

  std::mt19937_64 r3(77);
  GraphBuilder h = build(r3);
  // Only w (70 x 33 floats) reaches 1 KiB; wg (33 x 6) and the bias stay float32.
  CHECK(opt::quantize::store_weights_fp16(*h.model, 1024).size() == 1);
  CHECK(op_counts(h.g())["Cast"] == 1);
  CHECK(cosine(run(h.model, x), want) > 0.99999);
}

}  // namespace ember::test
