// The whole optimizer (every level) leaves small ResNet- and BERT-shaped models numerically
// unchanged against level 0. The models are built here with the patterns the real exports
// have: Conv+BatchNorm+Relu with a residual Add, and attention with Shape->Gather->Concat->
// Reshape chains on a symbolic batch, decomposed LayerNorm, Erf GELU, Dropout and Identity.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "graph_builder.h"
#include "opt/optimizer.h"
#include "pass_runner.h"
#include "test_util.h"

using namespace ember;

namespace {

Tensor weights(const Dims& shape, double scale) { return test::random_tensor(DType::Float32, shape, -scale, scale); }

ir::Value* conv_bn(test::GraphBuilder& b, ir::Value* x, int64_t cin, int64_t cout, const std::string& name, bool relu) {
  ir::Value* w = b.constant(name + ".w", weights({cout, cin, 3, 3}, 1.0 / std::sqrt(9.0 * cin)));
  ir::Value* y = b.node("Conv", {x, w}, {test::attr_ints("pads", {1, 1, 1, 1}), test::attr_ints("kernel_shape", {3, 3})}, name);
  auto vec = [&](const std::string& n, double lo, double hi) {
    return b.constant(name + "." + n, test::random_tensor(DType::Float32, {cout}, lo, hi));
  };
  y = b.node("BatchNormalization", {y, vec("gamma", 0.5, 1.5), vec("beta", -0.2, 0.2), vec("mean", -0.1, 0.1),
                                    vec("var", 0.5, 1.5)}, {test::attr_float("epsilon", 1e-5f)}, name + ".bn");
  return relu ? b.node("Relu", {y}, {}, name + ".relu") : y;
}

std::shared_ptr<ir::Model> tiny_resnet() {
  test::GraphBuilder b;
  ir::Value* x = b.input("image", DType::Float32, {1, 3, 9, 9});
  ir::Value* stem = conv_bn(b, x, 3, 8, "stem", true);
  ir::Value* branch = conv_bn(b, conv_bn(b, stem, 8, 8, "block.a", true), 8, 8, "block.b", false);
  ir::Value* y = b.node("Relu", {b.node("Add", {branch, stem}, {}, "block.add")}, {}, "block.relu");
  y = b.node("Flatten", {b.node("GlobalAveragePool", {y}, {}, "pool")}, {test::attr_int("axis", 1)}, "flatten");
  y = b.node("Gemm", {y, b.constant("fc.w", weights({5, 8}, 0.5)), b.constant("fc.b", weights({5}, 0.1))},
             {test::attr_int("transB", 1)}, "fc");
  b.output(y);
  return b.model;
}

// One BERT encoder layer on x: [N, S=5, H=8] with 2 heads, N symbolic.
std::shared_ptr<ir::Model> tiny_bert() {
  const int64_t S = 5, H = 8, heads = 2, dh = H / heads;
  test::GraphBuilder b;
  ir::Value* x = b.input("hidden", DType::Float32, {-1, S, H});
  x->type.dims[0].symbol = "N";
  ir::Value* mask = b.input("mask_add", DType::Float32, {-1, 1, 1, S});
  mask->type.dims[0].symbol = "N";
  auto i64 = [&](const std::string& n, std::vector<double> v) {
    return b.constant(n, test::make_tensor(DType::Int64, {int64_t(v.size())}, v));
  };
  auto linear = [&](ir::Value* v, int64_t fin, int64_t fout, const std::string& n) {
    ir::Value* y = b.node("MatMul", {v, b.constant(n + ".w", weights({fin, fout}, 1.0 / std::sqrt(double(fin))))}, {}, n);
    return b.node("Add", {y, b.constant(n + ".b", weights({fout}, 0.1))}, {}, n + ".bias");
  };
  // [N, S, H] -> [N, heads, S, dh] with the target shape computed from Shape(x), as exporters do.
  ir::Value* shape = b.node("Shape", {x}, {}, "shape");
  auto dim = [&](int64_t k, const std::string& n) {
    ir::Value* g = b.node("Gather", {shape, b.constant(n + ".i", Tensor::scalar<int64_t>(k))}, {}, n);
    return b.node("Unsqueeze", {g, i64(n + ".axes", {0})}, {}, n + ".unsq");
  };
  ir::Value* split_shape = b.node("Concat", {dim(0, "dim_n"), dim(1, "dim_s"), i64("heads", {double(heads), double(dh)})},
                                  {test::attr_int("axis", 0)}, "split_shape");
  auto split = [&](ir::Value* v, const std::string& n) {
    ir::Value* r = b.node("Reshape", {v, split_shape}, {}, n + ".reshape");
    return b.node("Transpose", {r}, {test::attr_ints("perm", {0, 2, 1, 3})}, n + ".transpose");
  };
  ir::Value* q = split(linear(x, H, H, "q"), "q");
  ir::Value* k = split(linear(x, H, H, "k"), "k");
  ir::Value* v = split(linear(x, H, H, "v"), "v");
  ir::Value* kt = b.node("Transpose", {k}, {test::attr_ints("perm", {0, 1, 3, 2})}, "kt");
  ir::Value* scores = b.node("Div", {b.node("MatMul", {q, kt}, {}, "qk"), b.constant("sqrt_dh", Tensor::scalar<float>(2.0f))}, {}, "scale");
  ir::Value* probs = b.node("Softmax", {b.node("Add", {scores, mask}, {}, "masked")}, {test::attr_int("axis", -1)}, "softmax");
  probs = b.node("Dropout", {probs}, {}, "attn_dropout");
  ir::Value* ctx = b.node("Transpose", {b.node("MatMul", {probs, v}, {}, "pv")}, {test::attr_ints("perm", {0, 2, 1, 3})}, "merge");
  ir::Value* merged = b.node("Reshape", {ctx, b.node("Concat", {dim(0, "dim_n2"), dim(1, "dim_s2"), i64("hidden_dim", {double(H)})},
                                                      {test::attr_int("axis", 0)}, "merge_shape")}, {}, "merge.reshape");
  ir::Value* attn = b.node("Add", {b.node("Identity", {linear(merged, H, H, "out")}, {}, "out.identity"), x}, {}, "residual");
  // Decomposed LayerNorm over the last axis.
  ir::Value* mean = b.node("ReduceMean", {attn}, {test::attr_ints("axes", {-1})}, "ln.mean");
  ir::Value* centered = b.node("Sub", {attn, mean}, {}, "ln.sub");
  ir::Value* var = b.node("ReduceMean", {b.node("Pow", {centered, b.constant("two", Tensor::scalar<float>(2.0f))}, {}, "ln.pow")},
                          {test::attr_ints("axes", {-1})}, "ln.var");
  ir::Value* denom = b.node("Sqrt", {b.node("Add", {var, b.constant("eps", Tensor::scalar<float>(1e-5f))}, {}, "ln.eps")}, {}, "ln.sqrt");
  ir::Value* ln = b.node("Add", {b.node("Mul", {b.node("Div", {centered, denom}, {}, "ln.div"), b.constant("ln.g", weights({H}, 1.0))}, {}, "ln.scale"),
                                 b.constant("ln.b", weights({H}, 0.1))}, {}, "ln.shift");
  // GELU(x) = 0.5 x (1 + erf(x / sqrt 2)).
  ir::Value* h = linear(ln, H, 2 * H, "ffn.in");
  ir::Value* erf = b.node("Erf", {b.node("Div", {h, b.constant("sqrt2", Tensor::scalar<float>(std::sqrt(2.0f)))}, {}, "gelu.div")}, {}, "gelu.erf");
  ir::Value* gelu = b.node("Mul", {b.node("Mul", {h, b.node("Add", {erf, b.constant("one", Tensor::scalar<float>(1.0f))}, {}, "gelu.add")}, {}, "gelu.mul"),
                                   b.constant("half", Tensor::scalar<float>(0.5f))}, {}, "gelu.half");
  b.output(b.node("Add", {linear(gelu, 2 * H, H, "ffn.out"), ln}, {}, "ffn.residual"));
  return b.model;
}

}  // namespace

TEST_CASE("opt whole optimizer: a small ResNet computes the same at every level") {
  std::printf("seed %llu\n", (unsigned long long)test::seed());
  const auto seed = test::seed();
  Tensor x = test::random_tensor(DType::Float32, {1, 3, 9, 9});
  std::vector<Tensor> want;
  for (int level = 0; level <= 3; ++level) {
    test::rng().seed(seed);  // the same weights for every build
    auto m = tiny_resnet();
    auto y = test::run_at_level(m, {{"image", x}}, level);
    if (level == 0) want = y;
    else test::check_close(y[0], want[0], test::Tier::Close, 9 * 8);
  }
}

TEST_CASE("opt whole optimizer: a small BERT layer computes the same at every level, for several batch sizes") {
  std::printf("seed %llu\n", (unsigned long long)test::seed());
  const auto seed = test::seed();
  for (int64_t n : {1, 3}) {
    Tensor x = test::random_tensor(DType::Float32, {n, 5, 8});
    Tensor mask = test::random_tensor(DType::Float32, {n, 1, 1, 5}, -2.0, 0.0);
    std::vector<Tensor> want;
    for (int level = 0; level <= 3; ++level) {
      test::rng().seed(seed);
      auto m = tiny_bert();
      auto y = test::run_at_level(m, {{"hidden", x}, {"mask_add", mask}}, level);
      if (level == 0) want = y;
      else test::check_close(y[0], want[0], test::Tier::Close, 16);
    }
  }
}

TEST_CASE("opt whole optimizer: level 1 removes the BERT layer's clean-up work") {
  auto m = tiny_bert();
  auto report = opt::optimize(*m, opt::OptimizeOptions{1, -1});
  for (const char* part : {"remove_noops: Dropout 'attn_dropout'", "remove_noops: Identity 'out.identity'",
                           "fold_shape_subgraphs: Gather 'dim_s'", "eliminate_common_subexpressions: Gather 'dim_n2' = 'dim_n'"})
    CHECK_MESSAGE(test::has_label(report.applied, part), part);
}
