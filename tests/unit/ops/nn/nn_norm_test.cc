// BatchNormalization, InstanceNormalization, LayerNormalization, GroupNormalization and LRN
// against direct formulas on random inputs.
#include <doctest/doctest.h>

#include <cmath>

#include "nn_test_util.h"

namespace ember::test {
namespace {

TEST_CASE("nn BatchNormalization: inference formula across opsets, ranks and dtypes") {
  for (int opset : {7, 9, 14, 15})
    for (const Dims& shape : {Dims{2, 3}, Dims{1, 7, 5, 3}, Dims{2, 17, 4}, Dims{1, 3, 2, 3, 2}}) {
      CAPTURE(opset);
      CAPTURE(dims_str(shape));
      const int64_t C = shape[1];
      const Tensor x = random_tensor(DType::Float32, shape), sc = random_tensor(DType::Float32, {C});
      const Tensor b = random_tensor(DType::Float32, {C}), mean = random_tensor(DType::Float32, {C});
      const Tensor var = random_tensor(DType::Float32, {C}, 0.1, 2.0);
      const Tensor y = run_op(nn::op("BatchNormalization", {x, sc, b, mean, var}, {attr_float("epsilon", 1e-3f)}, opset))[0];
      const auto vx = to_doubles(x), vs = to_doubles(sc), vb = to_doubles(b), vm = to_doubles(mean), vv = to_doubles(var);
      const int64_t sp = x.numel() / (shape[0] * C);
      std::vector<double> want;
      for (int64_t i = 0; i < x.numel(); ++i) {
        const size_t c = size_t((i / sp) % C);
        want.push_back((vx[size_t(i)] - vm[c]) / std::sqrt(vv[c] + double(1e-3f)) * vs[c] + vb[c]);
      }
      nn::check_result(y, make_tensor(DType::Float32, shape, want), 4);
    }
  // Opset 15 allows float16 data with float32 statistics.
  const Tensor x = random_tensor(DType::Float16, {1, 2, 3});
  const Tensor one = make_tensor(DType::Float32, {2}, {1, 1}), zero = make_tensor(DType::Float32, {2}, {0, 0});
  const Tensor y = run_op(nn::op("BatchNormalization", {x, one, zero, zero, one}, {attr_float("epsilon", 0.0f)}, 15))[0];
  check_close(y, x, Tier::Exact);
}

TEST_CASE("nn BatchNormalization: training mode uses batch statistics and updates the running ones") {
  // Channel 0 holds {1, 3}: mean 2, population variance 1.
  const Tensor x = make_tensor(DType::Float32, {2, 1}, {1, 3});
  const Tensor one = make_tensor(DType::Float32, {1}, {1}), zero = make_tensor(DType::Float32, {1}, {0});
  const auto out = run_op(nn::op("BatchNormalization", {x, one, zero, zero, one},
                                 {attr_int("training_mode", 1), attr_float("epsilon", 0.0f), attr_float("momentum", 0.5f)}, 15, 3));
  check_close(out[0], make_tensor(DType::Float32, {2, 1}, {-1, 1}), Tier::Close);
  check_close(out[1], make_tensor(DType::Float32, {1}, {1}), Tier::Close);  // 0 * 0.5 + 2 * 0.5
  check_close(out[2], make_tensor(DType::Float32, {1}, {1}), Tier::Close);  // 1 * 0.5 + 1 * 0.5
}

TEST_CASE("nn BatchNormalization: bad training_mode and bad shapes are rejected") {
  const Tensor x = random_tensor(DType::Float32, {1, 3, 2}), p = random_tensor(DType::Float32, {3}, 0.5, 1);
  auto [st, msg] = nn::error_of([&] {
    run_op(nn::op("BatchNormalization", {x, p, p, p, p}, {attr_int("training_mode", 2)}, 15));
  });
  CHECK(st == Status::InvalidModel);
  CHECK(msg.find("training_mode") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("BatchNormalization", {x, p, p, p, p}, {}, 9, 5));  // training statistics outputs
  });
  CHECK(st == Status::Unsupported);
  const Tensor q = random_tensor(DType::Float32, {4}, 0.5, 1);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("BatchNormalization", {x, q, p, p, p}, {}, 15)); });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("[3]") != std::string::npos);
}

TEST_CASE("nn InstanceNormalization") {
  for (const Dims& shape : {Dims{2, 3, 7}, Dims{1, 5, 4, 3}, Dims{2, 1, 17, 1}}) {
    const int64_t N = shape[0], C = shape[1], sp = dims_numel(shape) / (N * C);
    const Tensor x = random_tensor(DType::Float32, shape), sc = random_tensor(DType::Float32, {C});
    const Tensor b = random_tensor(DType::Float32, {C});
    const auto vx = to_doubles(x), vs = to_doubles(sc), vb = to_doubles(b);
    std::vector<double> want(vx.size());
    for (int64_t p = 0; p < N * C; ++p) {
      double m = 0, v = 0;
      for (int64_t i = 0; i < sp; ++i) m += vx[size_t(p * sp + i)];
      m /= double(sp);
      for (int64_t i = 0; i < sp; ++i) v += std::pow(vx[size_t(p * sp + i)] - m, 2);
      v /= double(sp);
      for (int64_t i = 0; i < sp; ++i)
        want[size_t(p * sp + i)] = (vx[size_t(p * sp + i)] - m) / std::sqrt(v + 1e-5) * vs[size_t(p % C)] + vb[size_t(p % C)];
    }
    nn::check_result(run_op(nn::op("InstanceNormalization", {x, sc, b}))[0], make_tensor(DType::Float32, shape, want), sp);
  }
}

// Reference LayerNorm over dims [axis, rank) with scale/bias broadcast to that block.
void check_layer_norm(const Dims& shape, int64_t axis, const Dims& scale_shape, bool with_bias, DType dt, int64_t stash) {
  CAPTURE(dims_str(shape));
  CAPTURE(axis);
  CAPTURE(dims_str(scale_shape));
  const int64_t r = int64_t(shape.size()), a = axis < 0 ? axis + r : axis;
  const Dims norm(shape.begin() + a, shape.end());
  const int64_t len = dims_numel(norm), rows = dims_numel(shape) / len;
  const Tensor x = random_tensor(dt, shape, -3, 3), sc = random_tensor(dt, scale_shape), b = random_tensor(dt, scale_shape);
  std::vector<Tensor> ins = {x, sc};
  if (with_bias) ins.push_back(b);
  const auto got = run_op(nn::op("LayerNormalization", ins, {attr_int("axis", axis), attr_int("stash_type", stash)}, 17, 3));
  const auto vx = to_doubles(x), vs = to_doubles(sc), vb = to_doubles(b);
  auto param = [&](const std::vector<double>& v, int64_t i) {  // broadcast lookup
    Dims idx(norm.size());
    for (size_t d = norm.size(); d-- > 0;) { idx[d] = i % norm[d]; i /= norm[d]; }
    int64_t off = 0;
    for (size_t d = 0; d < scale_shape.size(); ++d) {
      const int64_t nd = idx[norm.size() - scale_shape.size() + d];
      off = off * scale_shape[d] + (scale_shape[d] == 1 ? 0 : nd);
    }
    return v[size_t(off)];
  };
  std::vector<double> y, mean, inv;
  for (int64_t row = 0; row < rows; ++row) {
    double m = 0, v = 0;
    for (int64_t i = 0; i < len; ++i) m += vx[size_t(row * len + i)];
    m /= double(len);
    for (int64_t i = 0; i < len; ++i) v += std::pow(vx[size_t(row * len + i)] - m, 2);
    v /= double(len);
    const double is = 1 / std::sqrt(v + 1e-5);
    for (int64_t i = 0; i < len; ++i)
      y.push_back((vx[size_t(row * len + i)] - m) * is * param(vs, i) + (with_bias ? param(vb, i) : 0.0));
    mean.push_back(m);
    inv.push_back(is);
  }
  Dims st = shape;
  for (int64_t i = a; i < r; ++i) st[size_t(i)] = 1;
  const DType sdt = stash == 11 ? DType::Float64 : DType::Float32;
  nn::check_result(got[0], make_tensor(dt, shape, y), len);
  nn::check_result(got[1], make_tensor(sdt, st, mean), len);
  nn::check_result(got[2], make_tensor(sdt, st, inv), len);
}

TEST_CASE("nn LayerNormalization: axis, broadcast scale, optional bias, stats outputs, stash_type") {
  check_layer_norm({2, 7, 17}, -1, {17}, true, DType::Float32, 1);
  check_layer_norm({2, 7, 17}, 1, {7, 17}, true, DType::Float32, 1);
  check_layer_norm({2, 7, 17}, 1, {1, 17}, false, DType::Float32, 1);
  check_layer_norm({3, 63}, 0, {3, 63}, true, DType::Float32, 1);
  check_layer_norm({1, 128, 768}, -1, {768}, true, DType::Float32, 1);
  check_layer_norm({2, 7, 5}, -2, {7, 5}, true, DType::Float64, 11);
  check_layer_norm({2, 7, 17}, -1, {17}, true, DType::Float16, 1);
  auto [st, msg] = nn::error_of([] {
    run_op(nn::op("LayerNormalization", {random_tensor(DType::Float32, {2, 3}), random_tensor(DType::Float32, {4})}));
  });
  CHECK(st == Status::ShapeMismatch);
  std::tie(st, msg) = nn::error_of([] {
    run_op(nn::op("LayerNormalization", {random_tensor(DType::Float32, {2, 3}), random_tensor(DType::Float32, {3})},
                  {attr_int("stash_type", 7)}));
  });
  CHECK(st == Status::Unsupported);
}

TEST_CASE("nn GroupNormalization: opset 18 per-group and opset 21 per-channel parameters") {
  const int64_t N = 2, C = 6, G = 3, sp = 5;
  const Tensor x = random_tensor(DType::Float32, {N, C, sp});
  for (int opset : {18, 21}) {
    const int64_t np = opset == 18 ? G : C;
    const Tensor sc = random_tensor(DType::Float32, {np}), b = random_tensor(DType::Float32, {np});
    const auto vx = to_doubles(x), vs = to_doubles(sc), vb = to_doubles(b);
    std::vector<double> want(vx.size());
    const int64_t len = C / G * sp;
    for (int64_t r = 0; r < N * G; ++r) {
      double m = 0, v = 0;
      for (int64_t i = 0; i < len; ++i) m += vx[size_t(r * len + i)];
      m /= double(len);
      for (int64_t i = 0; i < len; ++i) v += std::pow(vx[size_t(r * len + i)] - m, 2);
      v /= double(len);
      for (int64_t i = 0; i < len; ++i) {
        const int64_t c = (r % G) * (C / G) + i / sp;
        const size_t k = size_t(opset == 18 ? r % G : c);
        want[size_t(r * len + i)] = (vx[size_t(r * len + i)] - m) / std::sqrt(v + 1e-5) * vs[k] + vb[k];
      }
    }
    nn::check_result(run_op(nn::op("GroupNormalization", {x, sc, b}, {attr_int("num_groups", G)}, opset))[0],
                     make_tensor(DType::Float32, {N, C, sp}, want), len);
  }
}

TEST_CASE("nn LRN") {
  for (int64_t size : {1, 2, 3, 5}) {
    const Dims shape = {2, 7, 3, 2};
    const Tensor x = random_tensor(DType::Float32, shape);
    const auto vx = to_doubles(x);
    const double alpha = 2e-2, beta = 0.6, bias = 1.5;
    std::vector<double> want;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 7; ++c)
        for (int64_t i = 0; i < 6; ++i) {
          double sq = 0;
          for (int64_t k = c - (size - 1) / 2; k <= c + size / 2; ++k)  // ceil((size-1)/2) == size/2
            if (k >= 0 && k < 7) sq += std::pow(vx[size_t((n * 7 + k) * 6 + i)], 2);
          want.push_back(vx[size_t((n * 7 + c) * 6 + i)] / std::pow(bias + alpha / double(size) * sq, beta));
        }
    nn::check_result(run_op(nn::op("LRN", {x}, {attr_int("size", size), attr_float("alpha", float(alpha)),
                                                attr_float("beta", float(beta)), attr_float("bias", float(bias))}))[0],
                     make_tensor(DType::Float32, shape, want), size);
  }
}

}  // namespace
}  // namespace ember::test
