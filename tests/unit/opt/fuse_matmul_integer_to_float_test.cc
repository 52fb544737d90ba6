#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

// An int8 constant from the graph's generator (identical in every build of the graph).
ir::Value* int8_weight(FusionGraph& b, const std::string& name, const Dims& shape, int lo, int hi) {
  Tensor t(DType::Int8, shape);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<int8_t>()[i] = int8_t(d(b.gen));
  return b.constant(name, std::move(t));
}

struct Dense {
  Dims x;                  // the float input
  int64_t n;               // output columns
  bool per_column = true;  // weight zero points and scales per column, else one each
  bool bias = true, bias_first = false, scale_first = false;
};

// onnxruntime's quantize_dynamic layout of one dense layer: DynamicQuantizeLinear ->
// MatMulInteger -> Cast -> Mul(Mul(x_scale, w_scale)) [-> Add(bias)].
ir::Value* dynamic_dense(FusionGraph& b, const Dense& d) {
  const int64_t k = d.x.back();
  const std::vector<ir::Value*> q = b.op_n("DynamicQuantizeLinear", {b.input("x", d.x)}, {}, 3);
  ir::Value* w = int8_weight(b, "w", {k, d.n}, -127, 127);
  ir::Value* wz = int8_weight(b, "wz", d.per_column ? Dims{d.n} : Dims{}, -3, 3);
  ir::Value* ws = b.weight("ws", d.per_column ? Dims{d.n} : Dims{}, 0.001, 0.01);
  ir::Value* y = b.op("Cast", {b.op("MatMulInteger", {q[0], w, q[2], wz})}, {attr_int("to", 1)});
  ir::Value* s = b.op("Mul", {q[1], ws});
  y = d.scale_first ? b.op("Mul", {s, y}) : b.op("Mul", {y, s});
  if (!d.bias) return y;
  ir::Value* bias = b.weight("bias", {d.n});
  return d.bias_first ? b.op("Add", {bias, y}) : b.op("Add", {y, bias});
}

}  // namespace

TEST_CASE("fuse_matmul_integer_to_float: MatMulInteger -> Cast -> Mul [-> Add] becomes one node") {
  const Dense cases[] = {{{1, 1}, 1},
                         {{7, 17}, 9, false},
                         {{2, 7, 33}, 65, true, true, true, true},
                         {{3, 5, 64}, 40, true, false},
                         {{1, 9, 129}, 31, false, false, false, true}};
  for (const Dense& d : cases) {
    CAPTURE(dims_str(d.x));
    CAPTURE(d.n);
    const FusionResult r = check_fusion([&](FusionGraph& b) { b.output(dynamic_dense(b, d)); },
                                        passes_of(opt::make_fuse_matmul_integer_to_float()), Tier::Close, d.x.back());
    CHECK(r.after == std::map<std::string, int>{{"DynamicQuantizeLinear", 1}, {"Mul", 1},
                                                {"ai.ember.MatMulIntegerToFloat", 1}});
    const ir::Node* f = nullptr;
    for (const auto& n : r.fused->graph->nodes())
      if (n->op_type == "MatMulIntegerToFloat") f = n.get();
    REQUIRE(f != nullptr);
    CHECK(f->fused_from.size() == (d.bias ? 4u : 3u));
    CHECK((f->inputs.size() > 5 && f->inputs[5]) == d.bias);
    CHECK(f->outputs[0]->type.has_shape);
  }
}

TEST_CASE("fuse_matmul_integer_to_float: what it must leave alone") {
  SUBCASE("the int32 product has another use") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          const std::vector<ir::Value*> q = b.op_n("DynamicQuantizeLinear", {b.input("x", {3, 8})}, {}, 3);
          ir::Value* p = b.op("MatMulInteger", {q[0], int8_weight(b, "w", {8, 5}, -9, 9)});
          b.output(b.op("Mul", {b.op("Cast", {p}, {attr_int("to", 1)}), q[1]}));
          b.output(b.op("Cast", {p}, {attr_int("to", 1)}));
        },
        passes_of(opt::make_fuse_matmul_integer_to_float()), Tier::Close, 8);
    CHECK(r.applied.empty());
  }
  SUBCASE("a scale that is not one value or one per column") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          const std::vector<ir::Value*> q = b.op_n("DynamicQuantizeLinear", {b.input("x", {3, 8})}, {}, 3);
          ir::Value* p = b.op("MatMulInteger", {q[0], int8_weight(b, "w", {8, 5}, -9, 9)});
          b.output(b.op("Mul", {b.op("Cast", {p}, {attr_int("to", 1)}), b.weight("rows", {3, 1})}));
        },
        passes_of(opt::make_fuse_matmul_integer_to_float()), Tier::Close, 8);
    CHECK(r.applied.empty());
  }
  SUBCASE("a Cast to another type") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          const std::vector<ir::Value*> q = b.op_n("DynamicQuantizeLinear", {b.input("x", {3, 8})}, {}, 3);
          ir::Value* p = b.op("MatMulInteger", {q[0], int8_weight(b, "w", {8, 5}, -9, 9)});
          ir::Value* d = b.op("Cast", {b.op("Cast", {p}, {attr_int("to", 11)})}, {attr_int("to", 1)});
          b.output(b.op("Mul", {d, q[1]}));
        },
        passes_of(opt::make_fuse_matmul_integer_to_float()), Tier::Close, 8);
    CHECK(r.applied.empty());
  }
}

}  // namespace ember::test
