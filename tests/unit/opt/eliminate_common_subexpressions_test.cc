// eliminate_common_subexpressions: equal nodes merge (chains in one find), different
// attributes or inputs do not, possibly random ops never do, graph outputs keep their producers.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/level1_passes.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

TEST_CASE("opt eliminate_common_subexpressions: a duplicated chain merges in one find") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* a1 = b.node("Transpose", {x}, {test::attr_ints("perm", {1, 0})}, "t1");
  ir::Value* a2 = b.node("Transpose", {x}, {test::attr_ints("perm", {1, 0})}, "t2");
  ir::Value* b1 = b.node("Relu", {a1}, {}, "r1");
  ir::Value* b2 = b.node("Relu", {a2}, {}, "r2");
  b.output(b.node("Add", {b1, b2}, {}, "sum"));
  auto labels = test::run_pass(*b.model, *opt::make_eliminate_common_subexpressions());
  CHECK(labels == std::vector<std::string>{"eliminate_common_subexpressions: Transpose 't2' = 't1'",
                                           "eliminate_common_subexpressions: Relu 'r2' = 'r1'"});
  CHECK(b.g().nodes().size() == 3);
  const ir::Node* sum = b.g().nodes().back().get();
  CHECK(sum->inputs[0] == b1);
  CHECK(sum->inputs[1] == b1);
}

TEST_CASE("opt eliminate_common_subexpressions: different attributes, inputs or possibly random ops stay apart") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 2});
  ir::Value* y = b.input("y", DType::Float32, {2, 2});
  b.output(b.node("Transpose", {x}, {test::attr_ints("perm", {1, 0})}));
  b.output(b.node("Transpose", {x}, {test::attr_ints("perm", {0, 1})}));
  b.output(b.node("Sub", {x, y}));
  b.output(b.node("Sub", {y, x}));
  // Dropout may be random (training_mode), so it is never merged; Random* ops (not supported
  // yet) are excluded the same way.
  ir::Value* train = b.input("train", DType::Bool, {});
  ir::Value* r1 = b.node("Dropout", {x, nullptr, train});
  ir::Value* r2 = b.node("Dropout", {x, nullptr, train});
  b.output(b.node("Add", {r1, r2}));
  CHECK(test::run_pass(*b.model, *opt::make_eliminate_common_subexpressions()).empty());
}

TEST_CASE("opt eliminate_common_subexpressions: a duplicate that is a graph output is kept") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {3});
  b.output(b.node("Neg", {x}, {}, "n1"));
  b.output(b.node("Neg", {x}, {}, "n2"));
  CHECK(test::run_pass(*b.model, *opt::make_eliminate_common_subexpressions()).empty());
  CHECK(b.count("Neg") == 2);
}
