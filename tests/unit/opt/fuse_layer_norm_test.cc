#include <cmath>

#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

// The decomposed layer norm older exporters write (scripts/onnx_builders.py layernorm()).
ir::Value* decomposed_ln(FusionGraph& b, ir::Value* x, int64_t c, bool pow, bool affine) {
  const std::vector<ir::Attribute> axes = {attr_ints("axes", {-1})};
  ir::Value* mean = b.op("ReduceMean", {x}, axes);
  ir::Value* d = b.op("Sub", {x, mean});
  ir::Value* sq = pow ? b.op("Pow", {d, b.scalar(2.0f)}) : b.op("Mul", {d, d});
  ir::Value* var = b.op("ReduceMean", {sq}, axes);
  ir::Value* y = b.op("Div", {d, b.op("Sqrt", {b.op("Add", {var, b.scalar(1e-5f)})})});
  if (!affine) return y;
  return b.op("Add", {b.op("Mul", {y, b.weight("gamma", {c}, 0.5, 1.5)}), b.weight("beta", {c})});
}

}  // namespace

TEST_CASE("fuse_layer_norm: the decomposed form becomes LayerNormalization (ONNX at opset 17, ai.ember before)") {
  for (const int opset : {17, 13})
    for (const bool pow : {true, false})
      for (const bool affine : {true, false})
        for (const int64_t c : {1, 7, 129}) {
          CAPTURE(opset);
          CAPTURE(pow);
          CAPTURE(affine);
          CAPTURE(c);
          const FusionResult r = check_fusion(
              [&](FusionGraph& b) {
                b.model->opset_imports[""] = opset;
                b.output(decomposed_ln(b, b.input("x", {2, 3, c}), c, pow, affine));
              },
              passes_of(opt::make_fuse_layer_norm()), Tier::Close, c);
          const std::string want = opset >= 17 ? "LayerNormalization" : "ai.ember.LayerNormalization";
          CHECK(r.after == std::map<std::string, int>{{want, 1}});
          CHECK(r.fused->graph->nodes()[0]->fused_from.size() == (affine ? 9u : 7u));
        }
}

TEST_CASE("fuse_layer_norm: fuses when the leading dims are symbolic, not when the normalised one is") {
  for (const bool channels_known : {true, false}) {
    CAPTURE(channels_known);
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          const std::vector<std::string> names = {"batch", "seq", channels_known ? "" : "hidden"};
          b.output(decomposed_ln(b, b.input("x", {2, 3, 16}, names), 16, true, true));
        },
        passes_of(opt::make_fuse_layer_norm()), Tier::Close, 16);
    if (channels_known)
      CHECK(r.after == std::map<std::string, int>{{"LayerNormalization", 1}});
    else
      CHECK(r.after.count("LayerNormalization") == 0);
  }
}

TEST_CASE("fuse_layer_norm: a mean over a non-trailing axis is not a layer norm") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {4, 5});
        const std::vector<ir::Attribute> axes = {attr_ints("axes", {0})};
        ir::Value* d = b.op("Sub", {x, b.op("ReduceMean", {x}, axes)});
        ir::Value* var = b.op("ReduceMean", {b.op("Mul", {d, d})}, axes);
        b.output(b.op("Div", {d, b.op("Sqrt", {b.op("Add", {var, b.scalar(1e-5f)})})}));
      },
      passes_of(opt::make_fuse_layer_norm()), Tier::Close, 4);
  CHECK(r.applied.empty());
}

}  // namespace ember::test
