#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

ir::Value* conv(FusionGraph& b, ir::Value* x, int64_t cin, int64_t cout, bool bias) {
  std::vector<ir::Value*> in = {x, b.weight("w", {cout, cin, 3, 3})};
  if (bias) in.push_back(b.weight("b", {cout}));
  return b.op("Conv", in, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})});
}

using ActFn = std::function<ir::Value*(FusionGraph&, ir::Value*)>;

}  // namespace

TEST_CASE("fuse_conv_activation: every activation becomes a FusedConv epilogue") {
  const std::vector<std::pair<std::string, ActFn>> acts = {
      {"Relu", [](FusionGraph& b, ir::Value* y) { return b.op("Relu", {y}); }},
      {"LeakyRelu", [](FusionGraph& b, ir::Value* y) { return b.op("LeakyRelu", {y}, {attr_float("alpha", 0.1f)}); }},
      {"Clip", [](FusionGraph& b, ir::Value* y) { return b.op("Clip", {y, b.scalar(-0.5f), b.scalar(0.75f)}); }},
      {"Clip max only", [](FusionGraph& b, ir::Value* y) { return b.op("Clip", {y, nullptr, b.scalar(0.5f)}); }},
      {"Sigmoid", [](FusionGraph& b, ir::Value* y) { return b.op("Sigmoid", {y}); }},
      {"HardSigmoid", [](FusionGraph& b, ir::Value* y) {
         return b.op("HardSigmoid", {y}, {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)});
       }},
      {"HardSwish", [](FusionGraph& b, ir::Value* y) { return b.op("HardSwish", {y}); }},
      {"Silu", [](FusionGraph& b, ir::Value* y) { return b.op("Mul", {b.op("Sigmoid", {y}), y}); }},
      {"Gelu", [](FusionGraph& b, ir::Value* y) { return b.op("Gelu", {y}, {}, "ai.ember"); }},
      {"GeluTanh", [](FusionGraph& b, ir::Value* y) {
         return b.op("Gelu", {y}, {attr_string("approximate", "tanh")}, "ai.ember");
       }},
  };
  for (const auto& [name, act] : acts)
    for (const bool bias : {false, true}) {
      CAPTURE(name);
      CAPTURE(bias);
      const FusionResult r = check_fusion(
          [&](FusionGraph& b) { b.output(act(b, conv(b, b.input("x", {1, 3, 7, 5}), 3, 4, bias))); },
          passes_of(opt::make_fuse_conv_activation()), Tier::Close, 27, -2.0, 2.0);
      CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedConv", 1}});
      const ir::Node& n = *r.fused->graph->nodes()[0];
      CHECK(n.fused_from.size() == (name == "Silu" ? 3u : 2u));
      CHECK(n.attr_strings("source_nodes") == n.fused_from);
    }
}

TEST_CASE("fuse_conv_activation: a residual Add becomes Z, then the activation after it joins") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {2, 4, 5, 5});
        ir::Value* skip = b.input("skip", {2, 6, 5, 5});
        b.output(b.op("Relu", {b.op("Add", {skip, conv(b, x, 4, 6, true)})}));
      },
      passes_of(opt::make_fuse_conv_activation()), Tier::Close, 36);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedConv", 1}});
  const ir::Node& n = *r.fused->graph->nodes()[0];
  CHECK(n.inputs.size() == 4);
  CHECK(n.inputs[3]->name == "skip");
  CHECK(n.attr_string("activation", "") == "Relu");
  CHECK(n.fused_from.size() == 3);
}

// Models exported with a dynamic batch axis: the residual's shape matches by the dim's name.
TEST_CASE("fuse_conv_activation: a residual with a symbolic batch fuses; one of another batch name does not") {
  for (const char* skip_batch : {"N", "M"}) {
    CAPTURE(skip_batch);
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 4, 5, 5}, {"N"});
          ir::Value* skip = b.input("skip", {2, 6, 5, 5}, {skip_batch});
          b.output(b.op("Relu", {b.op("Add", {skip, conv(b, x, 4, 6, true)})}));
        },
        passes_of(opt::make_fuse_conv_activation()), Tier::Close, 36);
    if (std::string(skip_batch) == "N")
      CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedConv", 1}});
    else
      CHECK(r.after == std::map<std::string, int>{{"Conv", 1}, {"Add", 1}, {"Relu", 1}});
  }
}

TEST_CASE("fuse_conv_activation: two Convs into one Add: one takes the other's output as Z") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {1, 3, 6, 6});
        b.output(b.op("Add", {conv(b, x, 3, 5, true), conv(b, x, 3, 5, false)}));
      },
      passes_of(opt::make_fuse_conv_activation()), Tier::Close, 27);
  CHECK(r.after == std::map<std::string, int>{{"Conv", 1}, {"ai.ember.FusedConv", 1}});
}

TEST_CASE("fuse_conv_activation: what must not fuse") {
  SUBCASE("a broadcasting Add is not a residual") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          b.output(b.op("Add", {conv(b, b.input("x", {1, 2, 4, 4}), 2, 3, false), b.weight("c", {3, 1, 1})}));
        },
        passes_of(opt::make_fuse_conv_activation()), Tier::Close, 18);
    CHECK(r.applied.empty());
  }
  SUBCASE("the Conv's output has another use") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* y = conv(b, b.input("x", {1, 2, 4, 4}), 2, 3, false);
          b.output(b.op("Relu", {y}));
          b.output(y);
        },
        passes_of(opt::make_fuse_conv_activation()), Tier::Close, 18);
    CHECK(r.applied.empty());
  }
  SUBCASE("Clip with a computed bound") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* lo = b.input("lo", {});
          b.output(b.op("Clip", {conv(b, b.input("x", {1, 2, 4, 4}), 2, 3, false), lo}));
        },
        passes_of(opt::make_fuse_conv_activation()), Tier::Close, 18);
    CHECK(r.applied.empty());
  }
}

}  // namespace ember::test
