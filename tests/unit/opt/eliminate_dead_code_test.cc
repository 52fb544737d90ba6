// eliminate_dead_code: dead chains go in one find (consumers first), graph outputs and what
// they need stay, unused initializers leave the initializer list.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/level1_passes.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

TEST_CASE("opt eliminate_dead_code: removes a dead chain and unused initializers, keeps live nodes") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {4});
  ir::Value* k = b.constant("k", test::make_tensor(DType::Float32, {4}, {1, 2, 3, 4}));
  ir::Value* unused = b.constant("unused", test::make_tensor(DType::Float32, {1}, {7}));
  ir::Value* live = b.node("Add", {x, k}, {}, "live");
  ir::Value* d1 = b.node("Neg", {live}, {}, "dead1");
  b.node("Mul", {d1, k}, {}, "dead2");
  b.output(live);
  auto labels = test::run_pass(*b.model, *opt::make_eliminate_dead_code());
  CHECK(labels.size() == 3);
  CHECK(labels[0] == "eliminate_dead_code: Mul 'dead2'");  // the consumer goes before its producer
  CHECK(labels[1] == "eliminate_dead_code: Neg 'dead1'");
  CHECK(test::has_label(labels, "1 unused initializer(s), first 'unused'"));
  CHECK(b.g().nodes().size() == 1);
  CHECK(b.g().initializers.size() == 1);
  CHECK(b.g().initializers[0] == k);
  (void)unused;
  CHECK(test::run_pass(*b.model, *opt::make_eliminate_dead_code()).empty());
}

TEST_CASE("opt eliminate_dead_code: a node with one used output of two stays") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {4, 2});
  auto parts = b.nodes("Split", {x}, 2, {test::attr_int("axis", 0), test::attr_int("num_outputs", 2)}, "split");
  b.output(parts[1]);
  b.model->opset_imports[""] = 18;
  b.g().nodes()[0]->opset = 18;
  CHECK(test::run_pass(*b.model, *opt::make_eliminate_dead_code()).empty());
  CHECK(b.g().nodes().size() == 1);
}
