#include <cmath>

#include <doctest/doctest.h>

#include "opt/attention_test_graph.h"
#include "opt/fuse_test_graph.h"
#include "opt/optimizer.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

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
  // Q, K and V in one FusedMatMul (fuse_qkv), then the output projection and the two FFN ones.
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.Attention", 1},
                                              {"ai.ember.FusedMatMul", 4},
                                              {"ai.ember.SkipLayerNormalization", 2}});
}

}  // namespace ember::test
