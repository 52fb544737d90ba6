// The pass manager: levels, the rewrite budget (stop_after / EMBER_OPT_STOP_AFTER), models
// saved already optimized, a rewrite that breaks the graph is named, and a pass that never
// settles is stopped.
#include <doctest/doctest.h>

#include <cstdlib>

#include "graph_builder.h"
#include "opt/graph_edit.h"
#include "opt/optimizer.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

namespace {

// y = Relu(Identity(x) + (c + c)) with a dead Neg: every level-1 pass has work.
std::shared_ptr<ir::Model> busy_model() {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 2});
  ir::Value* c = b.constant("c", test::make_tensor(DType::Float32, {2}, {1, -2}));
  ir::Value* cc = b.node("Add", {c, c}, {}, "cc");
  ir::Value* s = b.node("Add", {b.node("Identity", {x}, {}, "id"), cc}, {}, "s");
  b.node("Neg", {s}, {}, "dead");
  b.output(b.node("Relu", {s}, {}, "relu"));
  return b.model;
}

// A test-only pass with a caller-given find().
class LambdaPass final : public opt::Pass {
 public:
  using Fn = std::function<std::vector<opt::Rewrite>(const ir::Graph&)>;
  explicit LambdaPass(Fn fn) : fn_(std::move(fn)) {}
  const char* name() const override { return "test_pass"; }
  int level() const override { return 1; }
  std::vector<opt::Rewrite> find(const ir::Graph& g, const opt::PassContext&) const override { return fn_(g); }

 private:
  Fn fn_;
};

}  // namespace

TEST_CASE("opt optimize: level 0 only infers types; level 1 runs the clean-up passes to a fixed point") {
  auto m0 = busy_model();
  CHECK(opt::optimize(*m0, opt::OptimizeOptions{0, -1}).applied.empty());
  CHECK(m0->graph->nodes().size() == 5);
  CHECK(m0->graph->outputs[0]->type.str() == "float32[2, 2]");
  auto m1 = busy_model();
  auto report = opt::optimize(*m1, opt::OptimizeOptions{1, -1});
  CHECK(report.applied == std::vector<std::string>{"fold_constants: Add 'cc'", "remove_noops: Identity 'id' (identity)",
                                                   "eliminate_dead_code: Neg 'dead'",
                                                   "eliminate_dead_code: 1 unused initializer(s), first 'c'"});
  CHECK(m1->graph->nodes().size() == 2);
  CHECK(opt::optimize(*m1, opt::OptimizeOptions{1, -1}).applied.empty());
  CHECK(test::status_of([&] { opt::optimize(*m1, opt::OptimizeOptions{4, -1}); }) == Status::InvalidArgument);
}

TEST_CASE("opt optimize: stop_after applies exactly that many rewrites and leaves a valid, equivalent graph") {
  Tensor x = test::random_tensor(DType::Float32, {2, 2});
  const auto want = test::run_at_level(busy_model(), {{"x", x}}, 0);
  for (int64_t k = 0; k <= 4; ++k) {
    auto m = busy_model();
    auto report = opt::optimize(*m, opt::OptimizeOptions{3, k});
    CHECK(int64_t(report.applied.size()) == k);
    CHECK(opt::graph_problem(*m->graph).empty());
    // Level 0 on the partly optimized model: the session adds no rewrites of its own.
    test::check_close(test::run_at_level(m, {{"x", x}}, 0)[0], want[0], test::Tier::Exact);
  }
}

TEST_CASE("opt optimize: EMBER_OPT_STOP_AFTER limits the rewrites when stop_after is -1") {
  setenv("EMBER_OPT_STOP_AFTER", "2", 1);
  auto m = busy_model();
  const size_t applied = opt::optimize(*m, opt::OptimizeOptions{3, -1}).applied.size();
  auto m2 = busy_model();
  const size_t explicit_wins = opt::optimize(*m2, opt::OptimizeOptions{3, 3}).applied.size();
  setenv("EMBER_OPT_STOP_AFTER", "two", 1);
  auto m3 = busy_model();
  const Status bad = test::status_of([&] { opt::optimize(*m3, opt::OptimizeOptions{3, -1}); });
  unsetenv("EMBER_OPT_STOP_AFTER");
  CHECK(applied == 2);
  CHECK(explicit_wins == 3);
  CHECK(bad == Status::InvalidArgument);
}

TEST_CASE("opt optimize: a model saved already optimized is not optimized again") {
  auto m = busy_model();
  m->metadata_props["ember.optimized"] = "3";
  CHECK(opt::optimize(*m, opt::OptimizeOptions{3, -1}).applied.empty());
  CHECK(m->graph->nodes().size() == 5);
  CHECK(m->graph->outputs[0]->type.str() == "float32[2, 2]");
}

TEST_CASE("opt optimize: a rewrite that breaks the graph is named") {
  auto m = busy_model();
  opt::OptimizeOptions o{1, -1};
  // Removes the Relu's producer without rewiring its users.
  o.extra_passes.push_back(std::make_shared<LambdaPass>([](const ir::Graph& g) {
    std::vector<opt::Rewrite> r;
    for (const auto& n : g.nodes())
      if (n->op_type == "Add")
        r.push_back({"test_pass: drop " + n->name, [p = n.get()](ir::Graph& gg) {
                       gg.remove_node(const_cast<ir::Node*>(p));
                       gg.rebuild_uses();
                     }});
    return r;
  }));
  try {
    opt::optimize(*m, o);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.status() == Status::Runtime);
    CHECK(std::string(e.what()).find("rewrite 'test_pass: drop s'") != std::string::npos);
  }
}

TEST_CASE("opt optimize: a bad rewrite among several of one pass is reported; a budgeted run names it exactly") {
  // A harmless rewrite, then one that removes the Add without rewiring its users.
  auto pass = std::make_shared<LambdaPass>([](const ir::Graph& g) {
    std::vector<opt::Rewrite> r{{"test_pass: harmless", [](ir::Graph&) {}}};
    for (const auto& n : g.nodes())
      if (n->op_type == "Add")
        r.push_back({"test_pass: drop " + n->name, [p = n.get()](ir::Graph& gg) {
                       gg.remove_node(const_cast<ir::Node*>(p));
                       gg.rebuild_uses();
                     }});
    return r;
  });
  for (int64_t budget : {int64_t(-1), int64_t(1000)}) {
    CAPTURE(budget);
    auto m = busy_model();
    opt::OptimizeOptions o{1, budget};
    o.extra_passes.push_back(pass);
    try {
      opt::optimize(*m, o);
      FAIL("no error");
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK(e.status() == Status::Runtime);
      CHECK(msg.find("'test_pass: drop s'") != std::string::npos);
      CHECK(msg.find("left the graph inconsistent") != std::string::npos);
      // A budget (verify's bisection) checks every rewrite: the bad one is the one named.
      if (budget >= 0) CHECK(msg.find("internal error: rewrite 'test_pass: drop s' left the graph inconsistent") != std::string::npos);
    }
  }
}

TEST_CASE("opt optimize: a pass that never settles is stopped with an error") {
  auto m = busy_model();
  opt::OptimizeOptions o{1, -1};
  o.extra_passes.push_back(std::make_shared<LambdaPass>([](const ir::Graph&) {
    return std::vector<opt::Rewrite>{{"test_pass: forever", [](ir::Graph&) {}}};
  }));
  try {
    opt::optimize(*m, o);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("fixed point") != std::string::npos);
  }
}

TEST_CASE("opt optimize: the session optimizes at its level") {
  runtime::SessionOptions o;
  o.threads = 1;
  auto m = busy_model();
  runtime::Session::from_model(m, o);
  CHECK(m->graph->nodes().size() == 2);
  o.optimization = 0;
  auto m0 = busy_model();
  runtime::Session::from_model(m0, o);
  CHECK(m0->graph->nodes().size() == 5);
}
