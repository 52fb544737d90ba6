// Attention through the runtime against a naive softmax(Q K^T * scale + bias) V written here
// in double loops, plus the corner cases the spec pins down (causal offset with a cache, fully
// masked rows give 0, GQA head grouping, 3-D packing) and the error paths for bad models.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "test_util.h"
#include "support/error.h"

namespace ember::test {
namespace {

OpRun attention(std::vector<Tensor> in, std::vector<ir::Attribute> attrs = {}, size_t outs = 1, int opset = 23) {
  OpRun r;
  r.op_type = "Attention";
  r.inputs = std::move(in);
  r.attrs = std::move(attrs);
  r.num_outputs = outs;
  r.opset = opset;
  return r;
}

// Naive 4-D reference: q [B,Hq,S,D], k/v [B,Hkv,T,D/Dv], additive bias [S,T] (or none).
std::vector<double> ref_attention(const Dims& qs, const Dims& ks, int64_t dv, const std::vector<double>& q,
                                  const std::vector<double>& k, const std::vector<double>& v,
                                  const std::vector<double>* bias, double scale) {
  const int64_t B = qs[0], Hq = qs[1], S = qs[2], D = qs[3], Hkv = ks[1], T = ks[2];
  std::vector<double> y(size_t(B * Hq * S * dv));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h) {
      const int64_t hk = h / (Hq / Hkv);
      for (int64_t i = 0; i < S; ++i) {
        std::vector<double> sc(static_cast<size_t>(T));
        double mx = -1e300;
        for (int64_t j = 0; j < T; ++j) {
          double a = 0;
          for (int64_t d = 0; d < D; ++d)
            a += q[size_t(((b * Hq + h) * S + i) * D + d)] * k[size_t(((b * Hkv + hk) * T + j) * D + d)];
          sc[size_t(j)] = a * scale + (bias ? (*bias)[size_t(i * T + j)] : 0.0);
          mx = std::max(mx, sc[size_t(j)]);
        }
        double sum = 0;
        for (double& s : sc) sum += (s = std::exp(s - mx));
        for (int64_t m = 0; m < dv; ++m) {
          double a = 0;
          for (int64_t j = 0; j < T; ++j) a += sc[size_t(j)] / sum * v[size_t(((b * Hkv + hk) * T + j) * dv + m)];
          y[size_t(((b * Hq + h) * S + i) * dv + m)] = a;
        }
      }
    }
  return y;
}

TEST_CASE("attention: 4-D MHA and GQA with a float mask match a naive reference") {
  for (int64_t hq : {2, 4}) {
    CAPTURE(hq);
    const Dims qs = {2, hq, 3, 4}, ks = {2, 2, 5, 4}, vs = {2, 2, 5, 6};
    Tensor q = random_tensor(DType::Float32, qs), k = random_tensor(DType::Float32, ks),
           v = random_tensor(DType::Float32, vs), m = random_tensor(DType::Float32, {3, 5});
    const std::vector<double> bias = to_doubles(m);
    const auto y = run_op(attention({q, k, v, m}))[0];
    const auto want = ref_attention(qs, ks, 6, to_doubles(q), to_doubles(k), to_doubles(v), &bias, 0.5);
    check_close(y, make_tensor(DType::Float32, {2, hq, 3, 6}, want), Tier::Close, 5, 1e-6);
  }
}

TEST_CASE("attention: causal with a past cache is bottom-right aligned") {
  // One query after 2 cached keys attends all 3 keys; is_causal must not hide the cache.
  Tensor q = random_tensor(DType::Float32, {1, 1, 1, 2}), k = random_tensor(DType::Float32, {1, 1, 1, 2}),
         v = random_tensor(DType::Float32, {1, 1, 1, 3});
  Tensor pk = random_tensor(DType::Float32, {1, 1, 2, 2}), pv = random_tensor(DType::Float32, {1, 1, 2, 3});
  const auto out = run_op(attention({q, k, v, Tensor(), pk, pv}, {attr_int("is_causal", 1)}, 3));
  std::vector<double> kk = to_doubles(pk), vv = to_doubles(pv);
  for (double x : to_doubles(k)) kk.push_back(x);
  for (double x : to_doubles(v)) vv.push_back(x);
  const auto want = ref_attention({1, 1, 1, 2}, {1, 1, 3, 2}, 3, to_doubles(q), kk, vv, nullptr, 1 / std::sqrt(2.0));
  check_close(out[0], make_tensor(DType::Float32, {1, 1, 1, 3}, want), Tier::Close, 3, 1e-6);
  check_close(out[1], make_tensor(DType::Float32, {1, 1, 3, 2}, kk), Tier::Exact);
  check_close(out[2], make_tensor(DType::Float32, {1, 1, 3, 3}, vv), Tier::Exact);
}

TEST_CASE("attention: a fully masked row gives zeros, also in qk_matmul_output mode 3") {
  Tensor q = random_tensor(DType::Float32, {1, 1, 2, 2}), k = random_tensor(DType::Float32, {1, 1, 2, 2}),
         v = random_tensor(DType::Float32, {1, 1, 2, 2});
  Tensor m = make_tensor(DType::Bool, {2, 2}, {0, 0, 1, 1});  // row 0 masks every key
  const auto out = run_op(attention({q, k, v, m}, {attr_int("qk_matmul_output_mode", 3)}, 4));
  const auto y = to_doubles(out[0]), p = to_doubles(out[3]);
  CHECK(y[0] == 0.0);
  CHECK(y[1] == 0.0);
  CHECK(p[0] == 0.0);
  CHECK(p[1] == 0.0);
  CHECK(p[2] + p[3] == doctest::Approx(1.0));
}

TEST_CASE("attention: 3-D inputs pack heads in the last axis") {
  // With one key per head, softmax is 1 and Y is V's head, placed back in the packed layout.
  Tensor q = random_tensor(DType::Float32, {1, 1, 4}), k = random_tensor(DType::Float32, {1, 1, 4}),
         v = random_tensor(DType::Float32, {1, 1, 6});
  const auto y = run_op(attention({q, k, v}, {attr_int("q_num_heads", 2), attr_int("kv_num_heads", 2)}))[0];
  check_close(y, v, Tier::Exact);
}

TEST_CASE("attention: bad models fail with clear errors") {
  Tensor q = random_tensor(DType::Float32, {1, 3, 2, 4}), k = random_tensor(DType::Float32, {1, 2, 2, 4}),
         v = random_tensor(DType::Float32, {1, 2, 2, 4});
  CHECK(status_of([&] { run_op(attention({q, k, v})); }) == Status::ShapeMismatch);  // 3 % 2 heads
  Tensor k3 = random_tensor(DType::Float32, {1, 3, 2, 4}), v3 = random_tensor(DType::Float32, {1, 3, 2, 4});
  CHECK(status_of([&] { run_op(attention({q, k3, v3}, {attr_int("qk_matmul_output_mode", 4)})); }) ==
        Status::InvalidModel);
  CHECK(status_of([&] { run_op(attention({q, k3, v3}, {attr_int("softmax_precision", 7)})); }) ==
        Status::InvalidModel);
  CHECK(status_of([&] { run_op(attention({q, k3, v3, random_tensor(DType::Float32, {2, 2, 2})})); }) ==
        Status::ShapeMismatch);  // mask batch/head dim 2 vs 3 heads
  CHECK(status_of([&] { run_op(attention({q, k3, v3, random_tensor(DType::Float32, {2, 3})})); }) ==
        Status::ShapeMismatch);  // mask has more keys than K
  CHECK(status_of([&] { run_op(attention({q, k3, v3, Tensor(), random_tensor(DType::Float32, {1, 3, 1, 4})})); }) ==
        Status::InvalidModel);  // past_key without past_value
  Tensor q3 = random_tensor(DType::Float32, {1, 2, 6});
  CHECK(status_of([&] { run_op(attention({q3, q3, q3})); }) == Status::InvalidModel);  // no num_heads
  CHECK(status_of([&] {
          run_op(attention({q3, q3, q3}, {attr_int("q_num_heads", 4), attr_int("kv_num_heads", 4)}));
        }) == Status::ShapeMismatch);  // 6 not divisible by 4
  CHECK(status_of([&] { run_op(attention({q, k3, v3}, {attr_int("q_num_heads", 3)}, 1, 25)); }) ==
        Status::InvalidModel);  // opset 25 forbids num_heads with 4-D inputs
  CHECK(status_of([&] { run_op(attention({q, k3, v3}, {attr_int("left_window_size", -2)}, 1, 25)); }) ==
        Status::InvalidModel);
  Tensor np = make_tensor(DType::Int64, {2}, {1, 1});
  CHECK(status_of([&] { run_op(attention({q, k3, v3, Tensor(), Tensor(), Tensor(), np}, {}, 1, 24)); }) ==
        Status::ShapeMismatch);  // nonpad_kv_seqlen must be [batch]
}


TEST_CASE("attention: FlexAttention without mods, one key gives V; shape errors") {
  Tensor q = random_tensor(DType::Float32, {1, 2, 3, 4}), k = random_tensor(DType::Float32, {1, 1, 1, 4}),
         v = random_tensor(DType::Float32, {1, 1, 1, 5});
  OpRun r = attention({q, k, v});
  r.op_type = "FlexAttention";
  r.domain = "ai.onnx.preview";
  r.opset = 1;
  const auto y = run_op(r)[0];
  const auto vv = to_doubles(v);
  std::vector<double> want;
  for (int i = 0; i < 2 * 3; ++i) want.insert(want.end(), vv.begin(), vv.end());
  check_close(y, make_tensor(DType::Float32, {1, 2, 3, 5}, want), Tier::Close);
  r.inputs[1] = random_tensor(DType::Float32, {1, 1, 1, 3});  // head size differs from Q's
  CHECK(status_of([&] { run_op(r); }) == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test
