// oneDNN Conv and FusedConv kernels (cpu_backend=onednn) against a double-precision direct
// convolution written in the test: odd sizes, groups, strides, pads, dilations, 1-D to 3-D,
// and every FusedConv epilogue (bias, residual, activations).
#include <doctest/doctest.h>

#include "backend_test_util.h"
#include "backends/cpu/kernel_trial.h"
#include "backends/onednn/onednn_kernels.h"

using namespace ember;
using namespace ember::test;

namespace {

struct ConvCase {
  Dims x, w;  // X [N, C, ...], W [M, C/group, ...]
  ConvParams p;
};

OpRun conv_run(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  OpRun r;
  r.op_type = "Conv";
  r.opset = 17;
  r.inputs = {x, w};
  if (b.defined()) r.inputs.push_back(b);
  r.constant_inputs = {1, 2};
  r.attrs.push_back(attr_int("group", c.p.group));
  if (!c.p.strides.empty()) r.attrs.push_back(attr_ints("strides", c.p.strides));
  if (!c.p.dilations.empty()) r.attrs.push_back(attr_ints("dilations", c.p.dilations));
  if (!c.p.pads.empty()) r.attrs.push_back(attr_ints("pads", c.p.pads));
  return r;
}

int64_t reduction(const ConvCase& c) { return dims_numel(Dims(c.w.begin() + 1, c.w.end())); }

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {{1, 3, 17, 17}, {8, 3, 3, 3}, {1, {}, {}, {1, 1, 1, 1}}},                 // first layer
      {{2, 16, 7, 9}, {32, 16, 1, 1}, {}},                                       // pointwise
      {{1, 17, 13, 11}, {7, 17, 3, 3}, {1, {2, 2}, {}, {1, 0, 1, 2}}},           // odd, stride, uneven pads
      {{1, 8, 15, 15}, {8, 1, 3, 3}, {8, {1, 1}, {}, {1, 1, 1, 1}}},            // depthwise
      {{1, 12, 9, 10}, {18, 4, 3, 2}, {3, {1, 2}, {2, 1}, {2, 1, 2, 0}}},       // groups, dilation
      {{1, 64, 14, 14}, {63, 64, 3, 3}, {1, {1, 1}, {}, {1, 1, 1, 1}}},         // bigger K
      {{3, 5, 29}, {7, 5, 5}, {1, {3}, {2}, {2, 3}}},                            // 1-D
      {{1, 4, 5, 6, 7}, {6, 2, 3, 3, 1}, {2, {1, 2, 1}, {}, {1, 1, 0, 1, 0, 0}}},  // 3-D
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {}},                                          // all ones
  };
  return cases;
}

}  // namespace

TEST_CASE("onednn: Conv matches a direct convolution over shapes, groups, strides, pads, dilations") {
  if (!backends::onednn_available()) return;  // the refusal is tested below
  for (const ConvCase& c : conv_cases()) {
    for (bool with_bias : {false, true}) {
      CAPTURE(dims_str(c.x));
      CAPTURE(dims_str(c.w));
      CAPTURE(with_bias);
      CAPTURE(seed());
      const Tensor x = random_tensor(DType::Float32, c.x), w = random_tensor(DType::Float32, c.w);
      const Tensor b = with_bias ? random_tensor(DType::Float32, {c.w[0]}) : Tensor();
      const OpRun r = conv_run(c, x, w, b);
      CHECK(kernel_names(r, "onednn") == std::vector<std::string>{"onednn:conv"});
      for (int threads : {1, 2})
        check_close(run_with_backend(r, "onednn", threads).at(0), ref_conv(x, w, b, c.p), Tier::Close, reduction(c), dot_atol(reduction(c)));
    }
  }
}

TEST_CASE("onednn: Conv with auto_pad SAME_UPPER / SAME_LOWER / VALID") {
  if (!backends::onednn_available()) return;
  const Tensor x = random_tensor(DType::Float32, {1, 3, 10, 7}), w = random_tensor(DType::Float32, {4, 3, 3, 4});
  struct Pad { const char* mode; Dims pads; };
  // in 10 / 7, stride 2, kernel 3 / 4: out 5 / 4, total pad 1 / 3.
  for (const Pad& p : {Pad{"SAME_UPPER", {0, 1, 1, 2}}, Pad{"SAME_LOWER", {1, 2, 0, 1}}, Pad{"VALID", {0, 0, 0, 0}}}) {
    CAPTURE(p.mode);
    OpRun r = conv_run(ConvCase{}, x, w, Tensor());
    r.attrs = {attr_string("auto_pad", p.mode), attr_ints("strides", {2, 2})};
    ConvParams cp{1, {2, 2}, {}, p.pads};
    CHECK(kernel_names(r, "onednn").at(0) == "onednn:conv");
    check_close(run_with_backend(r, "onednn").at(0), ref_conv(x, w, Tensor(), cp), Tier::Close, 36, dot_atol(36));
  }
}

TEST_CASE("onednn: FusedConv epilogues (bias, residual, every activation)") {
  if (!backends::onednn_available()) return;
  const ConvCase c{{1, 6, 9, 11}, {10, 3, 3, 3}, {2, {2, 1}, {}, {1, 1, 1, 1}}};
  struct Act { const char* name; std::vector<float> params; };
  const std::vector<Act> acts = {{"", {}},          {"Relu", {}},    {"LeakyRelu", {0.1f}},
                                 {"Clip", {-0.5f, 0.75f}}, {"Sigmoid", {}}, {"HardSigmoid", {0.2f, 0.5f}},
                                 {"HardSwish", {}}, {"Silu", {}},    {"Gelu", {}}, {"GeluTanh", {}}};
  for (const Act& act : acts)
    for (bool with_bias : {false, true})
      for (bool with_z : {false, true}) {
        CAPTURE(act.name);
        CAPTURE(with_bias);
        CAPTURE(with_z);
        CAPTURE(seed());
        const Tensor x = random_tensor(DType::Float32, c.x), w = random_tensor(DType::Float32, c.w);
        const Tensor b = with_bias ? random_tensor(DType::Float32, {c.w[0]}) : Tensor();
        Tensor want = ref_conv(x, w, b, c.p);
        const Tensor z = with_z ? random_tensor(DType::Float32, want.shape()) : Tensor();
        OpRun r = conv_run(c, x, w, with_bias ? b : Tensor());
        r.op_type = "FusedConv";
        r.domain = "ai.ember";
        r.opset = 1;
        if (!with_bias && with_z) r.inputs.push_back(Tensor());  // omitted B before Z
        if (with_z) r.inputs.push_back(z);
        r.attrs.push_back(attr_string("activation", act.name));
        if (!act.params.empty()) r.attrs.push_back(attr_floats("activation_params", act.params));
        if (with_z) ref_add(want, z);
        ref_activation(want, act.name, act.params);
        CHECK(kernel_names(r, "onednn").at(0) == "onednn:fused_conv");
        check_close(run_with_backend(r, "onednn").at(0), want, Tier::Close, reduction(c), dot_atol(reduction(c)));
      }
}

TEST_CASE("onednn: Conv it cannot prepare falls back (non-constant weights, dynamic batch)") {
  if (!backends::onednn_available()) return;
  const Tensor x = random_tensor(DType::Float32, {1, 2, 5, 5}), w = random_tensor(DType::Float32, {3, 2, 3, 3});
  OpRun r = conv_run(ConvCase{}, x, w, Tensor());
  r.constant_inputs = {};  // W fed at run time: nothing to prepack
  CHECK(kernel_names(r, "onednn").at(0).find("onednn") == std::string::npos);
  check_close(run_with_backend(r, "onednn").at(0), ref_conv(x, w, Tensor(), {}), Tier::Close, 18, dot_atol(18));
}

TEST_CASE("onednn: a wrong input shape at run time is a ShapeMismatch, not a crash") {
  if (!backends::onednn_available()) return;
  // The kernel is built for X [1, 2, 5, 5]; run it directly with [1, 2, 6, 5].
  auto model = std::make_shared<ir::Model>();
  ir::Graph g;
  ir::Value* x = g.add_value("x");
  x->type = ir::TypeInfo::tensor(DType::Float32, {1, 2, 5, 5});
  ir::Value* w = g.add_value("w");
  w->constant = random_tensor(DType::Float32, {3, 2, 3, 3});
  w->type = ir::TypeInfo::tensor(DType::Float32, {3, 2, 3, 3});
  ir::Value* y = g.add_value("y");
  ir::Node node;
  node.name = "conv";
  node.op_type = "Conv";
  node.opset = 17;
  node.inputs = {x, w};
  node.outputs = {y};
  auto k = backends::make_onednn_kernel(node, runtime::BackendOptions{"onednn", 1});
  REQUIRE(k != nullptr);
  ThreadPool pool(1);
  backends::TrialContext ctx(node, pool, seed());
  CHECK(status_of([&] { k->run(ctx); }) == Status::Ok);
  ctx.set_input(0, random_tensor(DType::Float32, {1, 2, 6, 5}));
  CHECK(status_of([&] { k->run(ctx); }) == Status::ShapeMismatch);
}

TEST_CASE("onednn: cpu_backend=onednn is refused, naming the option, when the build has none") {
  const Tensor x = random_tensor(DType::Float32, {1, 2, 5, 5}), w = random_tensor(DType::Float32, {3, 2, 3, 3});
  const OpRun r = conv_run(ConvCase{}, x, w, Tensor());
  const Status s = status_of([&] { run_with_backend(r, "onednn"); });
  CHECK(s == (backends::onednn_available() ? Status::Ok : Status::Unsupported));
  if (!backends::onednn_available()) {
    try {
      run_with_backend(r, "onednn");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("cpu_backend=onednn") != std::string::npos);
    }
  }
}
