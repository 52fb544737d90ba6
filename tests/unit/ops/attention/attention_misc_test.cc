// RMSNormalization, RotaryEmbedding, Swish / SwiGLU, TensorScatter, CausalConvWithState and
// LinearAttention: small cases with values worked out by hand, and the error paths.
#include <doctest/doctest.h>

#include <cmath>

#include "test_util.h"
#include "support/error.h"

namespace ember::test {
namespace {

OpRun op(const char* type, std::vector<Tensor> in, std::vector<ir::Attribute> attrs, int opset, size_t outs = 1) {
  OpRun r;
  r.op_type = type;
  r.inputs = std::move(in);
  r.attrs = std::move(attrs);
  r.opset = opset;
  r.num_outputs = outs;
  return r;
}

TEST_CASE("attention rms_norm: rows scaled by 1/rms and the scale") {
  // Row [3, 4]: mean square 12.5, so y = x / sqrt(12.5) * scale (epsilon 0).
  Tensor x = make_tensor(DType::Float32, {1, 2}, {3, 4}), s = make_tensor(DType::Float32, {2}, {1, 2});
  const auto y = run_op(op("RMSNormalization", {x, s}, {attr_float("epsilon", 0.f)}, 23))[0];
  const double r = std::sqrt(12.5);
  check_close(y, make_tensor(DType::Float32, {1, 2}, {3 / r, 8 / r}), Tier::Close);
  CHECK(status_of([&] { run_op(op("RMSNormalization", {x, s}, {attr_int("stash_type", 11)}, 23)); }) ==
        Status::Unsupported);
  CHECK(status_of([&] { run_op(op("RMSNormalization", {x, s}, {attr_int("axis", 2)}, 23)); }) ==
        Status::InvalidModel);
  CHECK(status_of([&] { run_op(op("RMSNormalization", {x, make_tensor(DType::Float32, {3}, {1, 1, 1})}, {}, 23)); }) ==
        Status::ShapeMismatch);
}

TEST_CASE("attention rotary_embedding: a quarter turn and position checks") {
  // cos 0, sin 1 rotates (x1, x2) to (-x2, x1); features past rotary_embedding_dim pass through.
  Tensor x = make_tensor(DType::Float32, {1, 1, 1, 4}, {1, 2, 3, 4});
  Tensor c = make_tensor(DType::Float32, {1, 1}, {0}), s = make_tensor(DType::Float32, {1, 1}, {1});
  Tensor pos = make_tensor(DType::Int64, {1, 1}, {0});
  const auto y = run_op(op("RotaryEmbedding", {x, c, s, pos}, {attr_int("rotary_embedding_dim", 2)}, 23))[0];
  check_close(y, make_tensor(DType::Float32, {1, 1, 1, 4}, {-2, 1, 3, 4}), Tier::Exact);
  Tensor bad = make_tensor(DType::Int64, {1, 1}, {5});
  CHECK(status_of([&] { run_op(op("RotaryEmbedding", {x, c, s, bad}, {attr_int("rotary_embedding_dim", 2)}, 23)); }) ==
        Status::InvalidModel);
  CHECK(status_of([&] { run_op(op("RotaryEmbedding", {x, c, s, pos}, {attr_int("rotary_embedding_dim", 3)}, 23)); }) ==
        Status::InvalidModel);
  Tensor x3 = make_tensor(DType::Float32, {1, 1, 4}, {1, 2, 3, 4});
  CHECK(status_of([&] { run_op(op("RotaryEmbedding", {x3, c, s, pos}, {}, 23)); }) == Status::InvalidModel);
}

TEST_CASE("attention swish and swiglu") {
  Tensor x = make_tensor(DType::Float32, {2}, {0, 2});
  const auto y = run_op(op("Swish", {x}, {}, 24))[0];
  check_close(y, make_tensor(DType::Float32, {2}, {0, 2 / (1 + std::exp(-2.0))}), Tier::Close);
  Tensor b = make_tensor(DType::Float32, {2}, {5, 3});
  const auto g = run_op(op("SwiGLU", {x, b}, {}, 28))[0];
  check_close(g, make_tensor(DType::Float32, {2}, {0, 6 / (1 + std::exp(-2.0))}), Tier::Close);
  CHECK(status_of([&] { run_op(op("SwiGLU", {x, make_tensor(DType::Float32, {1}, {1})}, {}, 28)); }) ==
        Status::ShapeMismatch);
}

TEST_CASE("attention tensor_scatter: linear and circular writes, index checks") {
  Tensor cache = make_tensor(DType::Float32, {1, 3, 1}, {0, 0, 0}), upd = make_tensor(DType::Float32, {1, 2, 1}, {7, 8});
  Tensor at2 = make_tensor(DType::Int64, {1}, {2});
  const auto y = run_op(op("TensorScatter", {cache, upd, at2}, {attr_string("mode", "circular")}, 24))[0];
  check_close(y, make_tensor(DType::Float32, {1, 3, 1}, {8, 0, 7}), Tier::Exact);
  CHECK(status_of([&] { run_op(op("TensorScatter", {cache, upd, at2}, {}, 24)); }) == Status::InvalidModel);
  Tensor neg = make_tensor(DType::Int64, {1}, {-1});
  CHECK(status_of([&] { run_op(op("TensorScatter", {cache, upd, neg}, {}, 24)); }) == Status::InvalidModel);
  CHECK(status_of([&] { run_op(op("TensorScatter", {cache, upd}, {attr_int("axis", 0)}, 24)); }) ==
        Status::InvalidModel);
}

TEST_CASE("attention causal_conv_with_state: state prefix and present state") {
  // k = 2: out[t] = w0 * padded[t] + w1 * padded[t+1]; padded = [state, x].
  Tensor x = make_tensor(DType::Float32, {1, 1, 2}, {1, 2}), w = make_tensor(DType::Float32, {1, 1, 2}, {10, 1});
  Tensor st = make_tensor(DType::Float32, {1, 1, 1}, {3});
  const auto out = run_op(op("CausalConvWithState", {x, w, Tensor(), st}, {}, 27, 2));
  check_close(out[0], make_tensor(DType::Float32, {1, 1, 2}, {31, 12}), Tier::Exact);
  check_close(out[1], make_tensor(DType::Float32, {1, 1, 1}, {2}), Tier::Exact);
  CHECK(status_of([&] { run_op(op("CausalConvWithState", {x, make_tensor(DType::Float32, {1, 2}, {1, 1})}, {}, 27)); }) ==
        Status::ShapeMismatch);
  CHECK(status_of([&] { run_op(op("CausalConvWithState", {x, w}, {attr_string("activation", "relu")}, 27)); }) ==
        Status::InvalidModel);
}

TEST_CASE("attention linear_attention: one linear step and rule checks") {
  // d_k = d_v = 1, no past: S = k v, o = scale * q S.
  Tensor q = make_tensor(DType::Float32, {1, 1, 1}, {2}), k = make_tensor(DType::Float32, {1, 1, 1}, {3}),
         v = make_tensor(DType::Float32, {1, 1, 1}, {5});
  const std::vector<ir::Attribute> a = {attr_int("q_num_heads", 1), attr_int("kv_num_heads", 1),
                                        attr_string("update_rule", "linear"), attr_float("scale", 0.5f)};
  const auto out = run_op(op("LinearAttention", {q, k, v}, a, 27, 2));
  check_close(out[0], make_tensor(DType::Float32, {1, 1, 1}, {15}), Tier::Exact);
  check_close(out[1], make_tensor(DType::Float32, {1, 1, 1, 1}, {15}), Tier::Exact);
  const std::vector<ir::Attribute> gated = {attr_int("q_num_heads", 1), attr_int("kv_num_heads", 1),
                                            attr_string("update_rule", "gated")};
  CHECK(status_of([&] { run_op(op("LinearAttention", {q, k, v}, gated, 27)); }) == Status::InvalidModel);
  const std::vector<ir::Attribute> bad_heads = {attr_int("q_num_heads", 3), attr_int("kv_num_heads", 2),
                                                attr_string("update_rule", "linear")};
  CHECK(status_of([&] { run_op(op("LinearAttention", {q, k, v}, bad_heads, 27)); }) == Status::InvalidModel);
}

}  // namespace
}  // namespace ember::test
