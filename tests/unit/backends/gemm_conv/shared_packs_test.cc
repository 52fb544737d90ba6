// Nodes that read the same constant weight share one packed copy (runtime::BackendOptions::
// shared_packs): ALBERT's layers reuse one layer's weights.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "backends/cpu/native_registry.h"
#include "ops/eager.h"
#include "support/thread_pool.h"
#include "test_util.h"

namespace ember::test {
namespace {

ir::Value* tensor_value(ir::Graph& g, const std::string& name, const Tensor& t, bool constant) {
  ir::Value* v = g.add_value(name);
  v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
  if (constant) {
    v->constant = t;
    g.initializers.push_back(v);
  }
  return v;
}

ir::Node* matmul(ir::Graph& g, const std::string& name, ir::Value* a, ir::Value* b) {
  auto node = std::make_unique<ir::Node>();
  node->name = name;
  node->op_type = "MatMul";
  node->opset = 17;
  node->inputs = {a, b};
  node->outputs = {g.add_value(name + "_out")};
  return g.add_node(std::move(node));
}

// y = a x b in double, rounded to float.
Tensor product(const Tensor& a, const Tensor& b) {
  const int64_t M = a.dim(0), K = a.dim(1), N = b.dim(1);
  Tensor y(DType::Float32, {M, N});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += double(a.data<float>()[m * K + k]) * double(b.data<float>()[k * N + n]);
      y.data<float>()[m * N + n] = float(s);
    }
  return y;
}

Tensor run(const ops::Kernel& k, const Tensor& a, const Tensor& b) {
  static ThreadPool pool(2);
  std::vector<ops::RtValue> values(2);
  values[0].tensor = a;
  values[1].tensor = b;
  ops::HeapKernelContext ctx({&values[0], &values[1]}, {true}, pool);
  k.run(ctx);
  return ctx.results()[0].tensor;
}

}  // namespace

TEST_CASE("native MatMul: nodes reading the same constant share one packed copy") {
  ir::Graph g;
  const Tensor x1 = random_tensor(DType::Float32, {5, 70}), x2 = random_tensor(DType::Float32, {9, 70});
  const Tensor w = random_tensor(DType::Float32, {70, 37}), w2 = random_tensor(DType::Float32, {70, 37});
  ir::Value* a1 = tensor_value(g, "x1", x1, false);
  ir::Value* a2 = tensor_value(g, "x2", x2, false);
  ir::Value* shared = tensor_value(g, "w", w, true);
  ir::Value* other = tensor_value(g, "w2", w2, true);
  ir::Node* first = matmul(g, "first", a1, shared);
  ir::Node* second = matmul(g, "second", a2, shared);
  ir::Node* third = matmul(g, "third", a1, other);

  runtime::BackendOptions options;
  runtime::BackendOptions::SharedPacks packs;
  options.shared_packs = &packs;
  const auto k1 = backends::make_native_kernel(*first, options);
  const auto k2 = backends::make_native_kernel(*second, options);
  REQUIRE(k1);
  REQUIRE(k2);
  CHECK(packs.size() == 1);  // the second node found the first one's packed W
  const auto k3 = backends::make_native_kernel(*third, options);
  REQUIRE(k3);
  CHECK(packs.size() == 2);  // another constant: its own copy
  CHECK(k1->prepacked_input(1));
  CHECK(k2->prepacked_input(1));

  check_close(run(*k1, x1, w), product(x1, w), Tier::Close, 70);
  check_close(run(*k2, x2, w), product(x2, w), Tier::Close, 70);
  check_close(run(*k3, x1, w2), product(x1, w2), Tier::Close, 70);
}

}  // namespace ember::test
