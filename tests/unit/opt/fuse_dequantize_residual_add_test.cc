#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/quantized_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

// DQ -> Mul -> Add: a quantized convolution's output through its folded batch norm.
ir::Value* bn_branch(FusionGraph& b, ir::Value* x, int64_t C, DType t) {
  ir::Value* v = dequantize(b, quantized(b, x, t));
  v = b.op("Mul", {v, b.weight("scale", {C, 1, 1}, 0.5, 2.0)});
  return b.op("Add", {b.weight("shift", {C, 1, 1}), v});
}

}  // namespace

TEST_CASE("fuse_dequantize_residual_add: a residual block's float tail becomes one exact node") {
  const int64_t C = 5;
  const Dims shape = {2, C, 7, 9};
  SUBCASE("DQ -> Mul -> Add -> Add(identity) -> Relu -> Q, the float result also used") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* id = b.input("identity", shape);
          ir::Value* y = b.op("Relu", {b.op("Add", {bn_branch(b, b.input("x", shape), C, DType::UInt8), id})});
          b.output(dequantize(b, requantize(b, y, DType::UInt8)));
          b.output(b.op("Neg", {y}));
        },
        passes_of(opt::make_fuse_dequantize_residual_add()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.DequantizeResidualAdd", 1},
                                                {"DequantizeLinear", 1}, {"Neg", 1}});
  }
  SUBCASE("the identity on the left, int8 in and out, the float result used only by the Q") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* id = b.input("identity", shape);
          ir::Value* y = b.op("Relu", {b.op("Add", {id, bn_branch(b, b.input("x", shape), C, DType::Int8)})});
          b.output(dequantize(b, requantize(b, y, DType::Int8)));
        },
        passes_of(opt::make_fuse_dequantize_residual_add()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.DequantizeResidualAdd", 1},
                                                {"DequantizeLinear", 1}});
  }
  SUBCASE("both branches quantized (a downsampling block): one is fused, the other stays float; no Relu, no Q") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", shape);
          b.output(b.op("Add", {bn_branch(b, x, C, DType::UInt8), bn_branch(b, b.op("Neg", {x}), C, DType::UInt8)}));
        },
        passes_of(opt::make_fuse_dequantize_residual_add()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 2}, {"ai.ember.DequantizeResidualAdd", 1},
                                                {"DequantizeLinear", 1}, {"Mul", 1}, {"Add", 1}, {"Neg", 1}});
  }
  SUBCASE("a bare DequantizeLinear, rank 2") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* y = b.op("Add", {dequantize(b, quantized(b, b.input("x", {3, C}), DType::UInt8)), b.input("r", {3, C})});
          b.output(dequantize(b, requantize(b, b.op("Relu", {y}), DType::UInt8)));
        },
        passes_of(opt::make_fuse_dequantize_residual_add()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.after == std::map<std::string, int>{{"QuantizeLinear", 1}, {"ai.ember.DequantizeResidualAdd", 1},
                                                {"DequantizeLinear", 1}});
  }
  SUBCASE("no fusion: a broadcast residual, a constant varying along W, a branch value used twice") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", shape);
          b.output(b.op("Add", {bn_branch(b, x, C, DType::UInt8), b.input("r", {1, C, 1, 9})}));
          ir::Value* v = dequantize(b, quantized(b, x, DType::UInt8));
          v = b.op("Mul", {v, b.weight("w", {1, 1, 9})});
          b.output(b.op("Add", {v, b.input("r2", shape)}));
          ir::Value* u = bn_branch(b, x, C, DType::UInt8);
          b.output(b.op("Add", {u, b.input("r3", shape)}));
          b.output(u);
        },
        passes_of(opt::make_fuse_dequantize_residual_add()), Tier::Exact, 1, -3.0, 3.0);
    CHECK(r.applied.empty());
  }
}

}  // namespace ember::test
