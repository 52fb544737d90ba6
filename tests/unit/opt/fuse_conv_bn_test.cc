#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "opt/fuse_test_graph.h"
#include "opt/pattern.h"

namespace ember::test {
namespace {

ir::Value* batch_norm(FusionGraph& b, ir::Value* x, int64_t c) {
  return b.op("BatchNormalization", {x, b.weight("gamma", {c}, 0.5, 1.5), b.weight("beta", {c}),
                                     b.weight("mean", {c}, -0.3, 0.3), b.weight("var", {c}, 0.5, 1.5)},
              {attr_float("epsilon", 1e-3f)});
}

ir::Value* conv(FusionGraph& b, ir::Value* x, int64_t cin, int64_t cout, int64_t k, int64_t pad, int64_t group,
                bool bias) {
  std::vector<ir::Value*> in = {x, b.weight("w", {cout, cin / group, k, k})};
  if (bias) in.push_back(b.weight("b", {cout}));
  return b.op("Conv", in, {attr_ints("kernel_shape", {k, k}), attr_ints("pads", {pad, pad, pad, pad}),
                           attr_int("group", group)});
}

}  // namespace

TEST_CASE("fuse_conv_bn: Conv then BatchNormalization folds into the Conv's weights and bias") {
  for (const auto& [cin, cout, group, bias] : {std::tuple{3, 7, 1, false}, std::tuple{3, 7, 1, true},
                                              std::tuple{8, 8, 8, true}, std::tuple{1, 17, 1, false}}) {
    CAPTURE(cin);
    CAPTURE(cout);
    CAPTURE(group);
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {2, cin, 9, 7});
          b.output(batch_norm(b, conv(b, x, cin, cout, 3, 1, group, bias), cout));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, cin / group * 9);
    CHECK(r.after.count("BatchNormalization") == 0);
    CHECK(r.after.at("Conv") == 1);
    CHECK(r.after.size() == 1);
    CHECK(r.applied.size() == 1);
  }
}

TEST_CASE("fuse_conv_bn: BatchNormalization before an unpadded Conv folds into that Conv") {
  for (const int64_t group : {1, 3}) {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {1, 6, 5, 7});
          b.output(conv(b, batch_norm(b, x, 6), 6, 9, 3, 0, group, true));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 6 * 9);
    CHECK(r.after.size() == 1);
    CHECK(r.after.at("Conv") == 1);
  }
}

TEST_CASE("fuse_conv_bn: a BatchNormalization that cannot fold becomes a per-channel Mul + Add") {
  SUBCASE("on a graph input") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) { b.output(batch_norm(b, b.input("x", {2, 5, 3, 3}), 5)); },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close);
    CHECK(r.after == std::map<std::string, int>{{"Mul", 1}, {"Add", 1}});
  }
  SUBCASE("before a padded Conv (zero padding would see the shift)") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) { b.output(conv(b, batch_norm(b, b.input("x", {1, 4, 6, 6}), 4), 4, 5, 3, 1, 1, false)); },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 36);
    CHECK(r.after == std::map<std::string, int>{{"Mul", 1}, {"Add", 1}, {"Conv", 1}});
  }
  SUBCASE("after a Conv whose output has another use") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* y = conv(b, b.input("x", {1, 2, 5, 5}), 2, 3, 1, 0, 1, true);
          b.output(batch_norm(b, y, 3));
          b.output(y);
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 2);
    CHECK(r.after == std::map<std::string, int>{{"Mul", 1}, {"Add", 1}, {"Conv", 1}});
  }
}

TEST_CASE("fuse_conv_bn: Conv then Mul / Add by a per-channel constant (tf2onnx's depthwise BN) folds into the Conv") {
  for (const auto& [group, bias, scale_shape, shift_shape] :
       {std::tuple{6, false, Dims{1, 6, 1, 1}, Dims{6, 1, 1}}, std::tuple{1, true, Dims{6, 1, 1}, Dims{1, 6, 1, 1}},
        std::tuple{6, true, Dims{}, Dims{1}}, std::tuple{2, false, Dims{1, 1, 1}, Dims{6, 1, 1}}}) {
    CAPTURE(group);
    CAPTURE(dims_str(scale_shape));
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* y = conv(b, b.input("x", {2, 6, 7, 5}), 6, 6, 3, 1, group, bias);
          y = b.op("Mul", {b.weight("scale", scale_shape, 0.5, 1.5), y});  // constant first: either order
          y = b.op("Add", {y, b.weight("shift", shift_shape)});
          b.output(b.op("Clip", {y, b.scalar(0.0f), b.scalar(6.0f)}));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 6 / group * 9);
    CHECK(r.after == std::map<std::string, int>{{"Conv", 1}, {"Clip", 1}});
    CHECK(r.applied.size() == 2);
  }
}

TEST_CASE("fuse_conv_bn: a Mul / Add that is not per channel, or not by a constant, stays") {
  SUBCASE("a constant that varies along the width") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          b.output(b.op("Mul", {conv(b, b.input("x", {1, 3, 4, 5}), 3, 4, 1, 0, 1, true), b.weight("s", {1, 1, 1, 5})}));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 3);
    CHECK(r.applied.empty());
  }
  SUBCASE("a residual Add (a computed value)") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {1, 4, 4, 5});
          b.output(b.op("Add", {conv(b, x, 4, 4, 1, 0, 1, true), x}));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 4);
    CHECK(r.applied.empty());
  }
  SUBCASE("a Conv whose output is also read elsewhere") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) {
          ir::Value* y = conv(b, b.input("x", {1, 2, 5, 5}), 2, 3, 1, 0, 1, true);
          b.output(b.op("Mul", {y, b.weight("s", {3, 1, 1})}));
          b.output(y);
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 2);
    CHECK(r.applied.empty());
  }
}

TEST_CASE("fuse_conv_bn: a BatchNormalization with a computed scale is left alone") {
  const FusionResult r = check_fusion(
      [&](FusionGraph& b) {
        ir::Value* y = conv(b, b.input("x", {1, 2, 5, 5}), 2, 3, 1, 0, 1, true);
        ir::Value* gamma = b.input("gamma", {3});
        b.output(b.op("BatchNormalization",
                      {y, gamma, b.weight("b", {3}), b.weight("m", {3}), b.weight("v", {3}, 0.5, 1.0)}));
      },
      passes_of(opt::make_fuse_conv_bn()), Tier::Close, 2);
  CHECK(r.applied.empty());
}

// Conv -> BN leaves W's bytes alone (the folded weight is W with a pending per-channel scale);
// BN -> Conv overwrites W when the folded Conv is its only reader and W's storage is its own,
// against the cases that must get a new tensor. Each result is checked against the unfused
// graph by check_fusion, so a wrongly shared weight shows up as a wrong output.
TEST_CASE("fuse_conv_bn: folds into W's own storage only when nothing else can see it") {
  SUBCASE("Conv -> BN: W's bytes with a pending scale, nothing rewritten") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) { b.output(batch_norm(b, conv(b, b.input("x", {1, 4, 6, 6}), 4, 5, 3, 1, 1, true), 5)); },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 36);
    const ir::Node* c = r.fused->graph->nodes().front().get();
    REQUIRE(c->op_type == "Conv");
    const Tensor& folded = *c->inputs[1]->constant;
    const ir::Value* original = nullptr;
    for (const ir::Value* v : r.fused->graph->initializers)
      if (v != c->inputs[1] && v->constant && v->constant->bytes() == folded.bytes()) original = v;
    // The original initializer is still in the graph (dead until eliminate_dead_code): the
    // folded weight reads its bytes, and its own elements are the scaled ones, in new storage.
    REQUIRE(original);
    CHECK(original->constant->raw() != folded.raw());
    CHECK(std::memcmp(original->constant->raw(), folded.raw(), folded.nbytes()) != 0);
  }
  SUBCASE("BN -> Conv, sole owner, one reader: in place") {
    const FusionResult r = check_fusion(
        [&](FusionGraph& b) { b.output(conv(b, batch_norm(b, b.input("x", {1, 4, 6, 6}), 4), 4, 5, 3, 0, 1, true)); },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 36);
    const ir::Node* c = r.fused->graph->nodes().front().get();
    REQUIRE(c->op_type == "Conv");
    const Tensor& folded = *c->inputs[1]->constant;
    bool found = false;
    for (const ir::Value* v : r.fused->graph->initializers)
      if (v != c->inputs[1] && v->constant && v->constant->raw() == folded.raw()) found = true;
    CHECK(found);  // the original, dead, shares the folded weight's storage
  }
  SUBCASE("one weight read by two Convs: never written while the other still reads it") {
    check_fusion(
        [&](FusionGraph& b) {
          ir::Value* x = b.input("x", {1, 3, 5, 5});
          ir::Value* w = b.weight("w", {4, 3, 3, 3});
          const std::vector<ir::Attribute> at = {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})};
          b.output(batch_norm(b, b.op("Conv", {x, w}, at), 4));
          b.output(batch_norm(b, b.op("Conv", {x, w}, at), 4));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 27);
  }
  SUBCASE("W an unaligned view of the model file (Conv -> BN and BN -> Conv)") {
    for (const bool before : {false, true}) {
      CAPTURE(before);
      std::vector<std::shared_ptr<std::vector<unsigned char>>> files;
      check_fusion(
          [&](FusionGraph& b) {
            auto file = std::make_shared<std::vector<unsigned char>>(4 * 6 * 4 * 9 + 8);
            files.push_back(file);
            std::uniform_real_distribution<float> d(-1.0f, 1.0f);
            unsigned char* at = file->data() + (4 - reinterpret_cast<uintptr_t>(file->data()) % 4) % 4 + 1;
            for (int i = 0; i < 6 * 4 * 9; ++i) {
              const float f = d(b.gen);
              std::memcpy(at + 4 * i, &f, 4);
            }
            ir::Value* x = b.input("x", {1, 4, 6, 6});
            ir::Value* w = b.constant("w", Tensor::unaligned_view(DType::Float32, {6, 4, 3, 3}, at, file));
            const std::vector<ir::Attribute> at3 = {attr_ints("kernel_shape", {3, 3})};
            if (before) b.output(b.op("Conv", {batch_norm(b, x, 4), w}, at3));
            else b.output(batch_norm(b, b.op("Conv", {x, w}, at3), 6));
          },
          passes_of(opt::make_fuse_conv_bn()), Tier::Close, 36);
    }
  }
  SUBCASE("W wraps caller memory: a new tensor, the caller's floats untouched") {
    std::vector<std::vector<float>> buffers;
    buffers.reserve(3);
    check_fusion(
        [&](FusionGraph& b) {
          buffers.emplace_back(5 * 2 * 3 * 3);
          std::uniform_real_distribution<float> d(-1.0f, 1.0f);
          for (float& f : buffers.back()) f = d(b.gen);
          ir::Value* x = b.input("x", {1, 2, 6, 6});
          ir::Value* w = b.constant("w", Tensor::wrap(DType::Float32, {5, 2, 3, 3}, buffers.back().data()));
          b.output(batch_norm(b, b.op("Conv", {x, w}, {attr_ints("kernel_shape", {3, 3})}), 5));
        },
        passes_of(opt::make_fuse_conv_bn()), Tier::Close, 18);
    REQUIRE(buffers.size() == 3);
    CHECK(buffers[0] == buffers[1]);  // the reference's copy and the fused copy: same seed
    CHECK(buffers[1] == buffers[2]);
  }
}

}  // namespace ember::test
