// Verify mode: a correct optimization passes; a deliberately broken rewrite (a test-only pass
// that swaps the inputs of a Sub, or changes a constant) is named exactly by the bisection,
// among correct rewrites before and after it.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/graph_edit.h"
#include "opt/verify.h"
#include "test_util.h"

using namespace ember;

namespace {

// Plenty of correct rewrites around the Sub: Identity chains, a folded constant, a dead node.
std::shared_ptr<ir::Model> model_with_sub() {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {3, 4});
  ir::Value* y = b.input("y", DType::Float32, {3, 4});
  ir::Value* c = b.constant("c", test::make_tensor(DType::Float32, {4}, {1, 2, 3, 4}));
  ir::Value* cc = b.node("Mul", {c, c}, {}, "cc");
  ir::Value* a = b.node("Identity", {b.node("Relu", {x}, {}, "relu")}, {}, "id1");
  ir::Value* d = b.node("Sub", {b.node("Identity", {a}, {}, "id2"), y}, {}, "the_sub");
  b.node("Neg", {d}, {}, "dead");
  b.output(b.node("Add", {b.node("Identity", {d}, {}, "id3"), cc}, {}, "out"));
  return b.model;
}

class SwapSubInputs final : public opt::Pass {
 public:
  const char* name() const override { return "broken_swap"; }
  int level() const override { return 1; }
  std::vector<opt::Rewrite> find(const ir::Graph& g, const opt::PassContext&) const override {
    std::vector<opt::Rewrite> r;
    for (const auto& n : g.nodes())
      if (n->op_type == "Sub" && n->name.find("(swapped)") == std::string::npos)
        r.push_back({"broken_swap: Sub '" + n->name + "'", [p = n.get()](ir::Graph&) {
                       auto* node = const_cast<ir::Node*>(p);
                       std::swap(node->inputs[0], node->inputs[1]);
                       node->name += " (swapped)";  // so the pass proposes it once
                     }});
    return r;
  }
};

class ScaleConstant final : public opt::Pass {
 public:
  const char* name() const override { return "broken_constant"; }
  int level() const override { return 1; }
  std::vector<opt::Rewrite> find(const ir::Graph& g, const opt::PassContext&) const override {
    if (g.find("tweaked")) return {};
    for (const ir::Value* v : g.initializers)
      if (v->constant && v->constant->dtype() == DType::Float32 && v->constant->numel() == 4)
        return {{"broken_constant: '" + v->name + "' * 1.001", [v](ir::Graph& gg) {
                   Tensor t = v->constant->clone();
                   for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] *= 1.001f;
                   ir::Value* nv = gg.add_value("tweaked");
                   nv->type = v->type;
                   nv->constant = t;
                   gg.initializers.push_back(nv);
                   for (const auto& n : gg.nodes())
                     for (ir::Value*& in : n->inputs)
                       if (in == v) in = nv;
                   gg.rebuild_uses();
                 }}};
    return {};
  }
};

opt::VerifyOptions with(std::shared_ptr<const opt::Pass> p) {
  opt::VerifyOptions o;
  o.threads = 1;
  o.extra_passes.push_back(std::move(p));
  return o;
}

}  // namespace

TEST_CASE("opt verify: a correct optimization matches level 0") {
  auto r = opt::verify(model_with_sub, {}, opt::VerifyOptions{});
  CHECK(r.ok);
  CHECK(r.applied.size() >= 5);
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0].ok());
  CHECK(r.outputs[0].tier == "float32");
  CHECK(opt::format_report(r).find("verify: OK") != std::string::npos);
}

TEST_CASE("opt verify: the rewrite that swaps a Sub's inputs is named") {
  auto r = opt::verify(model_with_sub, {}, with(std::make_shared<SwapSubInputs>()));
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_label == "broken_swap: Sub 'the_sub'");
  REQUIRE(r.first_bad >= 1);  // correct rewrites ran before it
  CHECK(r.applied[size_t(r.first_bad)] == r.first_bad_label);
  CHECK(r.bisect_runs > 0);
  REQUIRE(r.first_bad_outputs.size() == 1);
  CHECK(r.first_bad_outputs[0].max_abs > 0.1);
  const std::string report = opt::format_report(r);
  CHECK(report.find("first bad rewrite: #" + std::to_string(r.first_bad + 1) + " 'broken_swap: Sub 'the_sub''") !=
        std::string::npos);
  CHECK(opt::format_json(r).find("\"first_bad_rewrite\": \"broken_swap: Sub 'the_sub'\"") != std::string::npos);
}

TEST_CASE("opt verify: a slightly changed constant is caught by the float32 tier and named; a loose tolerance accepts it") {
  Tensor x = test::random_tensor(DType::Float32, {3, 4}, 0.5, 1.0);
  Tensor y = test::random_tensor(DType::Float32, {3, 4}, -1.0, 1.0);
  auto r = opt::verify(model_with_sub, {{"x", x}, {"y", y}}, with(std::make_shared<ScaleConstant>()));
  CHECK_FALSE(r.ok);
  // fold_constants turned c * c into the initializer cc_out0 first.
  CHECK(r.first_bad_label == "broken_constant: 'cc_out0' * 1.001");
  CHECK(r.outputs[0].max_rel > 1e-4);
  opt::VerifyOptions loose = with(std::make_shared<ScaleConstant>());
  loose.rtol = 1e-2;
  loose.atol = 1e-2;
  auto r2 = opt::verify(model_with_sub, {{"x", x}, {"y", y}}, loose);
  CHECK(r2.ok);
  CHECK(r2.outputs[0].tier == "given");
}

TEST_CASE("opt verify: bad arguments are errors") {
  opt::VerifyOptions o;
  o.level = 0;
  CHECK(test::status_of([&] { opt::verify(model_with_sub, {}, o); }) == Status::InvalidArgument);
  CHECK(test::status_of([&] { opt::verify(model_with_sub, {{"nope", Tensor::scalar<float>(1)}}, opt::VerifyOptions{}); }) ==
        Status::InvalidArgument);
}
