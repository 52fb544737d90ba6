// Pruning rewrites (src/opt/prune): magnitude pruning (per layer and global) zeroes exactly the
// smallest weights; SparseMatMul conversion keeps results (native sparse kernel and the
// reference kernel of the op against the original dense model) and leaves dense-enough
// weights alone; structured pruning of channels whose filters are zero keeps every output
// (residual ties, Concat, BatchNormalization, depthwise, Flatten -> Gemm), and channels that
// reach a graph output are never removed. The onnxruntime comparisons are in
// tests/python/test_prune.py.
#include <doctest/doctest.h>

#include <set>

#include "backends/cpu/native_registry.h"
#include "ops/eager.h"
#include "ops/graph_inference.h"
#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"
#include "opt/prune/prune.h"
#include "runtime/session.h"

namespace ember::test {
namespace {

const Tensor& weight_of(const ir::Model& m, const std::string& op) {
  for (const auto& n : m.graph->nodes())
    if (n->op_type == op) return *n->inputs[1]->constant;
  FAIL("no ", op);
  throw 0;
}

int64_t zeros(const Tensor& t) {
  const float* p = t.data<float>();
  return std::count(p, p + t.numel(), 0.0f);
}

// Largest |w| among zeros of `after` (that were nonzero in `before`) <= smallest kept |w|.
void check_smallest_removed(const std::vector<float>& before, const Tensor& after) {
  float max_removed = 0, min_kept = INFINITY;
  const float* a = after.data<float>();
  for (size_t i = 0; i < before.size(); ++i) {
    if (a[i] == 0.0f) max_removed = std::max(max_removed, std::fabs(before[i]));
    else {
      CHECK(a[i] == before[i]);
      min_kept = std::min(min_kept, std::fabs(a[i]));
    }
  }
  CHECK(max_removed <= min_kept);
}

std::vector<float> copy_of(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

std::vector<Tensor> run(const std::shared_ptr<ir::Model>& m, const runtime::Feeds& feeds, int threads) {
  runtime::SessionOptions o;
  o.optimization = 0;
  o.threads = threads;
  return runtime::Session::from_model(m, o)->run(feeds);
}

runtime::Feeds random_feeds(const ir::Model& m) {
  runtime::Feeds feeds;
  for (const ir::Value* in : m.graph->inputs) feeds.emplace_back(in->name, random_tensor(DType::Float32, in->type.static_dims()));
  return feeds;
}

// A 90%-sparse weight: most entries exactly zero.
ir::Value* sparse_weight(FusionGraph& b, const std::string& name, const Dims& shape, double density) {
  ir::Value* w = b.weight(name, shape);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  float* p = w->constant->data<float>();
  for (int64_t i = 0; i < w->constant->numel(); ++i)
    if (u(b.gen) >= density) p[i] = 0.0f;
  return w;
}

}  // namespace

TEST_CASE("prune_magnitude: per layer, exactly floor(s * n) of each weight, the smallest ones") {
  FusionGraph b(seed());
  ir::Value* x = b.input("x", {2, 3, 9, 9});
  ir::Value* c = b.op("Conv", {x, b.weight("w", {8, 3, 3, 3})}, {attr_ints("kernel_shape", {3, 3})});
  ir::Value* f = b.op("Flatten", {c}, {attr_int("axis", 1)});
  b.output(b.op("MatMul", {f, b.weight("m", {8 * 7 * 7, 13})}));
  const auto wc = copy_of(weight_of(*b.model, "Conv")), wm = copy_of(weight_of(*b.model, "MatMul"));
  const auto report = opt::prune::prune_magnitude(*b.model, {0.7, false});
  REQUIRE(report.size() == 2);
  CHECK(zeros(weight_of(*b.model, "Conv")) == int64_t(std::floor(0.7 * 216)));
  CHECK(zeros(weight_of(*b.model, "MatMul")) == int64_t(std::floor(0.7 * 392 * 13)));
  check_smallest_removed(wc, weight_of(*b.model, "Conv"));
  check_smallest_removed(wm, weight_of(*b.model, "MatMul"));
  CHECK_THROWS_AS(opt::prune::prune_magnitude(*b.model, {1.0, false}), Error);
}

TEST_CASE("prune_magnitude: a global threshold removes the small layer first") {
  FusionGraph b(seed());
  ir::Value* x = b.input("x", {4, 16});
  ir::Value* h = b.op("MatMul", {x, b.weight("big", {16, 16}, 0.5, 1.0)});
  b.output(b.op("MatMul", {h, b.weight("small", {16, 16}, -0.01, 0.01)}));
  const auto report = opt::prune::prune_magnitude(*b.model, {0.5, true});
  REQUIRE(report.size() == 2);
  int64_t total = 0;
  for (const auto& l : report) total += l.removed;
  CHECK(total == 256);
  CHECK(report[1].removed == 256);  // every |w| of "small" is below every |w| of "big"
  CHECK(report[0].removed == 0);
}

TEST_CASE("to_sparse_ops: MatMul, Gemm and 1x1 Conv with sparse weights match the dense model") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    FusionGraph b(seed());
    ir::Value* x = b.input("x", {2, 19, 7, 5});
    ir::Value* c = b.op("Conv", {x, sparse_weight(b, "wc", {33, 19, 1, 1}, 0.1), b.weight("bc", {33})},
                        {attr_ints("kernel_shape", {1, 1})});
    ir::Value* r = b.op("Relu", {c});
    ir::Value* dense = b.op("Conv", {r, sparse_weight(b, "wd", {9, 33, 1, 1}, 0.8)}, {attr_ints("kernel_shape", {1, 1})});
    ir::Value* f = b.op("Flatten", {dense}, {attr_int("axis", 1)});
    ir::Value* g = b.op("Gemm", {f, sparse_weight(b, "wg", {70, 9 * 35}, 0.05), b.weight("bg", {70})},
                        {attr_int("transB", 1)});
    b.output(b.op("MatMul", {g, sparse_weight(b, "wm", {70, 17}, 0.2)}));
    const runtime::Feeds feeds = random_feeds(*b.model);
    const std::vector<Tensor> want = run(b.model, feeds, threads);
    ops::infer_graph(*b.model->graph, ops::OpRegistry::global());
    const auto rep = opt::prune::to_sparse_ops(*b.model, 0.35);
    CHECK(rep.converted.size() == 3);  // not the 80%-dense Conv
    const std::map<std::string, int> ops = op_counts(*b.model->graph);
    CHECK(ops.at("ai.ember.SparseMatMul") == 3);
    CHECK(ops.at("Conv") == 1);
    const std::vector<Tensor> got = run(b.model, feeds, threads);
    REQUIRE(got.size() == want.size());
    check_close_to_scale(got[0], want[0], Tier::Close, 315);  // four layers of cancelling sums
  }
}

TEST_CASE("SparseMatMul: the native kernel against the op's reference kernel, both layouts") {
  FusionGraph b(seed());
  ir::Value* x = b.input("x", {3, 40, 6, 11});
  ir::Value* c = b.op("Conv", {x, sparse_weight(b, "wc", {21, 40, 1, 1}, 0.1)}, {attr_ints("kernel_shape", {1, 1})});
  ir::Value* f = b.op("Reshape", {c, b.ints({3, 21 * 66})});
  b.output(b.op("MatMul", {f, sparse_weight(b, "wm", {21 * 66, 37}, 0.1)}));
  // Big enough (nonzeros x positions >= 2e5) for the native kernel to split rows over 2 threads.
  ir::Value* x2 = b.input("x2", {1, 256, 9, 9});
  b.output(b.op("Conv", {x2, sparse_weight(b, "wc2", {131, 256, 1, 1}, 0.1), b.weight("bc2", {131})},
                {attr_ints("kernel_shape", {1, 1})}));
  ops::infer_graph(*b.model->graph, ops::OpRegistry::global());
  REQUIRE(opt::prune::to_sparse_ops(*b.model, 0.35).converted.size() == 3);
  ThreadPool pool(2);
  for (const auto& n : b.model->graph->nodes()) {
    if (n->op_type != "SparseMatMul") continue;
    CAPTURE(n->name);
    ops::RtValue xin{random_tensor(DType::Float32, n->inputs[0]->type.static_dims()), nullptr, false};
    std::vector<ops::RtValue> consts;
    for (size_t i = 1; i < n->inputs.size(); ++i) consts.push_back({*n->inputs[i]->constant, nullptr, false});
    std::vector<const ops::RtValue*> in = {&xin};
    for (const ops::RtValue& v : consts) in.push_back(&v);
    const ops::OpSchema& schema = ops::require_schema(*n, ops::OpRegistry::global());
    const Tensor want = ops::run_node_eagerly(*n, schema, in, pool)[0].tensor;
    runtime::BackendOptions bo;
    bo.threads = 2;
    auto k = backends::make_native_kernel(*n, bo);
    REQUIRE(k);
    ops::HeapKernelContext ctx(in, {true}, pool);
    k->run(ctx);
    // Cancellation can make an output tiny: the absolute tolerance follows the size of the
    // terms, max_r sum_j |w_rj| * max|x| (x in [-1, 1)).
    const Tensor& values = *n->inputs[1]->constant;
    const Tensor& rows = *n->inputs[3]->constant;
    double max_l1 = 0;
    for (int64_t r = 0; r + 1 < rows.numel(); ++r) {
      double l1 = 0;
      for (int32_t j = rows.data<int32_t>()[r]; j < rows.data<int32_t>()[r + 1]; ++j) l1 += std::fabs(values.data<float>()[j]);
      max_l1 = std::max(max_l1, l1);
    }
    const int64_t K = n->attr_ints("weight_shape")[1];
    check_close(ctx.results()[0].tensor, want, Tier::Close, K, tier_rtol(Tier::Close, K) * max_l1);
  }
}

TEST_CASE("prune_filters: ties, Concat, BN, depthwise, Flatten->Gemm rewired; output shapes kept") {
  // Channels {1, 4, 6} of conv_a and conv_b have zero filters and bias (and their BN maps 0 to
  // 0), so after Relu they are exactly zero and removing them changes nothing downstream.
  const std::set<int64_t> dead = {1, 4, 6};
  FusionGraph b(seed());
  auto zero_filters = [&](ir::Value* w, ir::Value* bias) {
    const int64_t per = w->constant->numel() / w->constant->dim(0);
    for (int64_t c : dead) {
      std::fill_n(w->constant->data<float>() + c * per, per, 0.0f);
      bias->constant->data<float>()[c] = 0.0f;
    }
  };
  ir::Value* x = b.input("x", {2, 3, 8, 8});
  ir::Value* wa = b.weight("wa", {8, 3, 3, 3}), *ba = b.weight("ba", {8});
  ir::Value* wb = b.weight("wb", {8, 3, 1, 1}), *bb = b.weight("bb", {8});
  zero_filters(wa, ba);
  zero_filters(wb, bb);
  ir::Value* a = b.op("Conv", {x, wa, ba}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})});
  ir::Value* mean = b.weight("mean", {8}), *beta = b.weight("beta", {8}), *gamma = b.weight("gamma", {8}, 0.5, 1.5);
  for (int64_t c : dead) beta->constant->data<float>()[c] = mean->constant->data<float>()[c] = 0.0f;
  ir::Value* bn = b.op("BatchNormalization", {a, gamma, beta, mean, b.weight("var", {8}, 0.5, 1.5)});
  ir::Value* ra = b.op("Relu", {bn});
  ir::Value* rb = b.op("Relu", {b.op("Conv", {x, wb, bb}, {attr_ints("kernel_shape", {1, 1})})});
  ir::Value* sum = b.op("Add", {ra, rb});  // ties conv_a and conv_b
  ir::Value* dw = b.op("Conv", {sum, b.weight("wdw", {8, 1, 3, 3})},
                       {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}), attr_int("group", 8)});
  ir::Value* other = b.op("Conv", {x, b.weight("wo", {5, 3, 1, 1})}, {attr_ints("kernel_shape", {1, 1})});
  ir::Value* cat = b.op("Concat", {dw, other}, {attr_int("axis", 1)});
  ir::Value* next = b.op("Conv", {cat, b.weight("wn", {6, 13, 3, 3})}, {attr_ints("kernel_shape", {3, 3})});
  ir::Value* pool = b.op("MaxPool", {b.op("Relu", {cat})}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})});
  ir::Value* f = b.op("Flatten", {pool}, {attr_int("axis", 1)});
  b.output(b.op("Gemm", {f, b.weight("wg", {10, 13 * 16}), b.weight("bg", {10})}, {attr_int("transB", 1)}));
  b.output(next);
  b.output(other);  // its channels may not change: only the dead (tied) channels go
  const runtime::Feeds feeds = random_feeds(*b.model);
  const std::vector<Tensor> want = run(b.model, feeds, 2);
  // 3 of 8 channels is 37.5%: the zero filters have the smallest L1 norms.
  const auto report = opt::prune::prune_filters(*b.model, {0.375});
  std::map<std::string, int64_t> removed;
  for (const auto& l : report) removed[l.name] = l.removed;
  CHECK(removed.size() == 3);  // the tied pair, `other` and `next` (both reach graph outputs)
  const std::vector<Tensor> got = run(b.model, feeds, 2);
  REQUIRE(got.size() == 3);
  check_close(got[0], want[0], Tier::Close, 13 * 16);
  check_close(got[1], want[1], Tier::Close, 13 * 9);
  check_close(got[2], want[2], Tier::Close, 3);
  bool tied = false;
  for (const auto& l : report) {
    if (l.name.find(" + ") != std::string::npos) {
      tied = true;
      CHECK(l.removed == 3);
      CHECK(l.total == 8);
    }
    if (l.total == 6 || l.total == 5) {
      CHECK(l.removed == 0);  // `next` and `other` reach graph outputs
      CHECK(l.note.find("graph output") != std::string::npos);
    }
  }
  CHECK(tied);
}

TEST_CASE("prune_filters: exactly neutral when only dead channels go") {
  const std::set<int64_t> dead = {0, 5};
  FusionGraph b(seed());
  ir::Value* x = b.input("x", {1, 4, 6, 6});
  ir::Value* w1 = b.weight("w1", {6, 4, 3, 3}), *b1 = b.weight("b1", {6});
  for (int64_t c : dead) {
    std::fill_n(w1->constant->data<float>() + c * 36, 36, 0.0f);
    b1->constant->data<float>()[c] = 0.0f;
  }
  ir::Value* h = b.op("Relu", {b.op("Conv", {x, w1, b1}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})})});
  ir::Value* cat = b.op("Concat", {x, h}, {attr_int("axis", 1)});  // a fixed segment first
  ir::Value* pooled = b.op("GlobalAveragePool", {cat});
  ir::Value* f = b.op("Flatten", {pooled}, {attr_int("axis", 1)});
  b.output(b.op("Gemm", {f, b.weight("wg", {10, 7}), b.weight("bg", {7})}));
  const runtime::Feeds feeds = random_feeds(*b.model);
  const std::vector<Tensor> want = run(b.model, feeds, 1);
  const auto report = opt::prune::prune_filters(*b.model, {0.34});  // floor(0.34 * 6) = 2
  REQUIRE(report.size() == 1);
  CHECK(report[0].removed == 2);
  CHECK(weight_of(*b.model, "Conv").dim(0) == 4);
  CHECK(weight_of(*b.model, "Gemm").dim(0) == 8);
  const std::vector<Tensor> got = run(b.model, feeds, 1);
  check_close(got[0], want[0], Tier::Close, 10);
}

}  // namespace ember::test
