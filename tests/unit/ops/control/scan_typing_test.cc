// Body inputs left untyped by the model (as onnx function expansions leave them) get their
// types from the node's inputs: Scan states and scan slices, Loop's iteration number, cond and
// loop-carried element types. Also Scan at opset 8 (batch axis 0, scan axis 1, sequence_lens).
// References are computed by plain loops here.
#include <doctest/doctest.h>

#include <functional>

#include "control_graph.h"
#include "test_util.h"

namespace ember::test {
namespace {

using namespace ember::test::control;
using ir::Graph;

// A body input declared with a name only.
ir::Value* untyped_input(Graph& g, const std::string& name) {
  ir::Value* v = g.add_value(name);
  v->is_input = true;
  g.inputs.push_back(v);
  return v;
}

bool skip_without(std::initializer_list<const char*> ops) {
  if (have_ops(ops)) return false;
  MESSAGE("skipped: needs ops outside src/ops/control (EMBER_ONLY_OPS build)");
  return true;
}

// Scan-9: state s0 [3, 3], scan input x [len, 3] scanned along axis 0, captured w [3, 3];
// untyped body: s' = MatMul(s, w) + row (row broadcast over rows), y = MatMul(s', row) ([3]).
// MatMul refuses an undefined element type next to float32, so this only plans when typed.
std::shared_ptr<Graph> matmul_scan(int64_t len, DType state_decl) {
  auto g = new_graph("main");
  ir::Value* s0 = graph_input(*g, "s0", DType::Float32, {3, 3});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {len, 3});
  ir::Value* w = graph_input(*g, "w", DType::Float32, {3, 3});
  auto body = new_graph("body");
  ir::Value* s = untyped_input(*body, "s");
  s->type.dtype = state_decl;  // Undefined: fully untyped
  ir::Value* row = untyped_input(*body, "row");
  ir::Value* sw = add_node(*body, "MatMul", {s, capture(*body, "w", DType::Float32, {3, 3})}, {"sw"})->outputs[0];
  ir::Value* next = add_node(*body, "Add", {sw, row}, {"next"})->outputs[0];
  ir::Value* y = add_node(*body, "MatMul", {next, row}, {"y"})->outputs[0];
  body->outputs = {next, y};
  ir::Node* n = add_node(*g, "Scan", {s0, x}, {"final", "ys"}, {attr_graph("body", body), attr_int("num_scan_inputs", 1)});
  add_implicit_inputs(*n, {w});
  for (ir::Value* v : n->outputs) graph_output(*g, v);
  return g;
}

}  // namespace

TEST_CASE("control: untyped Scan body inputs take the state and slice types") {
  if (skip_without({"MatMul", "Add"})) return;
  for (int64_t len : {1, 4}) {
    CAPTURE(len);
    auto g = matmul_scan(len, DType::Undefined);
    auto session = make_session(g);
    const Graph& body = *g->nodes()[0]->attr_graph("body");
    CHECK(body.inputs[0]->type.str() == "float32[3, 3]");
    CHECK(body.inputs[1]->type.str() == "float32[3]");
    CHECK(g->outputs[1]->type.str() == "float32[" + std::to_string(len) + ", 3]");

    const Tensor s0 = random_tensor(DType::Float32, {3, 3}), x = random_tensor(DType::Float32, {len, 3}),
                 w = random_tensor(DType::Float32, {3, 3});
    const auto out = session->run({{"s0", s0}, {"x", x}, {"w", w}});
    std::vector<double> s = to_doubles(s0), xv = to_doubles(x), wv = to_doubles(w), ys;
    for (int64_t t = 0; t < len; ++t) {
      std::vector<double> next(9, 0.0);
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          for (int k = 0; k < 3; ++k) next[size_t(i * 3 + j)] += s[size_t(i * 3 + k)] * wv[size_t(k * 3 + j)];
          next[size_t(i * 3 + j)] += xv[size_t(t * 3 + j)];
        }
      for (int i = 0; i < 3; ++i) {
        double acc = 0;
        for (int j = 0; j < 3; ++j) acc += next[size_t(i * 3 + j)] * xv[size_t(t * 3 + j)];
        ys.push_back(acc);
      }
      s = next;
    }
    check_close(out[0], make_tensor(DType::Float32, {3, 3}, s), Tier::Close, 3 * len);
    check_close(out[1], make_tensor(DType::Float32, {len, 3}, ys), Tier::Close, 3 * len);
  }
}

TEST_CASE("control: a Scan body input declared with another element type is refused") {
  if (skip_without({"MatMul", "Add"})) return;
  CHECK(status_of([] { make_session(matmul_scan(2, DType::Float64)); }) == Status::InvalidModel);
}

TEST_CASE("control: a Scan state that changes shape is refused, not mis-planned") {
  if (skip_without({"Concat"})) return;
  // s' = Concat(s, row): the state grows by one each iteration.
  auto g = new_graph("main");
  ir::Value* s0 = graph_input(*g, "s0", DType::Float32, {1});
  ir::Value* x = graph_input(*g, "x", DType::Float32, {3, 1});
  auto body = new_graph("body");
  ir::Value* s = untyped_input(*body, "s");
  ir::Value* row = untyped_input(*body, "row");
  body->outputs = {add_node(*body, "Concat", {s, row}, {"next"}, {attr_int("axis", 0)})->outputs[0]};
  ir::Node* n = add_node(*g, "Scan", {s0, x}, {"final"}, {attr_graph("body", body), attr_int("num_scan_inputs", 1)});
  graph_output(*g, n->outputs[0]);
  const Status st = status_of([&] {
    run_graph(g, {{"s0", random_tensor(DType::Float32, {1})}, {"x", random_tensor(DType::Float32, {3, 1})}});
  });
  CHECK(st == Status::Unsupported);
}

TEST_CASE("control: untyped Loop body inputs; a loop-carried value may grow") {
  if (skip_without({"Concat", "Cast", "Unsqueeze"})) return;
  // v' = Concat(v, Unsqueeze(Cast(i, float), [0])): v grows by the iteration number each trip.
  auto g = new_graph("main");
  ir::Value* m = graph_input(*g, "M", DType::Int64, {});
  ir::Value* v0 = graph_input(*g, "v0", DType::Float32, {1});
  auto body = new_graph("body");
  ir::Value* i = untyped_input(*body, "i");
  ir::Value* c = untyped_input(*body, "c");
  ir::Value* v = untyped_input(*body, "v");
  ir::Value* fi = add_node(*body, "Cast", {i}, {"fi"}, {attr_int("to", int64_t(DType::Float32))})->outputs[0];
  ir::Value* axes = body->add_value("axes");
  axes->constant = make_tensor(DType::Int64, {1}, {0});
  body->initializers.push_back(axes);
  ir::Value* fi1 = add_node(*body, "Unsqueeze", {fi, axes}, {"fi1"})->outputs[0];
  ir::Value* next = add_node(*body, "Concat", {v, fi1}, {"next"}, {attr_int("axis", 0)})->outputs[0];
  body->outputs = {c, next};
  ir::Node* n = add_node(*g, "Loop", {m, nullptr, v0}, {"final"}, {attr_graph("body", body)});
  graph_output(*g, n->outputs[0]);
  auto session = make_session(g);
  CHECK(i->type.str() == "int64[]");
  CHECK(c->type.str() == "bool[]");
  CHECK(v->type.str() == "float32[?]");  // element type only: the shape changes
  const auto out = session->run({{"M", Tensor::scalar<int64_t>(3)}, {"v0", make_tensor(DType::Float32, {1}, {5})}});
  check_close(out[0], make_tensor(DType::Float32, {4}, {5, 0, 1, 2}), Tier::Exact);
}

}  // namespace ember::test
