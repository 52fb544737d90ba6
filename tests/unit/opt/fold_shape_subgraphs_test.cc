// fold_shape_subgraphs: the static parts of a partly symbolic shape become constants, and the
// whole Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain then folds (with
// fold_constants) when the dims it reads are static.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/level1_passes.h"
#include "opt/optimizer.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

namespace {

ir::Value* symbolic_input(test::GraphBuilder& b) {
  ir::Value* x = b.input("x", DType::Float32, {-1, 4, 6});
  x->type.dims[0].symbol = "N";
  return x;
}

}  // namespace

TEST_CASE("opt fold_shape_subgraphs: Gather, Slice and Shape(start) of known dims fold; unknown ones do not") {
  test::GraphBuilder b;
  ir::Value* x = symbolic_input(b);
  ir::Value* s = b.node("Shape", {x}, {}, "shape");
  ir::Value* g1 = b.node("Gather", {s, b.constant("one", Tensor::scalar<int64_t>(1))}, {}, "gather_1");
  ir::Value* g0 = b.node("Gather", {s, b.constant("zero", Tensor::scalar<int64_t>(0))}, {}, "gather_0");
  ir::Value* sl = b.node("Slice", {s, b.constant("st", test::make_tensor(DType::Int64, {1}, {-2})),
                                   b.constant("en", test::make_tensor(DType::Int64, {1}, {100}))}, {}, "slice");
  ir::Value* tail = b.node("Shape", {x}, {test::attr_int("start", 1)}, "shape_tail");
  for (ir::Value* v : {g1, g0, sl, tail}) b.output(v);
  auto labels = test::run_pass(*b.model, *opt::make_fold_shape_subgraphs());
  CHECK(labels == std::vector<std::string>{"fold_shape_subgraphs: Gather 'gather_1' = [4]",
                                           "fold_shape_subgraphs: Slice 'slice' = [4, 6]",
                                           "fold_shape_subgraphs: Shape 'shape_tail' = [4, 6]"});
  CHECK(g1->constant->shape() == Dims{});
  CHECK(test::to_doubles(*sl->constant) == std::vector<double>{4, 6});
  CHECK_FALSE(g0->constant);
}

TEST_CASE("opt fold_shape_subgraphs: a Reshape target built from the input's shape becomes static but for N") {
  auto build = [] {
    test::GraphBuilder b;
    ir::Value* x = symbolic_input(b);
    ir::Value* s = b.node("Shape", {x});
    auto unsq = [&](ir::Value* v) { return b.node("Unsqueeze", {v, b.constant("ax" + v->name, test::make_tensor(DType::Int64, {1}, {0}))}); };
    ir::Value* n = unsq(b.node("Gather", {s, b.constant("i0", Tensor::scalar<int64_t>(0))}));
    ir::Value* c = unsq(b.node("Gather", {s, b.constant("i1", Tensor::scalar<int64_t>(1))}));
    ir::Value* target = b.node("Concat", {n, c, b.constant("rest", test::make_tensor(DType::Int64, {2}, {2, 3}))},
                               {test::attr_int("axis", 0)});
    b.output(b.node("Relu", {b.node("Reshape", {x, target}, {}, "reshape")}));
    return b.model;
  };
  auto m = build();
  auto report = opt::optimize(*m, opt::OptimizeOptions{1, -1});
  CHECK(test::has_label(report.applied, "fold_shape_subgraphs: Gather"));
  // Only Shape -> Gather(0) -> Unsqueeze -> Concat -> Reshape -> Relu are left, and the
  // Concat reads the folded [4] where Shape -> Gather(1) -> Unsqueeze was.
  const ir::Node* concat = nullptr;
  for (const auto& nd : m->graph->nodes())
    if (nd->op_type == "Concat") concat = nd.get();
  REQUIRE(concat);
  REQUIRE(concat->inputs[1]->constant);
  CHECK(test::to_doubles(*concat->inputs[1]->constant) == std::vector<double>{4});
  CHECK(m->graph->nodes().size() == 6);
  for (int64_t n : {1, 3}) {
    Tensor x = test::random_tensor(DType::Float32, {n, 4, 6});
    test::check_close(test::run_at_level(build(), {{"x", x}}, 3)[0], test::run_at_level(build(), {{"x", x}}, 0)[0],
                      test::Tier::Exact);
  }
}
