#include <doctest/doctest.h>

#include "opt/attention_test_graph.h"
#include "opt/fuse_test_graph.h"
#include "opt/pass_runner.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

std::vector<std::unique_ptr<opt::Pass>> attention_passes() {
  std::vector<std::unique_ptr<opt::Pass>> p;
  p.push_back(opt::make_fuse_attention());
  p.push_back(opt::make_fuse_matmul_add());
  p.push_back(opt::make_fuse_qkv());
  return p;
}

const ir::Node* only(const ir::Graph& g, const std::string& op_type) {
  const ir::Node* found = nullptr;
  for (const auto& n : g.nodes())
    if (n->op_type == op_type) {
      REQUIRE(found == nullptr);
      found = n.get();
    }
  return found;
}

}  // namespace

// check_fusion compares the merged graph with the unfused one through the reference kernels
// (the packed Attention included) and runs the unfused model at level 3, where the native
// packed Attention reads the merged GEMM's output.
TEST_CASE("fuse_qkv: the Q, K and V projections of a self-attention become one FusedMatMul") {
  for (const AttnShape s : {AttnShape{1, 7, 3, 5}, AttnShape{2, 17, 2, 8}, AttnShape{1, 1, 1, 1}})
    for (const bool masked : {true, false}) {
      CAPTURE(s.seq);
      CAPTURE(s.heads);
      CAPTURE(masked);
      const int64_t hidden = s.heads * s.head_dim;
      const FusionResult r = check_fusion(
          [&](FusionGraph& b) {
            ir::Value* x = b.input("x", {s.batch, s.seq, hidden});
            ir::Value* mask = masked ? b.input("mask", {s.batch, 1, 1, s.seq}) : nullptr;
            b.output(attention(b, x, mask, s, Scale::DivAfter));
          },
          attention_passes(), Tier::Close, hidden * 2, -2.0, 2.0);
      CHECK(r.after == std::map<std::string, int>{{"ai.ember.Attention", 1}, {"ai.ember.FusedMatMul", 2}});
      CHECK(has_label(r.applied, "fuse_qkv"));
      const ir::Node* attn = only(*r.fused->graph, "Attention");
      REQUIRE(attn != nullptr);
      CHECK(attn->explicit_input_count() == (masked ? 4u : 1u));
      CHECK(attn->inputs[0]->type.dims.back().value == 3 * hidden);
      const ir::Node* qkv = attn->inputs[0]->producer;
      REQUIRE(qkv != nullptr);
      CHECK(qkv->op_type == "FusedMatMul");
      CHECK(qkv->fused_from.size() == 6u);  // three MatMul + bias Add pairs
    }
}

TEST_CASE("fuse_qkv: cross-attention (K, V from another input) and a projection read twice stay apart") {
  const AttnShape s{1, 5, 2, 3};
  const int64_t hidden = 6;
  // Attention(q(x), k(m), v(m)) written directly as ai.ember nodes.
  const FusionResult cross = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, s.seq, hidden});
        ir::Value* m = b.input("m", {1, s.seq, hidden});
        ir::Value* q = linear(b, x, hidden, hidden);
        ir::Value* k = linear(b, m, hidden, hidden);
        ir::Value* v = linear(b, m, hidden, hidden);
        b.output(b.op("Attention", {q, k, v}, {attr_int("num_heads", s.heads)}, "ai.ember"));
      },
      attention_passes(), Tier::Close, hidden * 2);
  CHECK(!has_label(cross.applied, "fuse_qkv"));
  CHECK(cross.after.at("ai.ember.FusedMatMul") == 3);
  // The Q projection is also a graph output: merging would have to keep it.
  const FusionResult shared = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, s.seq, hidden});
        ir::Value* q = linear(b, x, hidden, hidden);
        ir::Value* k = linear(b, x, hidden, hidden);
        ir::Value* v = linear(b, x, hidden, hidden);
        b.output(b.op("Attention", {q, k, v}, {attr_int("num_heads", s.heads)}, "ai.ember"));
        b.output(q);
      },
      attention_passes(), Tier::Close, hidden * 2);
  CHECK(!has_label(shared.applied, "fuse_qkv"));
}

}  // namespace ember::test
