#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/quantized_test_graph.h"
#include "opt/graph_builder.h"
#include "opt/pattern.h"
#include "runtime/session.h"

namespace ember::test {

TEST_CASE("fuse_channel_lookup: per-channel elementwise chains between 8-bit values become one exact lookup") {
  const int64_t C = 5;
  SUBCASE("DQ -> Mul -> Add -> Clip -> Q (a folded batch norm and ReLU6), rank 4, uint8") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* v = dequantize(b, quantized(b, b.input("x", {2, C, 7, 9}), DType::UInt8));
          v = b.op("Mul", {v, b.weight("scale", {C, 1, 1}, 0.5, 2.0)});
          v = b.op("Add", {b.weight("shift", {C, 1, 1}), v});
          v = b.op("Clip", {v, b.scalar(0.0f), b.scalar(6.0f)});
          b.output(dequantize(b, requantize(b, v, DType::UInt8)));
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.ChannelLookup", 1},
                                                {"DequantizeLinear", 1}});
  }
  SUBCASE("a chain ending in float (a residual Add follows) stays; a per-channel DequantizeLinear") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {1, C, 4, 3});
          ir::Value* q = quantized(b, x, DType::UInt8);
          ir::Value* v = b.op("DequantizeLinear", {q, b.weight("s", {C}, 0.01, 0.03)}, {attr_int("axis", 1)});
          v = b.op("Relu", {b.op("Sub", {v, b.weight("m", {1, C, 1, 1})})});
          b.output(b.op("Add", {v, x}));
          b.output(dequantize(b, requantize(b, b.op("Neg", {b.op("Mul", {v, x})}), DType::UInt8)));
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.applied.empty());
  }
  SUBCASE("a per-channel DequantizeLinear") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* q = quantized(b, b.input("x", {1, C, 4, 3}), DType::UInt8);
          ir::Value* v = b.op("DequantizeLinear", {q, b.weight("s", {C}, 0.01, 0.03)}, {attr_int("axis", 1)});
          v = b.op("Relu", {b.op("Sub", {v, b.weight("m", {1, C, 1, 1})})});
          b.output(requantize(b, v, DType::UInt8));
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.ChannelLookup", 1}});
  }
  SUBCASE("rank 2, int8 in and out, constant on the left of a Div") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* v = dequantize(b, quantized(b, b.input("x", {3, C}), DType::Int8));
          v = b.op("Div", {b.weight("num", {C}, 1.0, 2.0), b.op("Add", {v, b.scalar(10.0f)})});
          b.output(dequantize(b, requantize(b, b.op("Sigmoid", {v}), DType::Int8)));
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.ChannelLookup", 1},
                                                {"DequantizeLinear", 1}});
  }
  SUBCASE("an operand that varies along another axis: no table") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* v = dequantize(b, quantized(b, b.input("x", {1, C, 2, 3}), DType::UInt8));
          v = b.op("Mul", {v, b.weight("s", {C, 1, 1})});
          v = b.op("Add", {v, b.weight("w", {1, 1, 3})});  // differs along W: not a table
          b.output(dequantize(b, requantize(b, v, DType::UInt8)));
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.applied.empty());
  }
  SUBCASE("a DequantizeLinear alone, or one whose value has a second use, stays") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* v = dequantize(b, quantized(b, b.input("x", {1, C, 2, 3}), DType::UInt8));
          b.output(b.op("Mul", {v, b.weight("s", {C, 1, 1})}));
          b.output(v);
        },
        passes_of(opt::make_fuse_channel_lookup()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.applied.empty());
  }
}

TEST_CASE("ai.ember ChannelLookup: a table of the wrong shape is an error naming it") {
  GraphBuilder b;
  b.model->opset_imports["ai.ember"] = 1;
  ir::Value* x = b.input("x", DType::UInt8, {1, 3, 2, 2});
  Tensor table(DType::UInt8, {4, 256});
  ir::Value* y = b.node("ChannelLookup", {x, b.constant("table", table)});
  b.g().nodes().back()->domain = "ai.ember";
  b.g().nodes().back()->opset = 1;
  b.output(y);
  runtime::SessionOptions o;
  o.threads = 1;
  o.optimization = 0;
  runtime::Feeds feeds;
  feeds.emplace_back("x", Tensor(DType::UInt8, {1, 3, 2, 2}));
  CHECK_THROWS_WITH(runtime::Session::from_model(b.model, o)->run(feeds), doctest::Contains("table must be [3, 256]"));
}

}  // namespace ember::test
