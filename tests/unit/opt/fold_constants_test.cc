// fold_constants: constant chains become initializers (values computed by the reference
// kernels), Shape/Size of static tensors fold, big results and graph inputs with defaults
// do not, and a failing constant expression is reported naming its node.
#include <doctest/doctest.h>

#include "graph_builder.h"
#include "opt/level1_passes.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

namespace {

// y = x + (Constant(c) + Constant(c)) * k
std::shared_ptr<ir::Model> chain_model() {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 3});
  ir::Value* c = b.node("Constant", {}, {test::attr_tensor("value", test::make_tensor(DType::Float32, {3}, {1, 2, 3}))}, "c");
  ir::Value* k = b.constant("k", test::make_tensor(DType::Float32, {3}, {0.5, -1, 2}));
  ir::Value* d = b.node("Add", {c, c}, {}, "double");
  ir::Value* e = b.node("Mul", {d, k}, {}, "scale");
  b.output(b.node("Add", {x, e}, {}, "out"));
  return b.model;
}

}  // namespace

TEST_CASE("opt fold_constants: a constant chain folds in one find, node by node") {
  auto m = chain_model();
  auto labels = test::run_pass(*m, *opt::make_fold_constants());
  CHECK(labels == std::vector<std::string>{"fold_constants: Constant 'c'", "fold_constants: Add 'double'",
                                           "fold_constants: Mul 'scale'"});
  REQUIRE(m->graph->nodes().size() == 1);
  const ir::Value* folded = m->graph->nodes()[0]->inputs[1];
  REQUIRE(folded->constant);
  CHECK(test::to_doubles(*folded->constant) == std::vector<double>{1, -4, 12});
  CHECK(folded->type.str() == "float32[3]");
  // Nothing is left to fold: the pass reaches its fixed point.
  CHECK(test::run_pass(*m, *opt::make_fold_constants()).empty());
}

TEST_CASE("opt fold_constants: folded and unfolded models compute the same") {
  Tensor x = test::random_tensor(DType::Float32, {2, 3});
  std::printf("seed %llu\n", (unsigned long long)test::seed());
  auto y0 = test::run_at_level(chain_model(), {{"x", x}}, 0);
  auto y1 = test::run_at_level(chain_model(), {{"x", x}}, 1);
  test::check_close(y1[0], y0[0], test::Tier::Exact);
}

TEST_CASE("opt fold_constants: Shape and Size fold on static shapes only") {
  test::GraphBuilder b;
  ir::Value* x = b.input("x", DType::Float32, {2, 5});
  ir::Value* n = b.input("n", DType::Float32, {-1, 5});
  ir::Value* sx = b.node("Shape", {x}, {}, "sx");
  ir::Value* zx = b.node("Size", {x}, {}, "zx");
  ir::Value* sn = b.node("Shape", {n}, {}, "sn");
  b.output(sx);
  b.output(zx);
  b.output(sn);
  auto labels = test::run_pass(*b.model, *opt::make_fold_constants());
  CHECK(labels.size() == 2);
  REQUIRE(sx->constant);
  CHECK(test::to_doubles(*sx->constant) == std::vector<double>{2, 5});
  CHECK(test::to_doubles(*zx->constant) == std::vector<double>{10});
  CHECK_FALSE(sn->constant);
  CHECK(b.count("Shape") == 1);
}

TEST_CASE("opt fold_constants: results over 1 MiB and inputs with defaults stay computed at run time") {
  test::GraphBuilder b;
  ir::Value* shape = b.constant("shape", test::make_tensor(DType::Int64, {2}, {1024, 512}));
  ir::Value* big = b.node("ConstantOfShape", {shape}, {}, "big");  // 2 MiB of float32
  ir::Value* def = b.input("def", DType::Float32, {2});
  def->constant = test::make_tensor(DType::Float32, {2}, {1, 2});
  b.g().initializers.push_back(def);
  b.output(big);
  b.output(b.node("Neg", {def}, {}, "neg_default"));
  CHECK(test::run_pass(*b.model, *opt::make_fold_constants()).empty());
}

TEST_CASE("opt fold_constants: a constant expression that fails is reported at creation, naming the node") {
  test::GraphBuilder b;
  ir::Value* data = b.constant("data", test::make_tensor(DType::Float32, {6}, {1, 2, 3, 4, 5, 6}));
  ir::Value* shape = b.constant("shape", test::make_tensor(DType::Int64, {1}, {4}));
  b.output(b.node("Reshape", {data, shape}, {}, "bad_reshape"));
  try {
    test::run_pass(*b.model, *opt::make_fold_constants());
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("bad_reshape") != std::string::npos);
  }
}
