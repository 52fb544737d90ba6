#include <doctest/doctest.h>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

ir::Value* conv(FusionGraph& b, ir::Value* x, int64_t c, int64_t group, std::vector<ir::Attribute> attrs) {
  attrs.push_back(attr_ints("kernel_shape", {3, 3}));
  attrs.push_back(attr_ints("strides", {2, 2}));
  attrs.push_back(attr_int("group", group));
  return b.op("Conv", {x, b.weight("w", {c, c / group, 3, 3}), b.weight("b", {c})}, attrs);
}

// Pad at opset >= 11 (pads as an input), zero by default or given.
ir::Value* pad(FusionGraph& b, ir::Value* x, const std::vector<int64_t>& pads, std::optional<float> value = {},
               const std::string& mode = "constant") {
  std::vector<ir::Value*> in = {x, b.ints(pads)};
  if (value) in.push_back(b.scalar(*value));
  return b.op("Pad", in, {attr_string("mode", mode)});
}

}  // namespace

TEST_CASE("fuse_pad_conv: a zero Pad of the spatial axes becomes the Conv's pads") {
  for (const int64_t group : {1, 6}) {
    for (const bool explicit_zero : {false, true}) {
      CAPTURE(group);
      CAPTURE(explicit_zero);
      const FusionResult r = check_fusion(
          [&](FusionGraph& b) {
            ir::Value* x = b.input("x", {2, 6, 11, 10});
            // Keras' 'correct_pad' for stride 2 (bottom/right only) plus a Conv that pads too.
            ir::Value* p = pad(b, x, {0, 0, 0, 1, 0, 0, 1, 2}, explicit_zero ? std::optional<float>(0.f) : std::nullopt);
            b.output(conv(b, p, 6, group, {attr_ints("pads", {1, 0, 0, 1})}));
          },
          passes_of(opt::make_fuse_pad_conv()), Tier::Close, 6 / group * 9);
      CHECK(r.after == std::map<std::string, int>{{"Conv", 1}});
      const ir::Node& c = *r.fused->graph->nodes()[0];
      CHECK(c.attr_ints("pads") == std::vector<int64_t>{1, 1, 1, 3});
      CHECK(c.fused_from.size() == 2);
    }
  }
}

TEST_CASE("fuse_pad_conv: attribute pads (opset 10), an axes input (opset 18), auto_pad VALID, symbolic batch") {
  SUBCASE("opset 10") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          b.model->opset_imports[""] = 10;
          ir::Value* x = b.input("x", {1, 4, 9, 9});
          ir::Value* p = b.op("Pad", {x}, {attr_ints("pads", {0, 0, 1, 1, 0, 0, 1, 1}), attr_float("value", 0.f)});
          b.output(conv(b, p, 4, 1, {}));
        },
        passes_of(opt::make_fuse_pad_conv()), Tier::Close, 36);
    CHECK(r.after == std::map<std::string, int>{{"Conv", 1}});
  }
  SUBCASE("opset 18 with axes [-1, 2]") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          b.model->opset_imports[""] = 18;
          ir::Value* x = b.input("x", {1, 4, 9, 8});
          ir::Value* p = b.op("Pad", {x, b.ints({2, 1, 0, 1}), b.scalar(0.f), b.ints({-1, 2})});
          b.output(conv(b, p, 4, 1, {attr_string("auto_pad", "VALID")}));
        },
        passes_of(opt::make_fuse_pad_conv()), Tier::Close, 36);
    CHECK(r.after == std::map<std::string, int>{{"Conv", 1}});
    CHECK(r.fused->graph->nodes()[0]->attr_ints("pads") == std::vector<int64_t>{1, 2, 1, 0});
    CHECK(r.fused->graph->nodes()[0]->attr_string("auto_pad", "") == "NOTSET");
  }
  SUBCASE("symbolic batch") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {3, 4, 9, 9}, {"batch", "", "", ""});
          b.output(conv(b, pad(b, x, {0, 0, 1, 1, 0, 0, 1, 1}), 4, 4, {}));
        },
        passes_of(opt::make_fuse_pad_conv()), Tier::Close, 9);
    CHECK(r.after == std::map<std::string, int>{{"Conv", 1}});
  }
}

TEST_CASE("fuse_pad_conv: Pads the Conv cannot absorb stay") {
  struct Case {
    const char* what;
    std::vector<int64_t> pads;
    std::optional<float> value;
    std::string mode;
    bool second_use;
    std::string auto_pad;
  };
  for (const Case& k : {Case{"non-zero value", {0, 0, 1, 1, 0, 0, 1, 1}, 0.5f, "constant", false, "NOTSET"},
                        Case{"reflect", {0, 0, 1, 1, 0, 0, 1, 1}, {}, "reflect", false, "NOTSET"},
                        Case{"channel pad", {0, 1, 1, 1, 0, 0, 1, 1}, {}, "constant", false, "NOTSET"},
                        Case{"negative (crop)", {0, 0, -1, 1, 0, 0, 1, 1}, {}, "constant", false, "NOTSET"},
                        Case{"padded value used elsewhere", {0, 0, 1, 1, 0, 0, 1, 1}, {}, "constant", true, "NOTSET"},
                        Case{"Conv with SAME_UPPER", {0, 0, 1, 1, 0, 0, 1, 1}, {}, "constant", false, "SAME_UPPER"}}) {
    CAPTURE(k.what);
    const int64_t c = k.pads[1] ? 5 : 4;
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* p = pad(b, b.input("x", {1, 4, 9, 9}), k.pads, k.value, k.mode);
          b.output(conv(b, p, c, 1, {attr_string("auto_pad", k.auto_pad)}));
          if (k.second_use) b.output(p);
        },
        passes_of(opt::make_fuse_pad_conv()), Tier::Close, c * 9);
    CHECK(r.applied.empty());
    CHECK(r.after.at("Pad") == 1);
  }
}

}  // namespace ember::test
