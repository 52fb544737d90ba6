#include <cmath>

#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

// x * 0.5 * p in association `assoc` (0: (x * p) * 0.5, 1: x * (p * 0.5), 2: (x * 0.5) * p),
// operands swapped when `swap`.
ir::Value* product(FusionGraph& b, ir::Value* x, ir::Value* p, int assoc, bool swap) {
  auto mul = [&](ir::Value* l, ir::Value* r) { return swap ? b.op("Mul", {r, l}) : b.op("Mul", {l, r}); };
  if (assoc == 0) return mul(mul(x, p), b.scalar(0.5f));
  if (assoc == 1) return mul(x, mul(p, b.scalar(0.5f)));
  return mul(mul(x, b.scalar(0.5f)), p);
}

ir::Value* gelu_erf(FusionGraph& b, ir::Value* x, int assoc, bool swap, bool div) {
  ir::Value* u = div ? b.op("Div", {x, b.scalar(float(std::sqrt(2.0)))}) : b.op("Mul", {x, b.scalar(float(std::sqrt(0.5)))});
  ir::Value* p = b.op("Add", {b.op("Erf", {u}), b.scalar(1.0f)});
  return product(b, x, p, assoc, swap);
}

ir::Value* gelu_tanh(FusionGraph& b, ir::Value* x, int cube, int assoc) {
  ir::Value* x3 = cube == 0   ? b.op("Pow", {x, b.scalar(3.0f)})
                  : cube == 1 ? b.op("Mul", {x, b.op("Mul", {x, x})})
                              : b.op("Mul", {b.op("Mul", {x, x}), x});
  ir::Value* inner = b.op("Add", {x, b.op("Mul", {x3, b.scalar(0.044715f)})});
  ir::Value* t = b.op("Tanh", {b.op("Mul", {b.scalar(float(std::sqrt(2.0 / M_PI))), inner})});
  return product(b, x, b.op("Add", {b.scalar(1.0f), t}), assoc, false);
}

}  // namespace

TEST_CASE("fuse_gelu: the erf form in every association becomes ai.ember Gelu") {
  for (int assoc = 0; assoc < 3; ++assoc)
    for (const bool swap : {false, true})
      for (const bool div : {true, false}) {
        CAPTURE(assoc);
        CAPTURE(swap);
        CAPTURE(div);
        const FusionResult r = check_fusion(
            [&](FusionGraph& b) { b.output(gelu_erf(b, b.input("x", {3, 17}), assoc, swap, div)); },
            passes_of(opt::make_fuse_gelu()), Tier::Close, 1, -4.0, 4.0);
        CHECK(r.after == std::map<std::string, int>{{"ai.ember.Gelu", 1}});
        CHECK(r.fused->graph->nodes()[0]->attr_string("approximate", "") == "none");
      }
}

TEST_CASE("fuse_gelu: the tanh form becomes ai.ember Gelu(approximate=tanh)") {
  for (int cube = 0; cube < 3; ++cube)
    for (int assoc = 0; assoc < 3; ++assoc) {
      CAPTURE(cube);
      CAPTURE(assoc);
      const FusionResult r = check_fusion(
          [&](FusionGraph& b) { b.output(gelu_tanh(b, b.input("x", {7, 9}), cube, assoc)); },
          passes_of(opt::make_fuse_gelu()), Tier::Close, 1, -4.0, 4.0);
      CHECK(r.after == std::map<std::string, int>{{"ai.ember.Gelu", 1}});
      CHECK(r.fused->graph->nodes()[0]->attr_string("approximate", "") == "tanh");
    }
}

TEST_CASE("fuse_gelu: wrong constants or shared intermediates are left alone") {
  SUBCASE("0.6 instead of 0.5") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {5});
          ir::Value* p = b.op("Add", {b.op("Erf", {b.op("Div", {x, b.scalar(1.4142135f)})}), b.scalar(1.0f)});
          b.output(b.op("Mul", {b.op("Mul", {x, p}), b.scalar(0.6f)}));
        },
        passes_of(opt::make_fuse_gelu()), Tier::Close);
    CHECK(r.applied.empty());
  }
  SUBCASE("the Erf output is also a graph output") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {5});
          ir::Value* e = b.op("Erf", {b.op("Div", {x, b.scalar(1.4142135f)})});
          b.output(b.op("Mul", {b.op("Mul", {x, b.op("Add", {e, b.scalar(1.0f)})}), b.scalar(0.5f)}));
          b.output(e);
        },
        passes_of(opt::make_fuse_gelu()), Tier::Close);
    CHECK(r.applied.empty());
  }
}

}  // namespace ember::test
