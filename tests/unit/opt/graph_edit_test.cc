// opt::edit: redirecting uses, bypassing pass-through nodes (graph outputs keep their names),
// removing nodes, adding initializers, comparing attributes.
#include <doctest/doctest.h>

#include "opt/check_graph.h"
#include "opt/graph_edit.h"
#include "graph_builder.h"
#include "test_util.h"

using namespace ember;
namespace edit = ember::opt::edit;

TEST_CASE("opt edit: bypassing an inner Identity moves its uses to the input") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* r = b.node("Relu", {x});
  ir::Value* id = b.node("Identity", {r});
  ir::Value* y = b.node("Neg", {id});
  b.output(y);
  ir::Node* idn = id->producer;
  REQUIRE(edit::can_bypass(b.g(), idn));
  edit::bypass(b.g(), idn);
  CHECK(b.count("Identity") == 0);
  CHECK(y->producer->inputs[0] == r);
  CHECK(opt::graph_problem(b.g()).empty());
}

TEST_CASE("opt edit: bypassing an Identity that is a graph output keeps the output's name") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* r = b.node("Relu", {x});
  ir::Value* z = b.node("Neg", {r});  // a second use of r
  ir::Value* id = b.node("Identity", {r});
  b.output(id);
  b.output(z);
  edit::bypass(b.g(), id->producer);
  CHECK(b.count("Identity") == 0);
  CHECK(b.g().outputs[0] == id);
  CHECK((id->producer && id->producer->op_type == "Relu"));
  CHECK(z->producer->inputs[0] == id);
  CHECK(opt::graph_problem(b.g()).empty());
}

TEST_CASE("opt edit: an Identity between a graph input and a graph output cannot be bypassed") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* id = b.node("Identity", {x});
  b.output(id);
  CHECK_FALSE(edit::can_bypass(b.g(), id->producer));
  CHECK(test::status_of([&] { edit::bypass(b.g(), id->producer); }) == Status::Runtime);
  CHECK(test::status_of([&] { edit::redirect_uses(b.g(), id, x); }) == Status::Runtime);
}

TEST_CASE("opt edit: removing a node whose output is still used is refused") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* r = b.node("Relu", {x});
  ir::Value* dead = b.node("Neg", {x});
  b.output(b.node("Abs", {r}));
  CHECK(test::status_of([&] { edit::remove_node(b.g(), r->producer); }) == Status::Runtime);
  edit::remove_node(b.g(), dead->producer);
  CHECK(b.g().nodes().size() == 2);
  CHECK(opt::graph_problem(b.g()).empty());
}

TEST_CASE("opt edit: a folded value becomes an initializer; new nodes and initializers link up") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2});
  ir::Value* c = b.node("Relu", {b.constant("k", test::make_tensor(DType::Float32, {2}, {-1, 2}))});
  ir::Value* y = b.node("Add", {x, c});
  b.output(y);
  ir::Node* relu = c->producer;
  edit::make_constant(b.g(), c, test::make_tensor(DType::Float32, {2}, {0, 2}));
  edit::remove_node(b.g(), relu);
  CHECK(c->producer == nullptr);
  CHECK(c->constant);
  CHECK(opt::graph_problem(b.g()).empty());
  ir::Value* k2 = edit::add_initializer(b.g(), "two", Tensor::scalar<float>(2));
  ir::Value* y2 = b.g().add_value("y2");
  ir::Node* mul = edit::make_node(b.g(), {"Mul", "", 17, {y, k2}, {y2}, {}, "mul"});
  CHECK(mul->inputs[1]->constant);
  CHECK(y->consumers.size() == 1);
  CHECK(edit::contains(b.g(), mul));
  CHECK(opt::graph_problem(b.g()).empty());
}

TEST_CASE("opt edit: attributes compare by value") {
  auto a = test::attr_ints("perm", {0, 2, 1});
  CHECK(edit::same_attribute(a, test::attr_ints("perm", {0, 2, 1})));
  CHECK_FALSE(edit::same_attribute(a, test::attr_ints("perm", {0, 1, 2})));
  CHECK_FALSE(edit::same_attribute(a, test::attr_ints("axes", {0, 2, 1})));
  auto t = test::attr_tensor("value", test::make_tensor(DType::Float32, {2}, {1, 2}));
  CHECK(edit::same_attribute(t, test::attr_tensor("value", test::make_tensor(DType::Float32, {2}, {1, 2}))));
  CHECK_FALSE(edit::same_attribute(t, test::attr_tensor("value", test::make_tensor(DType::Float32, {2}, {1, 3}))));
  CHECK_FALSE(edit::same_attribute(t, test::attr_tensor("value", test::make_tensor(DType::Float64, {2}, {1, 2}))));
}
