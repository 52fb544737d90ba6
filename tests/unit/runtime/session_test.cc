// End-to-end behaviour of runtime::Session on small hand-built graphs: memory planning,
// constant folding, concurrent runs, dynamic dimensions and the errors callers see.
#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "runtime/plan.h"
#include "runtime/session.h"
#include "test_util.h"

using namespace ember;

namespace {

// y = Relu(x + c) * x, repeated `depth` times; c is a constant, x is [N, 8] with N given or
// symbolic (-1).
std::shared_ptr<ir::Model> chain_model(int depth, int64_t n, bool fold_candidate = false) {
  auto m = std::make_shared<ir::Model>();
  m->opset_imports[""] = 17;
  m->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *m->graph;
  g.name = "chain";
  ir::Value* x = g.add_value("x");
  x->is_input = true;
  x->type = ir::TypeInfo::tensor(DType::Float32, {n, 8});
  if (n < 0) x->type.dims[0] = ir::Dim{-1, "N"};
  g.inputs.push_back(x);
  ir::Value* c = g.add_value("c");
  c->constant = test::make_tensor(DType::Float32, {8}, {0.5, -0.5, 1, -1, 2, -2, 0.25, -0.25});
  g.initializers.push_back(c);
  if (fold_candidate) {  // c2 = c + c, computable at creation
    ir::Value* c2 = g.add_value("c2");
    auto add = std::make_unique<ir::Node>();
    add->name = "fold_me";
    add->op_type = "Add";
    add->opset = 17;
    add->inputs = {c, c};
    add->outputs = {c2};
    g.add_node(std::move(add));
    c = c2;
  }
  ir::Value* cur = x;
  auto node = [&](const std::string& op, std::vector<ir::Value*> in, const std::string& out) {
    ir::Value* v = g.add_value(out);
    auto nd = std::make_unique<ir::Node>();
    nd->name = out + "_node";
    nd->op_type = op;
    nd->opset = 17;
    nd->inputs = std::move(in);
    nd->outputs = {v};
    g.add_node(std::move(nd));
    return v;
  };
  for (int d = 0; d < depth; ++d) {
    ir::Value* s = node("Add", {cur, c}, "s" + std::to_string(d));
    ir::Value* r = node("Relu", {s}, "r" + std::to_string(d));
    cur = node("Mul", {r, cur}, "m" + std::to_string(d));
  }
  cur->is_output = true;
  g.outputs.push_back(cur);
  return m;
}

std::vector<float> chain_reference(const Tensor& x, int depth, float scale) {
  const float c[8] = {0.5f, -0.5f, 1, -1, 2, -2, 0.25f, -0.25f};
  std::vector<float> v(x.data<float>(), x.data<float>() + x.numel());
  for (int d = 0; d < depth; ++d)
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::max(0.0f, v[i] + scale * c[i % 8]) * v[i];
  return v;
}

void check_chain(const Tensor& got, const Tensor& x, int depth, float scale = 1.0f) {
  const auto want = chain_reference(x, depth, scale);
  REQUIRE(got.numel() == int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i) CHECK(got.data<float>()[i] == doctest::Approx(want[i]).epsilon(1e-6));
}

runtime::SessionOptions two_threads() {
  runtime::SessionOptions o;
  o.threads = 2;
  return o;
}

}  // namespace

TEST_CASE("runtime: static graph runs from the arena and reuses memory") {
  auto s = runtime::Session::from_model(chain_model(6, 4), two_threads());
  const auto& st = s->plan_stats();
  CHECK(st.heap_values == 0);
  CHECK(st.arena_bytes > 0);
  CHECK(st.arena_bytes < st.planned_bytes_without_reuse);
  Tensor x = test::random_tensor(DType::Float32, {4, 8});
  for (int rep = 0; rep < 3; ++rep) check_chain(s->run({{"x", x}})[0], x, 6);
}

TEST_CASE("runtime: constant subexpressions are folded at creation") {
  // The optimizer's fold_constants pass replaces the node by an initializer.
  auto has_fold_me = [](const ir::Model& m) {
    for (const auto& n : m.graph->nodes())
      if (n->name == "fold_me") return true;
    return false;
  };
  auto m = chain_model(2, 3, true);
  auto s = runtime::Session::from_model(m, two_threads());
  CHECK_FALSE(has_fold_me(*m));
  CHECK(m->graph->find("c2")->constant);
  Tensor x = test::random_tensor(DType::Float32, {3, 8});
  check_chain(s->run({{"x", x}})[0], x, 2, 2.0f);
  runtime::SessionOptions no_opt = two_threads();
  no_opt.optimization = 0;
  auto m0 = chain_model(2, 3, true);
  auto s0 = runtime::Session::from_model(m0, no_opt);
  CHECK(has_fold_me(*m0));
  check_chain(s0->run({{"x", x}})[0], x, 2, 2.0f);
}

TEST_CASE("runtime: creation phases and the plan build's time per op type are recorded") {
  auto s = runtime::Session::from_model(chain_model(4, 2), two_threads());
  const auto& phases = s->creation_phases();
  REQUIRE(phases.size() == 3);  // from_model: no "load"
  CHECK(phases[0].name == "optimize");
  CHECK(phases[1].name == "kernels");
  CHECK(phases[2].name == "memory plan");
  double sum = 0;
  for (const auto& p : phases) {
    CHECK(p.ms >= 0);
    sum += p.ms;
  }
  CHECK(sum <= s->creation_ms() + 1e-6);
  const auto& st = s->plan_stats();
  std::vector<std::string> ops;
  double by_op = 0;
  for (const auto& [op, ms] : st.kernel_ms_by_op) {
    ops.push_back(op);
    by_op += ms;
  }
  std::sort(ops.begin(), ops.end());
  CHECK(ops == std::vector<std::string>{"Add", "Mul", "Relu"});
  CHECK(by_op <= st.kernels_ms + 1e-6);
  for (size_t k = 1; k < st.kernel_ms_by_op.size(); ++k)
    CHECK(st.kernel_ms_by_op[k - 1].second >= st.kernel_ms_by_op[k].second);  // slowest first
}

TEST_CASE("runtime: one session runs concurrently from several threads") {
  auto s = runtime::Session::from_model(chain_model(5, 16), two_threads());
  std::vector<std::thread> threads;
  std::vector<Tensor> xs, ys(4);
  for (int t = 0; t < 4; ++t) xs.push_back(test::random_tensor(DType::Float32, {16, 8}));
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) ys[t] = s->run({{"x", xs[t]}})[0];
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) check_chain(ys[t], xs[t], 5);
}

TEST_CASE("runtime: symbolic dimensions accept any size") {
  auto s = runtime::Session::from_model(chain_model(3, -1), two_threads());
  CHECK(s->inputs()[0].type.dims[0].symbol == "N");
  for (int64_t n : {1, 7, 33}) {
    Tensor x = test::random_tensor(DType::Float32, {n, 8});
    check_chain(s->run({{"x", x}})[0], x, 3);
  }
}

// Intermediates sized by a symbolic dim go to the heap on the first run with given input
// shapes, which records their sizes; later runs with those shapes use an arena laid out from
// them. Alternating sizes, more shapes than the cache keeps, and concurrent runs of different
// sizes must all stay exact (a wrong layout would let live tensors overlap).
TEST_CASE("runtime: symbolic dimensions: arena layouts learned per input shape") {
  auto s = runtime::Session::from_model(chain_model(6, -1), two_threads());
  CHECK(s->plan_stats().heap_values > 0);
  CHECK(s->learned_layouts() == 0);
  for (int64_t n : {5, 5, 64, 5, 64, 1}) {
    Tensor x = test::random_tensor(DType::Float32, {n, 8});
    check_chain(s->run({{"x", x}})[0], x, 6);
  }
  CHECK(s->learned_layouts() == 3);
  for (int64_t n = 2; n < 16; ++n) {
    Tensor x = test::random_tensor(DType::Float32, {n, 8});
    check_chain(s->run({{"x", x}})[0], x, 6);
  }
  CHECK(s->learned_layouts() == runtime::ShapedLayouts::kMaxEntries);
  std::vector<std::thread> threads;
  std::vector<Tensor> xs, ys(4);
  for (int t = 0; t < 4; ++t) xs.push_back(test::random_tensor(DType::Float32, {int64_t(3 + 20 * t), 8}));
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 10; ++rep) ys[t] = s->run({{"x", xs[t]}})[0];
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) check_chain(ys[t], xs[t], 6);
  // A model whose shapes are all static learns nothing.
  auto fixed = runtime::Session::from_model(chain_model(2, 4), two_threads());
  Tensor x = test::random_tensor(DType::Float32, {4, 8});
  check_chain(fixed->run({{"x", x}})[0], x, 2);
  CHECK(fixed->learned_layouts() == 0);
}

TEST_CASE("runtime: bad feeds give precise errors") {
  auto s = runtime::Session::from_model(chain_model(1, 4), two_threads());
  auto status_of = [&](const runtime::Feeds& f) {
    try {
      s->run(f);
    } catch (const Error& e) {
      return e.status();
    }
    return Status::Ok;
  };
  CHECK(status_of({{"x", test::random_tensor(DType::Float32, {4, 9})}}) == Status::ShapeMismatch);
  CHECK(status_of({{"x", test::random_tensor(DType::Float64, {4, 8})}}) == Status::TypeMismatch);
  CHECK(status_of({{"nope", test::random_tensor(DType::Float32, {4, 8})}}) == Status::InvalidArgument);
  CHECK(status_of({}) == Status::InvalidArgument);
  const runtime::Feeds good = {{"x", test::random_tensor(DType::Float32, {4, 8})}};
  CHECK_THROWS_WITH_AS(s->run(good, {"missing_output"}), doctest::Contains("missing_output"), Error);
}

TEST_CASE("runtime: unknown ops are refused with op, domain, opset and node") {
  auto m = chain_model(1, 4);
  auto& nodes = m->graph->nodes();
  nodes[0]->op_type = "FrobnicateV9";
  try {
    runtime::Session::from_model(m, two_threads());
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.status() == Status::Unsupported);
    const std::string msg = e.what();
    CHECK(msg.find("FrobnicateV9") != std::string::npos);
    CHECK(msg.find("ai.onnx") != std::string::npos);
    CHECK(msg.find("17") != std::string::npos);
    CHECK(msg.find("s0_node") != std::string::npos);
  }
}
