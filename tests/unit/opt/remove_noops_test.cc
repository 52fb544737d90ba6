// remove_noops: each kind of no-op goes, its look-alikes that do change data stay, and graph
// outputs keep their names.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/level1_passes.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

TEST_CASE("opt remove_noops: Identity, Dropout, same-type Cast, same-shape Reshape, identity Transpose go") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* v = b.node("Identity", {x}, {}, "id");
  v = b.node("Dropout", {v}, {}, "drop");
  v = b.node("Cast", {v}, {test::attr_int("to", 1)}, "cast_same");
  v = b.node("Reshape", {v, b.constant("s", test::make_tensor(DType::Int64, {2}, {2, 3}))}, {}, "reshape_same");
  v = b.node("Transpose", {v}, {test::attr_ints("perm", {0, 1})}, "transpose_same");
  v = b.node("Concat", {v}, {test::attr_int("axis", 0)}, "concat_one");
  v = b.node("Relu", {v}, {}, "relu");
  b.output(b.node("Identity", {v}, {}, "out_id"));
  auto labels = test::run_pass(*b.model, *opt::make_remove_noops());
  CHECK(labels.size() == 7);
  CHECK(test::has_label(labels, "remove_noops: Dropout 'drop' (inference dropout)"));
  CHECK(test::has_label(labels, "remove_noops: Cast 'cast_same' (cast to its own type)"));
  REQUIRE(b.g().nodes().size() == 1);
  const ir::Node* relu = b.g().nodes()[0].get();
  CHECK(relu->inputs[0] == x);
  CHECK(relu->outputs[0]->name == "out_id_out0");  // the graph output kept its name
  CHECK(b.g().outputs[0] == relu->outputs[0]);
}

TEST_CASE("opt remove_noops: nodes that change data stay") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* train = b.input("train", DType::Bool, {});
  b.output(b.node("Cast", {x}, {test::attr_int("to", 11)}, "cast_double"));
  b.output(b.node("Reshape", {x, b.constant("s", test::make_tensor(DType::Int64, {2}, {3, 2}))}, {}, "reshape"));
  b.output(b.node("Transpose", {x}, {test::attr_ints("perm", {1, 0})}, "transpose"));
  b.output(b.node("Dropout", {x, nullptr, train}, {}, "train_drop"));
  auto masked = b.nodes("Dropout", {x}, 2, {}, "masked_drop");
  b.output(masked[1]);
  b.output(b.node("Identity", {x}, {}, "input_to_output"));  // no producer to take the name
  CHECK(test::run_pass(*b.model, *opt::make_remove_noops()).empty());
}

TEST_CASE("opt remove_noops: the optimized model computes the same") {
  auto build = [] {
    test::GraphBuilder b;
    ir::Value* x = b.input("x", DType::Float32, {3, 4});
    ir::Value* v = b.node("Identity", {b.node("Relu", {x})});
    v = b.node("Dropout", {v, b.constant("ratio", Tensor::scalar<float>(0.5f))});
    b.output(b.node("Identity", {b.node("Cast", {v}, {test::attr_int("to", 1)})}));
    return b.model;
  };
  Tensor x = test::random_tensor(DType::Float32, {3, 4});
  test::check_close(test::run_at_level(build(), {{"x", x}}, 1)[0], test::run_at_level(build(), {{"x", x}}, 0)[0],
                    test::Tier::Exact);
}

TEST_CASE("opt remove_noops: a Reshape to its own dims by name goes; one that regroups named dims stays") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3, 4});
  x->type.dims[0] = ir::Dim{-1, "batch"};
  x->type.dims[1] = ir::Dim{-1, "seq"};
  ir::Value* shape = b.node("Shape", {x}, {}, "shape");
  ir::Value* same = b.node("Reshape", {x, shape}, {}, "reshape_same");  // [batch, seq, 4] again
  ir::Value* y = b.node("Relu", {same}, {}, "relu");
  // [batch, seq, 4] -> [seq, batch, 4]: the same names, other places; the elements regroup.
  ir::Value* i0 = b.constant("i0", test::make_tensor(DType::Int64, {1}, {0}));
  ir::Value* i1 = b.constant("i1", test::make_tensor(DType::Int64, {1}, {1}));
  ir::Value* four = b.constant("four", test::make_tensor(DType::Int64, {1}, {4}));
  ir::Value* swapped = b.node("Concat", {b.node("Gather", {shape, i1}, {test::attr_int("axis", 0)}, "g1"),
                                         b.node("Gather", {shape, i0}, {test::attr_int("axis", 0)}, "g0"), four},
                              {test::attr_int("axis", 0)}, "swapped");
  b.output(b.node("Reshape", {y, swapped}, {}, "reshape_swap"));
  auto labels = test::run_pass(*b.model, *opt::make_remove_noops());
  CHECK(test::has_label(labels, "remove_noops: Reshape 'reshape_same' (same symbolic shape)"));
  CHECK(labels.size() == 1);
}
