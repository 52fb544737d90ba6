#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

ir::Value* layer_norm(FusionGraph& b, ir::Value* s, int64_t c, bool beta) {
  std::vector<ir::Value*> in = {s, b.weight("gamma", {c}, 0.5, 1.5)};
  if (beta) in.push_back(b.weight("beta", {c}));
  return b.op("LayerNormalization", in, {attr_int("axis", -1), attr_float("epsilon", 1e-5f)});
}

}  // namespace

TEST_CASE("fuse_skip_layer_norm: Add + LayerNormalization becomes SkipLayerNormalization") {
  for (const int64_t c : {1, 17, 64})
    for (const bool beta : {true, false})
      for (const bool bias : {false, true}) {
        CAPTURE(c);
        CAPTURE(beta);
        CAPTURE(bias);
        const FusionResult r = check_fusion(
            [&](FusionGraph& b) {
              ir::Value* x = b.input("x", {2, 3, c});
              if (bias) x = b.op("Add", {x, b.weight("bias", {c})});
              b.output(layer_norm(b, b.op("Add", {x, b.input("skip", {2, 3, c})}), c, beta));
            },
            passes_of(opt::make_fuse_skip_layer_norm()), Tier::Close, c);
        CHECK(r.after == std::map<std::string, int>{{"ai.ember.SkipLayerNormalization", 1}});
        const ir::Node& n = *r.fused->graph->nodes()[0];
        CHECK(n.inputs.size() == (bias ? 5u : beta ? 4u : 3u));
        CHECK(n.outputs.size() == 1);
      }
}

TEST_CASE("fuse_skip_layer_norm: batch and sequence may be symbolic, as exporters with dynamic axes write them") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.op("Add", {b.input("x", {2, 3, 24}, {"batch", "seq"}), b.weight("bias", {24})});
        b.output(layer_norm(b, b.op("Add", {x, b.input("skip", {2, 3, 24}, {"batch", "seq"})}), 24, true));
      },
      passes_of(opt::make_fuse_skip_layer_norm()), Tier::Close, 24);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.SkipLayerNormalization", 1}});
  CHECK(r.fused->graph->nodes()[0]->inputs.size() == 5u);
}

TEST_CASE("fuse_skip_layer_norm: a sum with other uses becomes output 1") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* s = b.op("Add", {b.input("x", {4, 33}), b.input("skip", {4, 33})});
        ir::Value* y = layer_norm(b, s, 33, true);
        b.output(b.op("Add", {y, s}));  // the next residual
      },
      passes_of(opt::make_fuse_skip_layer_norm()), Tier::Close, 33);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.SkipLayerNormalization", 1}, {"Add", 1}});
  for (const auto& n : r.fused->graph->nodes())
    if (n->op_type == "SkipLayerNormalization") CHECK(n->outputs.size() == 2);
}

TEST_CASE("fuse_skip_layer_norm: a broadcasting Add or a non-last axis is left alone") {
  SUBCASE("broadcast") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) { b.output(layer_norm(b, b.op("Add", {b.input("x", {4, 8}), b.input("y", {1, 8})}), 8, true)); },
        passes_of(opt::make_fuse_skip_layer_norm()), Tier::Close, 8);
    CHECK(r.applied.empty());
  }
  SUBCASE("axis 0") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* s = b.op("Add", {b.input("x", {4, 8}), b.input("y", {4, 8})});
          b.output(b.op("LayerNormalization", {s, b.weight("g", {4, 8})}, {attr_int("axis", 0)}));
        },
        passes_of(opt::make_fuse_skip_layer_norm()), Tier::Close, 32);
    CHECK(r.applied.empty());
  }
}

}  // namespace ember::test
