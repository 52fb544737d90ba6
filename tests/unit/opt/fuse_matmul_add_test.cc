#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {

TEST_CASE("fuse_matmul_add: MatMul + bias Add becomes FusedMatMul, then its activation joins") {
  for (const auto& [batch, m, k, n] : {std::tuple{1, 1, 1, 1}, std::tuple{2, 7, 17, 9}, std::tuple{3, 63, 5, 129}}) {
    CAPTURE(m);
    CAPTURE(k);
    CAPTURE(n);
    for (const bool bias_first : {false, true}) {
      const FusionResult r = check_fusion(
          [&](FusionGraph& b) {
            ir::Value* y = b.op("MatMul", {b.input("a", {batch, m, k}), b.weight("w", {k, n})});
            ir::Value* bias = b.weight("bias", {n});
            y = bias_first ? b.op("Add", {bias, y}) : b.op("Add", {y, bias});
            b.output(b.op("Relu", {y}));
          },
          passes_of(opt::make_fuse_matmul_add()), Tier::Close, k);
      CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedMatMul", 1}});
      const ir::Node& f = *r.fused->graph->nodes()[0];
      CHECK(f.attr_string("activation", "") == "Relu");
      CHECK(f.inputs.size() == 3);
      CHECK(f.fused_from.size() == 3);
    }
  }
}

TEST_CASE("fuse_matmul_add: the bias fuses when batch and sequence are symbolic") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* y = b.op("MatMul", {b.input("a", {2, 7, 17}, {"batch", "seq"}), b.weight("w", {17, 9})});
        b.output(b.op("Relu", {b.op("Add", {y, b.weight("bias", {9})})}));
      },
      passes_of(opt::make_fuse_matmul_add()), Tier::Close, 17);
  CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedMatMul", 1}});
}

TEST_CASE("fuse_matmul_add: Transposes of the last two dims fold into transA / transB") {
  SUBCASE("batched A and 2-D B") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* a = b.op("Transpose", {b.input("a", {2, 17, 7})}, {attr_ints("perm", {0, 2, 1})});
          ir::Value* w = b.op("Transpose", {b.weight("w", {9, 17})}, {attr_ints("perm", {1, 0})});
          b.output(b.op("MatMul", {a, w}));
        },
        passes_of(opt::make_fuse_matmul_add()), Tier::Close, 17);
    CHECK(r.after == std::map<std::string, int>{{"ai.ember.FusedMatMul", 1}});
    const ir::Node& f = *r.fused->graph->nodes()[0];
    CHECK(f.attr_int("transA", 0) == 1);
    CHECK(f.attr_int("transB", 0) == 1);
  }
  SUBCASE("a Transpose with another use stays for that use") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* a = b.op("Transpose", {b.input("a", {5, 3})}, {attr_ints("perm", {1, 0})});
          b.output(b.op("MatMul", {a, b.weight("w", {5, 4})}));
          b.output(a);
        },
        passes_of(opt::make_fuse_matmul_add()), Tier::Close, 5);
    CHECK(r.after == std::map<std::string, int>{{"Transpose", 1}, {"ai.ember.FusedMatMul", 1}});
  }
  SUBCASE("Gemm") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* a = b.op("Transpose", {b.input("a", {7, 3})}, {attr_ints("perm", {1, 0})});
          b.output(b.op("Gemm", {a, b.weight("w", {4, 7}), b.weight("c", {4})}, {attr_int("transB", 1)}));
        },
        passes_of(opt::make_fuse_matmul_add()), Tier::Close, 7);
    CHECK(r.after == std::map<std::string, int>{{"Gemm", 1}});
    const ir::Node& f = *r.fused->graph->nodes()[0];
    CHECK(f.attr_int("transA", 0) == 1);
    CHECK(f.attr_int("transB", 0) == 1);
  }
  SUBCASE("a permutation that is not a last-two swap stays") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* a = b.op("Transpose", {b.input("a", {3, 2, 4})}, {attr_ints("perm", {1, 0, 2})});
          b.output(b.op("MatMul", {a, b.weight("w", {4, 5})}));
        },
        passes_of(opt::make_fuse_matmul_add()), Tier::Close, 4);
    CHECK(r.applied.empty());
  }
}

TEST_CASE("fuse_matmul_add: an Add that is not a [N] bias stays") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* y = b.op("MatMul", {b.input("a", {3, 4}), b.weight("w", {4, 5})});
        b.output(b.op("Add", {y, b.weight("c", {3, 1})}));
      },
      passes_of(opt::make_fuse_matmul_add()), Tier::Close, 4);
  CHECK(r.applied.empty());
}

}  // namespace ember::test
