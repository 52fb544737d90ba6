// opt::graph_problem: each kind of inconsistency a broken rewrite can leave is reported.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/check_graph.h"
#include "test_util.h"

using namespace ember;

namespace {

bool mentions(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("opt check_graph: a consistent graph passes") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  b.output(b.node("Relu", {b.node("Neg", {x})}));
  CHECK(opt::graph_problem(b.g()) == "");
  opt::check_graph(b.g(), "context");
}

TEST_CASE("opt check_graph: an input nobody produces is reported") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* n = b.node("Neg", {x});
  b.output(b.node("Relu", {n}));
  b.g().remove_node(n->producer);
  b.g().rebuild_uses();
  const std::string p = opt::graph_problem(b.g());
  CHECK(mentions(p, "reads '" + n->name + "'"));
  CHECK(test::status_of([&] { opt::check_graph(b.g(), "rewrite 'bad'"); }) == Status::Runtime);
  try {
    opt::check_graph(b.g(), "rewrite 'bad'");
  } catch (const Error& e) {
    CHECK(mentions(e.what(), "rewrite 'bad'"));
  }
}

TEST_CASE("opt check_graph: a value produced twice is reported") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* n = b.node("Neg", {x});
  ir::Value* r = b.node("Relu", {x});
  b.output(n);
  r->producer->outputs[0] = n;
  CHECK(mentions(opt::graph_problem(b.g()), "is produced by"));
}

TEST_CASE("opt check_graph: a node writing a graph input is reported") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* y = b.input("y", DType::Float32, {2});
  ir::Value* n = b.node("Neg", {x});
  b.output(n);
  n->producer->outputs[0] = y;
  CHECK(mentions(opt::graph_problem(b.g()), "graph input or initializer"));
}

TEST_CASE("opt check_graph: a cycle is reported") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* a = b.node("Add", {x, x});
  ir::Value* c = b.node("Neg", {a});
  b.output(c);
  a->producer->inputs[1] = c;
  CHECK(mentions(opt::graph_problem(b.g()), "cycle"));
}

TEST_CASE("opt check_graph: a graph output without producer is reported") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* n = b.node("Neg", {x});
  b.output(n);
  b.g().remove_node(n->producer);
  CHECK(mentions(opt::graph_problem(b.g()), "output '" + n->name + "' has no producer"));
}

TEST_CASE("opt check_graph: a subgraph capture must name an implicit input of its owner") {
  test::GraphBuilder b;
  ir::Value* cond = b.input("cond", DType::Bool, {});
  ir::Value* x = b.input("x", DType::Float32, {2});
  auto body = std::make_shared<ir::Graph>();
  body->name = "then";
  ir::Value* cap = body->add_value("x");
  body->captures.push_back(cap);
  cap->is_output = true;
  body->outputs.push_back(cap);
  auto else_body = std::make_shared<ir::Graph>();
  else_body->name = "else";
  ir::Value* cap2 = else_body->add_value("x");
  else_body->captures.push_back(cap2);
  else_body->outputs.push_back(cap2);
  ir::Attribute then_a, else_a;
  then_a.name = "then_branch";
  then_a.type = ir::AttrType::Graph;
  then_a.g = body;
  else_a.name = "else_branch";
  else_a.type = ir::AttrType::Graph;
  else_a.g = else_body;
  ir::Value* y = b.node("If", {cond, x}, {then_a, else_a});
  y->producer->implicit_inputs = 1;
  b.output(y);
  CHECK(opt::graph_problem(b.g()) == "");
  y->producer->inputs[1] = cond;  // the implicit input no longer matches the capture's name
  CHECK(mentions(opt::graph_problem(b.g()), "captures 'x'"));
}
