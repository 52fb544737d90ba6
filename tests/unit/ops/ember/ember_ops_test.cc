// The ai.ember reference kernels against independent computations: the standard ops they
// fuse (run through the same session), or plain double loops.
#include <cmath>

#include <doctest/doctest.h>

#include "test_util.h"

namespace ember::test {
namespace {

OpRun ember(const std::string& op, std::vector<Tensor> inputs, std::vector<ir::Attribute> attrs = {}) {
  OpRun r{op, std::move(inputs), std::move(attrs)};
  r.domain = "ai.ember";
  r.opset = 1;
  return r;
}

Tensor apply(const Tensor& t, double (*f)(double)) {
  std::vector<double> v = to_doubles(t);
  for (double& x : v) x = f(x);
  return make_tensor(t.dtype(), t.shape(), v);
}

Tensor add(const Tensor& a, const Tensor& b) { return run_op({"Add", {a, b}})[0]; }

}  // namespace

TEST_CASE("ai.ember FusedConv = act(Conv + B + Z)") {
  for (const auto& [act, params, fn] : {
           std::tuple<std::string, std::vector<float>, double (*)(double)>{"", {}, [](double x) { return x; }},
           {"Relu", {}, [](double x) { return x > 0 ? x : 0.0; }},
           {"LeakyRelu", {0.2f}, [](double x) { return x >= 0 ? x : 0.2 * x; }},
           {"Clip", {-0.5f, 1.0f}, [](double x) { return std::min(1.0, std::max(-0.5, x)); }},
           {"HardSigmoid", {0.2f, 0.5f}, [](double x) { return std::min(1.0, std::max(0.0, 0.2 * x + 0.5)); }},
           {"Silu", {}, [](double x) { return x / (1 + std::exp(-x)); }},
           {"Gelu", {}, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }}}) {
    CAPTURE(act);
    const Tensor x = random_tensor(DType::Float32, {2, 3, 7, 5});
    const Tensor w = random_tensor(DType::Float32, {4, 3, 3, 3});
    const Tensor b = random_tensor(DType::Float32, {4});
    const Tensor z = random_tensor(DType::Float32, {2, 4, 7, 5});
    const std::vector<ir::Attribute> conv_attrs = {attr_ints("pads", {1, 1, 1, 1}), attr_ints("kernel_shape", {3, 3})};
    std::vector<ir::Attribute> attrs = conv_attrs;
    attrs.push_back(attr_string("activation", act));
    attrs.push_back(attr_floats("activation_params", params));
    const Tensor got = run_op(ember("FusedConv", {x, w, b, z}, attrs))[0];
    const Tensor want = apply(add(run_op({"Conv", {x, w, b}, conv_attrs})[0], z), fn);
    check_close(got, want, Tier::Close, 27);
  }
}

TEST_CASE("ai.ember FusedMatMul = act(alpha * op(A) op(B) + bias + Z)") {
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      const int64_t M = 7, K = 17, N = 9;
      const Tensor a = random_tensor(DType::Float32, ta ? Dims{2, K, M} : Dims{2, M, K});
      const Tensor bm = random_tensor(DType::Float32, tb ? Dims{N, K} : Dims{K, N});
      const Tensor bias = random_tensor(DType::Float32, {N});
      const Tensor z = random_tensor(DType::Float32, {2, M, N});
      const Tensor got = run_op(ember("FusedMatMul", {a, bm, bias, z},
                                      {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", 0.5f),
                                       attr_string("activation", "Relu")}))[0];
      const Tensor at = ta ? run_op({"Transpose", {a}, {attr_ints("perm", {0, 2, 1})}})[0] : a;
      const Tensor bt = tb ? run_op({"Transpose", {bm}, {attr_ints("perm", {1, 0})}})[0] : bm;
      Tensor prod = run_op({"MatMul", {at, bt}})[0];
      prod = run_op({"Mul", {prod, make_tensor(DType::Float32, {}, {0.5})}})[0];
      const Tensor want = apply(add(add(prod, bias), z), [](double x) { return x > 0 ? x : 0.0; });
      check_close(got, want, Tier::Close, K);
    }
}

TEST_CASE("ai.ember Attention against a double loop") {
  for (const auto& [B, S, T, H, D] : {std::tuple{1, 1, 1, 1, 1}, std::tuple{2, 7, 5, 3, 4}, std::tuple{1, 17, 17, 2, 8}}) {
    CAPTURE(S);
    CAPTURE(H);
    const Tensor q = random_tensor(DType::Float32, {B, S, H * D}, -2, 2);
    const Tensor k = random_tensor(DType::Float32, {B, T, H * D}, -2, 2);
    const Tensor v = random_tensor(DType::Float32, {B, T, H * D});
    const Tensor mask = random_tensor(DType::Float32, {B, 1, 1, T}, -3, 0);
    const Tensor got = run_op(ember("Attention", {q, k, v, mask}, {attr_int("num_heads", H)}))[0];
    const std::vector<double> qv = to_doubles(q), kv = to_doubles(k), vv = to_doubles(v), mv = to_doubles(mask);
    std::vector<double> want(size_t(B * S * H * D));
    const double scale = 1.0 / std::sqrt(double(D));
    for (int b = 0; b < B; ++b)
      for (int h = 0; h < H; ++h)
        for (int s = 0; s < S; ++s) {
          std::vector<double> p(static_cast<size_t>(T));
          double mx = -1e300, sum = 0;
          for (int t = 0; t < T; ++t) {
            double dot = 0;
            for (int d = 0; d < D; ++d) dot += qv[size_t((b * S + s) * H * D + h * D + d)] * kv[size_t((b * T + t) * H * D + h * D + d)];
            p[size_t(t)] = dot * scale + mv[size_t(b * T + t)];
            mx = std::max(mx, p[size_t(t)]);
          }
          for (double& x : p) sum += (x = std::exp(x - mx));
          for (int d = 0; d < D; ++d) {
            double acc = 0;
            for (int t = 0; t < T; ++t) acc += p[size_t(t)] / sum * vv[size_t((b * T + t) * H * D + h * D + d)];
            want[size_t((b * S + s) * H * D + h * D + d)] = acc;
          }
        }
    check_close(got, make_tensor(DType::Float32, {B, S, H * D}, want), Tier::Close, T * D);
  }
}

TEST_CASE("ai.ember Attention nan_probs_to_zero: a query with every key masked (-inf) gives 0, as the guarded graph") {
  const Tensor q = random_tensor(DType::Float32, {1, 3, 4}, -2, 2);
  const Tensor k = random_tensor(DType::Float32, {1, 5, 4}, -2, 2);
  const Tensor v = random_tensor(DType::Float32, {1, 5, 4});
  Tensor mask(DType::Float32, {1, 1, 3, 5});
  for (int64_t i = 0; i < mask.numel(); ++i) mask.data<float>()[i] = i / 5 == 1 || i % 2 ? -INFINITY : 0.0f;
  const Tensor plain = run_op(ember("Attention", {q, k, v, mask}, {attr_int("num_heads", 2)}))[0];
  const Tensor got =
      run_op(ember("Attention", {q, k, v, mask}, {attr_int("num_heads", 2), attr_int("nan_probs_to_zero", 1)}))[0];
  for (int64_t i = 0; i < got.numel(); ++i) {
    CAPTURE(i);
    if (i / 4 == 1) {  // query 1: every key masked
      CHECK(std::isnan(plain.data<float>()[i]));
      CHECK(got.data<float>()[i] == 0.0f);
    } else {
      CHECK(got.data<float>()[i] == plain.data<float>()[i]);
    }
  }
}

TEST_CASE("ai.ember SkipLayerNormalization and LayerNormalization against the standard ops") {
  const Tensor x = random_tensor(DType::Float32, {3, 5, 17});
  const Tensor skip = random_tensor(DType::Float32, {3, 5, 17});
  const Tensor gamma = random_tensor(DType::Float32, {17}, 0.5, 1.5);
  const Tensor beta = random_tensor(DType::Float32, {17});
  const Tensor bias = random_tensor(DType::Float32, {17});
  OpRun r = ember("SkipLayerNormalization", {x, skip, gamma, beta, bias}, {attr_float("epsilon", 1e-3f)});
  r.num_outputs = 2;
  const std::vector<Tensor> got = run_op(r);
  const Tensor sum = add(add(x, skip), bias);
  const Tensor want = run_op({"LayerNormalization", {sum, gamma, beta}, {attr_float("epsilon", 1e-3f)}})[0];
  check_close(got[0], want, Tier::Close, 17);
  check_close(got[1], sum, Tier::Close);
  const Tensor ln = run_op(ember("LayerNormalization", {x, gamma, beta}, {attr_float("epsilon", 1e-3f)}))[0];
  check_close(ln, run_op({"LayerNormalization", {x, gamma, beta}, {attr_float("epsilon", 1e-3f)}})[0], Tier::Exact);
}

TEST_CASE("ai.ember Gelu: erf and tanh forms at known points") {
  const Tensor x = make_tensor(DType::Float32, {3}, {-1.0, 0.0, 1.0});
  check_close(run_op(ember("Gelu", {x}))[0], make_tensor(DType::Float32, {3}, {-0.15865525, 0.0, 0.84134475}),
              Tier::Close);
  check_close(run_op(ember("Gelu", {x}, {attr_string("approximate", "tanh")}))[0],
              make_tensor(DType::Float32, {3}, {-0.15880801, 0.0, 0.84119199}), Tier::Close);
}

TEST_CASE("ai.ember ops: bad attributes and shapes are named errors") {
  const Tensor x = random_tensor(DType::Float32, {1, 2, 4, 4});
  const Tensor w = random_tensor(DType::Float32, {3, 2, 1, 1});
  CHECK(status_of(ember("FusedConv", {x, w}, {attr_string("activation", "Swoosh")})) == Status::InvalidModel);
  CHECK(status_of(ember("FusedConv", {x, w}, {attr_string("activation", "Clip")})) == Status::InvalidModel);
  CHECK(status_of(ember("FusedConv", {x, w, Tensor(), random_tensor(DType::Float32, {1, 3, 4, 5})})) ==
        Status::ShapeMismatch);
  CHECK(status_of(ember("FusedMatMul", {random_tensor(DType::Float32, {3, 4}), random_tensor(DType::Float32, {4, 5}),
                                        random_tensor(DType::Float32, {4})})) == Status::ShapeMismatch);
  CHECK(status_of(ember("FusedMatMul", {random_tensor(DType::Float64, {3, 4}), random_tensor(DType::Float64, {4, 5})})) ==
        Status::TypeMismatch);
  const Tensor q = random_tensor(DType::Float32, {1, 3, 6});
  CHECK(status_of(ember("Attention", {q, q, q}, {attr_int("num_heads", 4)})) == Status::ShapeMismatch);
  CHECK(status_of(ember("Attention", {q, q, q}, {attr_int("num_heads", 0)})) == Status::InvalidModel);
  CHECK(status_of(ember("Attention", {q, q, q})) == Status::InvalidModel);
  CHECK(status_of(ember("Gelu", {q}, {attr_string("approximate", "fast")})) == Status::InvalidModel);
  CHECK(status_of(ember("SkipLayerNormalization", {q, q, random_tensor(DType::Float32, {5})})) == Status::ShapeMismatch);
}

}  // namespace ember::test
