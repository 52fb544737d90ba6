#include <cmath>

#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/optimizer.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

// MulOnQAndK: 1/sqrt(sqrt(Dh)) on both Q and K^T, as PyTorch exports scaled_dot_product_attention.
enum class Scale { DivAfter, MulAfter, MulOnQ, DivOnQ, MulOnQAndK };

struct AttnShape {
  int64_t batch, seq, heads, head_dim;
};

ir::Value* linear(FusionGraph& b, ir::Value* x, int64_t fin, int64_t fout) {
  ir::Value* y = b.op("MatMul", {x, b.weight("w", {fin, fout}, -0.5, 0.5)});
  return b.op("Add", {y, b.weight("bias", {fout}, -0.1, 0.1)});
}

// How the head reshapes get batch and sequence: literal sizes; 0 entries that copy the input's
// dims; or, as PyTorch exports with dynamic axes write it, Concat(Gather(Shape(x), 0),
// Gather(Shape(x), 1), constants) with x the tensor being reshaped (so the merged heads have
// a Shape reader besides their Reshape).
enum class TargetDims { Literal, CopyZero, FromShape };

ir::Value* target_shape(FusionGraph& b, ir::Value* x, const AttnShape& s, TargetDims how, std::vector<int64_t> tail) {
  if (how == TargetDims::FromShape) {
    ir::Value* shape = b.op("Shape", {x});
    ir::Value* batch = b.op("Gather", {shape, b.ints({0})}, {attr_int("axis", 0)});
    ir::Value* seq = b.op("Gather", {shape, b.ints({1})}, {attr_int("axis", 0)});
    return b.op("Concat", {batch, seq, b.ints(tail)}, {attr_int("axis", 0)});
  }
  std::vector<int64_t> v = how == TargetDims::CopyZero ? std::vector<int64_t>{0, 0} : std::vector<int64_t>{s.batch, s.seq};
  v.insert(v.end(), tail.begin(), tail.end());
  return b.ints(v);
}

// The block scripts/make_models.py attention() builds, with the scale and mask variants.
// nan_guard: Where(IsNaN(p), 0, p) after the Softmax, as PyTorch's SDPA export writes it.
ir::Value* attention(FusionGraph& b, ir::Value* x, ir::Value* mask, const AttnShape& s, Scale scale,
                     TargetDims how = TargetDims::Literal, bool nan_guard = false) {
  const int64_t hidden = s.heads * s.head_dim;
  ir::Value* split = target_shape(b, x, s, how, {s.heads, s.head_dim});
  auto project = [&](const std::vector<int64_t>& perm) {
    ir::Value* p = linear(b, x, hidden, hidden);
    ir::Value* y = b.op("Reshape", {p, how == TargetDims::FromShape ? target_shape(b, p, s, how, {s.heads, s.head_dim}) : split});
    return b.op("Transpose", {y}, {attr_ints("perm", perm)});
  };
  const float root = float(std::sqrt(double(s.head_dim)));
  ir::Value* q = project({0, 2, 1, 3});
  if (scale == Scale::MulOnQ) q = b.op("Mul", {q, b.scalar(1.0f / root)});
  if (scale == Scale::DivOnQ) q = b.op("Div", {q, b.scalar(root)});
  ir::Value* kt = project({0, 2, 3, 1});
  if (scale == Scale::MulOnQAndK) {
    const float quarter = float(1.0 / std::sqrt(double(root)));
    q = b.op("Mul", {q, b.scalar(quarter)});
    kt = b.op("Mul", {kt, b.scalar(quarter)});
  }
  ir::Value* v = project({0, 2, 1, 3});
  ir::Value* scores = b.op("MatMul", {q, kt});
  if (scale == Scale::DivAfter) scores = b.op("Div", {scores, b.scalar(root)});
  if (scale == Scale::MulAfter) scores = b.op("Mul", {b.scalar(1.0f / root), scores});
  if (mask) scores = b.op("Add", {scores, mask});
  ir::Value* probs = b.op("Softmax", {scores}, {attr_int("axis", -1)});
  if (nan_guard) probs = b.op("Where", {b.op("IsNaN", {probs}), b.scalar(0.0f), probs});
  ir::Value* ctx = b.op("Transpose", {b.op("MatMul", {probs, v})}, {attr_ints("perm", {0, 2, 1, 3})});
  ctx = b.op("Reshape", {ctx, target_shape(b, ctx, s, how, {hidden})});
  return linear(b, ctx, hidden, hidden);
}

std::vector<std::unique_ptr<opt::Pass>> attention_and_matmul() {
  std::vector<std::unique_ptr<opt::Pass>> p;
  p.push_back(opt::make_fuse_attention());
  p.push_back(opt::make_fuse_matmul_add());
  return p;
}

}  // namespace

TEST_CASE("fuse_attention: the exported multi-head attention block becomes one ai.ember Attention") {
  for (const AttnShape s : {AttnShape{1, 7, 3, 5}, AttnShape{2, 17, 2, 8}, AttnShape{1, 1, 1, 1}})
    for (const Scale scale : {Scale::DivAfter, Scale::MulAfter, Scale::MulOnQ, Scale::DivOnQ})
      for (const bool masked : {true, false}) {
        CAPTURE(s.seq);
        CAPTURE(s.heads);
        CAPTURE(int(scale));
        CAPTURE(masked);
        const FusionResult r = check_fusion(
            [&](FusionGraph& b) {
              ir::Value* x = b.input("x", {s.batch, s.seq, s.heads * s.head_dim});
              ir::Value* mask = masked ? b.input("mask", {s.batch, 1, 1, s.seq}) : nullptr;
              b.output(attention(b, x, mask, s, scale));
            },
            attention_and_matmul(), Tier::Close, s.heads * s.head_dim * 2, -2.0, 2.0);
        CHECK(r.after == std::map<std::string, int>{{"ai.ember.Attention", 1}, {"ai.ember.FusedMatMul", 4}});
        for (const auto& n : r.fused->graph->nodes())
          if (n->op_type == "Attention") {
            CHECK(n->attr_int("num_heads") == s.heads);
            CHECK(n->attr_float("scale", 0) == doctest::Approx(1.0 / std::sqrt(double(s.head_dim))));
            CHECK(n->inputs.size() == (masked ? 4u : 3u));
          }
      }
}

TEST_CASE("fuse_attention: symbolic batch and sequence (dynamic axes: reshapes that copy dims or use Shape)") {
  const AttnShape s{2, 9, 3, 4};
  for (const TargetDims how : {TargetDims::CopyZero, TargetDims::FromShape})
  for (const bool masked : {true, false}) {
    CAPTURE(int(how));
    CAPTURE(masked);
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {s.batch, s.seq, s.heads * s.head_dim}, {"batch", "seq"});
          ir::Value* mask = masked ? b.input("mask", {s.batch, 1, 1, s.seq}, {"batch", "", "", "seq"}) : nullptr;
          b.output(attention(b, x, mask, s, Scale::DivAfter, how));
        },
        attention_and_matmul(), Tier::Close, s.heads * s.head_dim * 2, -2.0, 2.0);
    CHECK(r.after.at("ai.ember.Attention") == 1);
    CHECK(r.after.at("ai.ember.FusedMatMul") == 4);
    CHECK(r.after.count("Reshape") == 0);
    CHECK(r.after.count("Transpose") == 0);
  }
}

TEST_CASE("fuse_attention: PyTorch's SDPA export (Q and K^T scaled, -inf mask, NaN guard); all-masked rows give 0") {
  const AttnShape s{2, 6, 3, 4};
  // Additive mask [B, 1, S, T]: 0 or -inf; batch 0's query 2 has every key masked, so its
  // Softmax row is NaN and the guard makes that query's output 0.
  Tensor mask(DType::Float32, {s.batch, 1, s.seq, s.seq});
  for (int64_t i = 0; i < mask.numel(); ++i) {
    const int64_t row = i / s.seq, col = i % s.seq;
    mask.data<float>()[i] = row == 2 || (col + row) % 3 == 0 ? -INFINITY : 0.0f;
  }
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {s.batch, s.seq, s.heads * s.head_dim});
        b.output(attention(b, x, b.constant("mask", mask), s, Scale::MulOnQAndK, TargetDims::Literal, true));
      },
      attention_and_matmul(), Tier::Close, s.heads * s.head_dim * 2, -2.0, 2.0);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.Attention", 1}, {"ai.ember.FusedMatMul", 4}});
  for (const auto& n : r.fused->graph->nodes())
    if (n->op_type == "Attention") {
      CHECK(n->attr_int("nan_probs_to_zero", 0) == 1);
      CHECK(n->attr_float("scale", 0) == doctest::Approx(1.0 / std::sqrt(double(s.head_dim))));
    }
  // The Softmax output read by anything besides the guard is not a guard: nothing fuses.
  const FusionResult kept = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, 4, 6});
        ir::Value* split = b.ints({1, 4, 2, 3});
        auto heads = [&](const std::vector<int64_t>& perm) {
          return b.op("Transpose", {b.op("Reshape", {linear(b, x, 6, 6), split})}, {attr_ints("perm", perm)});
        };
        ir::Value* probs = b.op("Softmax", {b.op("MatMul", {heads({0, 2, 1, 3}), heads({0, 2, 3, 1})})}, {attr_int("axis", -1)});
        ir::Value* guarded = b.op("Where", {b.op("IsNaN", {probs}), b.scalar(0.0f), probs});
        ir::Value* ctx = b.op("Transpose", {b.op("MatMul", {guarded, heads({0, 2, 1, 3})})}, {attr_ints("perm", {0, 2, 1, 3})});
        b.output(b.op("Reshape", {ctx, b.ints({1, 4, 6})}));
        b.output(b.op("ReduceSum", {probs}, {attr_int("keepdims", 0)}));
      },
      passes_of(opt::make_fuse_attention()), Tier::Close, 6);
  CHECK(kept.applied.empty());
}

TEST_CASE("fuse_attention: a Softmax over another axis or a missing merge is left alone") {
  const AttnShape s{1, 4, 2, 3};
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, 4, 6});
        ir::Value* split = b.ints({1, 4, 2, 3});
        auto heads = [&](const std::vector<int64_t>& perm) {
          return b.op("Transpose", {b.op("Reshape", {linear(b, x, 6, 6), split})}, {attr_ints("perm", perm)});
        };
        ir::Value* scores = b.op("MatMul", {heads({0, 2, 1, 3}), heads({0, 2, 3, 1})});
        ir::Value* probs = b.op("Softmax", {scores}, {attr_int("axis", 2)});
        b.output(b.op("MatMul", {probs, heads({0, 2, 1, 3})}));
      },
      passes_of(opt::make_fuse_attention()), Tier::Close, 6);
  CHECK(r.applied.empty());
  (void)s;
}

TEST_CASE("fusion_passes: a small BERT layer fuses to Attention, FusedMatMul, SkipLayerNormalization, Gelu") {
  const AttnShape s{1, 9, 2, 4};
  const int64_t hidden = 8, ffn = 16;
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, s.seq, hidden});
        ir::Value* mask = b.input("mask", {1, 1, 1, s.seq});
        auto ln = [&](ir::Value* v) {
          return b.op("LayerNormalization", {v, b.weight("g", {hidden}, 0.5, 1.5), b.weight("b", {hidden})},
                      {attr_float("epsilon", 1e-12f)});
        };
        ir::Value* h = ln(b.op("Add", {attention(b, x, mask, s, Scale::DivAfter), x}));
        ir::Value* f = linear(b, h, hidden, ffn);
        ir::Value* e = b.op("Erf", {b.op("Div", {f, b.scalar(float(std::sqrt(2.0)))})});
        f = b.op("Mul", {b.op("Mul", {f, b.op("Add", {e, b.scalar(1.0f)})}), b.scalar(0.5f)});
        b.output(ln(b.op("Add", {linear(b, f, ffn, hidden), h})));
      },
      opt::fusion_passes(), Tier::Close, 32, -2.0, 2.0);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.Attention", 1},
                                              {"ai.ember.FusedMatMul", 6},
                                              {"ai.ember.SkipLayerNormalization", 2}});
}

}  // namespace ember::test
