#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {

TEST_CASE("fuse_reshape_transpose: Reshape chains collapse to one Reshape") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {2, 3, 4});
        ir::Value* y = b.op("Reshape", {b.op("Reshape", {x, b.ints({6, 4})}), b.ints({4, -1})});
        b.output(b.op("Reshape", {y, b.ints({24})}));
      },
      passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
  CHECK(r.after == std::map<std::string, int>{{"Reshape", 1}});
}

TEST_CASE("fuse_reshape_transpose: a 0 in the outer shape keeps the chain") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* x = b.input("x", {2, 3, 4});
        b.output(b.op("Reshape", {b.op("Reshape", {x, b.ints({6, 4})}), b.ints({0, 2, 2})}));
      },
      passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
  CHECK(r.applied.empty());
}

TEST_CASE("fuse_reshape_transpose: Transpose chains compose; the identity disappears") {
  SUBCASE("composed") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3, 4, 5});
          ir::Value* t = b.op("Transpose", {x}, {attr_ints("perm", {0, 2, 1, 3})});
          b.output(b.op("Transpose", {t}, {attr_ints("perm", {0, 1, 3, 2})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after == std::map<std::string, int>{{"Transpose", 1}});
    CHECK(r.fused->graph->nodes()[0]->attr_ints("perm") == std::vector<int64_t>{0, 2, 3, 1});
  }
  SUBCASE("identity inside the graph") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3, 4});
          ir::Value* t = b.op("Transpose", {b.op("Transpose", {x}, {attr_ints("perm", {1, 2, 0})})},
                              {attr_ints("perm", {2, 0, 1})});
          b.output(b.op("Relu", {t}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after == std::map<std::string, int>{{"Relu", 1}});
  }
  SUBCASE("identity as a graph output stays a (trivial) Transpose") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3});
          ir::Value* t = b.op("Transpose", {b.op("Transpose", {x}, {attr_ints("perm", {1, 0})})},
                              {attr_ints("perm", {1, 0})});
          b.output(t);
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after == std::map<std::string, int>{{"Transpose", 1}});
  }
}

TEST_CASE("fuse_reshape_transpose: merge leading dims, Transpose the rest, split them back = one Transpose") {
  // PyTorch's dynamo exporter writes K^T of attention as [B,H,T,D] -> [B*H,T,D] -> (0 2 1) -> [B,H,D,T].
  SUBCASE("two leading dims, as dynamo writes K^T") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3, 5, 4});
          ir::Value* m = b.op("Reshape", {x, b.ints({-1, 5, 4})});
          ir::Value* t = b.op("Transpose", {m}, {attr_ints("perm", {0, 2, 1})});
          b.output(b.op("Reshape", {t, b.ints({2, 3, 4, 5})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after == std::map<std::string, int>{{"Transpose", 1}});
    CHECK(r.fused->graph->nodes()[0]->attr_ints("perm") == std::vector<int64_t>{0, 1, 3, 2});
  }
  SUBCASE("three leading dims, a rank-3 tail permutation") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 1, 3, 4, 5, 6});
          ir::Value* m = b.op("Reshape", {x, b.ints({6, 4, 5, 6})});
          ir::Value* t = b.op("Transpose", {m}, {attr_ints("perm", {0, 3, 1, 2})});
          b.output(b.op("Reshape", {t, b.ints({2, 1, 3, 6, 4, 5})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after == std::map<std::string, int>{{"Transpose", 1}});
    CHECK(r.fused->graph->nodes()[0]->attr_ints("perm") == std::vector<int64_t>{0, 1, 2, 5, 3, 4});
  }
  SUBCASE("a split that regroups the leading dims differently stays") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3, 5, 4});
          ir::Value* m = b.op("Reshape", {x, b.ints({6, 5, 4})});
          ir::Value* t = b.op("Transpose", {m}, {attr_ints("perm", {0, 2, 1})});
          b.output(b.op("Reshape", {t, b.ints({3, 2, 4, 5})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after.count("Transpose") == 1);
    CHECK(r.after.count("Reshape") >= 1);
  }
  SUBCASE("a first Reshape that splits instead (DepthToSpace written out) stays") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {1, 8, 2, 3});
          ir::Value* m = b.op("Reshape", {x, b.ints({1, 2, 2, 2, 2, 3})});
          ir::Value* t = b.op("Transpose", {m}, {attr_ints("perm", {0, 3, 4, 1, 5, 2})});
          b.output(b.op("Reshape", {t, b.ints({1, 2, 4, 6})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.applied.empty());
  }
  SUBCASE("a Transpose that moves the merged axis stays") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, 3, 4, 4});
          ir::Value* m = b.op("Reshape", {x, b.ints({6, 4, 4})});
          ir::Value* t = b.op("Transpose", {m}, {attr_ints("perm", {1, 0, 2})});
          b.output(b.op("Reshape", {t, b.ints({4, 6, 4})}));
        },
        passes_of(opt::make_fuse_reshape_transpose()), Tier::Exact);
    CHECK(r.after.count("Transpose") == 1);
  }
}

}  // namespace ember::test
