// Native Conv / FusedConv (src/backends/cpu/gemm_conv/conv_kernel.cc, direct_conv_kernel.cc,
// dwconv_kernel.cc, smallk_conv_kernel.cc) against the reference kernels: 1x1 GEMM form,
// few-input-channel pointwise form, direct (both tiles) and im2col forms with
// odd sizes, strides, pads, dilations,
// auto_pad, groups, depthwise 3x3 / 5x5 / other sizes, batches, every epilogue; 1 and 2 threads.
#include <doctest/doctest.h>

#include <cmath>

#include "kernels/dispatch/f32_conv.h"
#include "kernels/dispatch/f32_conv_smallk.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/dispatch/f32_conv_direct_cv.h"
#include "native_check.h"

namespace ember::test {
namespace {

struct ConvCase {
  int64_t n, c, h, w, m, kh, kw;
  int64_t group = 1;
  Dims strides = {1, 1}, pads = {0, 0, 0, 0}, dilations = {1, 1};
  std::string auto_pad;
  bool bias = true;
};

std::string describe(const ConvCase& k) {
  return "x=[" + std::to_string(k.n) + "," + std::to_string(k.c) + "," + std::to_string(k.h) + "," +
         std::to_string(k.w) + "] m=" + std::to_string(k.m) + " k=" + std::to_string(k.kh) + "x" +
         std::to_string(k.kw) + " g=" + std::to_string(k.group) + " s=" + dims_str(k.strides) + " p=" +
         dims_str(k.pads) + " d=" + dims_str(k.dilations) + " auto_pad=" + k.auto_pad;
}

NativeCase make_case(const ConvCase& k, const std::string& op, const std::string& act = "",
                     std::vector<float> params = {}) {
  const int64_t kd = (k.c / k.group) * k.kh * k.kw;
  NativeCase c{op, op == "Conv" ? "" : "ai.ember", op == "Conv" ? 11 : 1,
               {uniform({k.n, k.c, k.h, k.w}), uniform({k.m, k.c / k.group, k.kh, k.kw}, 1.0 / std::sqrt(double(kd)))},
               {attr_int("group", k.group), attr_ints("strides", k.strides), attr_ints("dilations", k.dilations)},
               {1}};
  if (k.auto_pad.empty()) c.attrs.push_back(attr_ints("pads", k.pads));
  else c.attrs.push_back(attr_string("auto_pad", k.auto_pad));
  c.inputs.push_back(k.bias ? uniform({k.m}) : Tensor());
  if (k.bias) c.constant_inputs.push_back(2);
  if (op != "Conv") {
    c.attrs.push_back(attr_string("activation", act));
    if (!params.empty()) c.attrs.push_back(attr_floats("activation_params", params));
  }
  return c;
}

int64_t reduction(const ConvCase& k) { return (k.c / k.group) * k.kh * k.kw; }

// Output height x width (explicit pads, or auto_pad SAME: ceil(in / stride)).
int64_t out_positions(const ConvCase& k) {
  auto out = [&](int d, int64_t in, int64_t kernel) {
    const int64_t stride = k.strides[size_t(d)], dilation = k.dilations[size_t(d)];
    if (!k.auto_pad.empty()) return (in + stride - 1) / stride;  // pads is empty then
    const int64_t pads = k.pads[size_t(d)] + k.pads[size_t(d) + 2];
    return (in + pads - ((kernel - 1) * dilation + 1)) / stride + 1;
  };
  return out(0, k.h, k.kh) * out(1, k.w, k.kw);
}

// Whether convolutions with a spatial kernel take the direct kernel (a vector entry exists).
bool vector_direct() {
  return kernels::f32_conv_direct_kernels().run != kernels::f32_conv_direct_generic_kernels().run;
}

// Whether the short-reduction kernel is built for a one-group layer reducing over `length`
// (input channels x taps): a vector entry exists and has a form for that length.
bool smallk_length(int64_t length) {
  const kernels::F32ConvSmallKKernels& k = kernels::f32_conv_smallk_kernels();
  return k.run != kernels::f32_conv_smallk_generic_kernels().run && k.handles(length);
}

TEST_CASE("native Conv: 1x1 GEMM form and im2col, odd sizes, strides, pads, dilations") {
  std::vector<ConvCase> cases = {
      {1, 7, 9, 11, 13, 1, 1},
      {2, 17, 7, 5, 33, 1, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, "", false},
      {1, 64, 20, 20, 70, 1, 1},                                     // splits rows and columns
      {1, 9, 13, 13, 16, 1, 1, 1, {2, 2}},                           // 1x1 stride 2: im2col
      {1, 3, 17, 19, 8, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},
      {2, 5, 11, 7, 7, 3, 3, 1, {2, 2}, {1, 0, 2, 1}},
      {1, 4, 15, 15, 6, 3, 3, 1, {1, 1}, {2, 2, 2, 2}, {2, 2}},
      {1, 3, 23, 23, 16, 7, 7, 1, {2, 2}, {3, 3, 3, 3}},             // ResNet stem shape, smaller
      {1, 6, 9, 10, 9, 3, 2, 3, {1, 2}, {0, 1, 1, 0}},               // groups, rectangular kernel
      {1, 8, 12, 12, 16, 3, 3, 4, {1, 1}, {1, 1, 1, 1}},
      {1, 64, 5, 5, 96, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},              // few columns: rows split
      {1, 16, 40, 40, 24, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},            // many column tiles
      {1, 5, 1, 1, 3, 1, 1},
      {1, 3, 7, 7, 5, 3, 3, 1, {2, 2}, {}, {1, 1}, "SAME_UPPER"},
      {1, 3, 8, 7, 5, 2, 2, 1, {1, 1}, {}, {1, 1}, "SAME_LOWER"},
      {1, 64, 14, 14, 70, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},            // channel strips x 2 threads
      {1, 8, 30, 30, 13, 3, 3, 1, {2, 2}, {1, 1, 1, 1}, {2, 2}},      // stride 2 with dilation 2
      // im2col keeps the 1x1 layers with stride or padding: its branches with those.
      {1, 64, 5, 5, 96, 1, 1, 1, {1, 1}, {1, 1, 1, 1}},              // few columns: rows split
      {1, 16, 80, 80, 24, 1, 1, 1, {2, 2}, {1, 0, 0, 1}},            // many column tiles
      // 1x1 stride 2 reducing over 512 (a tile budget of 192 columns): 196 positions are one
      // tile a little over it (ResNet-50's layer3.0 downsample), 256 are 192 + 64.
      {1, 512, 28, 28, 24, 1, 1, 1, {2, 2}},
      {1, 512, 32, 32, 24, 1, 1, 1, {2, 2}},
      // Few output positions: the channel-vector direct tile (1x1 ones read in place) when the
      // layer's channels (per group) fill it, else the position-vector one.
      {1, 512, 7, 7, 70, 1, 1},                                      // 1x1 K = 512
      {1, 960, 7, 7, 160, 1, 1},  // MobileNetV2's projection: 3 strips x 7 tiles, threads' ranges cross strips
      {2, 520, 14, 13, 66, 1, 1, 1, {2, 2}},                         // 1x1 stride 2, batch 2
      {1, 1024, 4, 4, 40, 1, 1, 2, {1, 1}},                          // 1x1 groups of 512
      {1, 16, 28, 28, 16, 3, 3, 1, {2, 2}, {1, 1, 1, 1}},            // 196 positions
      {1, 128, 14, 14, 250, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},          // 2 threads: whole strips, the last partial
      {1, 16, 29, 28, 16, 3, 3, 1, {2, 2}, {1, 1, 1, 1}},            // 210 positions
      {1, 8, 28, 28, 16, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},             // 784 positions
      {1, 8, 28, 29, 16, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},             // 812 positions
      {1, 512, 15, 14, 8, 1, 1},                                     // 1x1 K = 512, 210 positions
      {1, 512, 8, 16, 8, 1, 1},                                      // 1x1 K = 512, 128 positions
      {1, 1024, 16, 16, 9, 1, 1, 1, {2, 2}},                         // 1x1 K = 1024 stride 2, 64 positions
      {1, 1024, 15, 17, 9, 1, 1},                                    // 1x1 K = 1024, 255 positions
      // Short reductions (MobileNet's expansions and stem): the small-K kernel on AVX-512.
      {1, 16, 9, 11, 37, 1, 1},                                      // 99 positions, 4 x 8 + 5 channels
      {1, 32, 9, 11, 16, 1, 1},                                      // 1x1 to 16 channels: the direct tile
      {2, 24, 7, 5, 33, 1, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, "", false},  // batch 2, no bias
      {1, 32, 20, 20, 200, 1, 1},                                    // 400 positions over 2 threads
      {1, 32, 6, 6, 8, 1, 1, 2},                                     // groups of 16: not this form
      {1, 16, 8, 8, 24, 1, 1, 1, {1, 1}, {1, 1, 1, 1}},              // padded 1x1: not this form
      {1, 3, 30, 33, 32, 3, 3, 1, {2, 2}, {1, 1, 1, 1}},             // MobileNet's stem, smaller
      {2, 3, 9, 8, 12, 3, 3, 1, {1, 2}, {}, {1, 1}, "SAME_LOWER"},   // K = 27, auto_pad, batch 2
      // 1x1 over a 1x1 input (squeeze-and-excitation): the matrix-vector form.
      {1, 40, 1, 1, 10, 1, 1},
      {3, 1152, 1, 1, 48, 1, 1, 1, {2, 2}},                          // batch 3, strided
      {2, 24, 1, 1, 96, 1, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, "", false},  // no bias
      {1, 64, 1, 1, 32, 1, 1, 2},                                    // grouped: not this form
  };
  for (const ConvCase& k : cases)
    for (int threads : {1, 2}) {
      CAPTURE(describe(k));
      const std::string name = check_native(make_case(k, "Conv"), threads, reduction(k));
      const bool pointwise = k.kh == 1 && k.kw == 1 && k.strides == Dims{1, 1} && k.pads == Dims{0, 0, 0, 0} &&
                             k.auto_pad.empty();
      // Direct: spatial kernels, and 1x1 pointwise layers with at most 32 output channels; the
      // channel-vector tile for at most the entry's max_spatial_positions output positions when
      // spatial, for unpadded 1x1 reducing over at least 512 channels and 4 per position.
      const bool unpadded = k.pads == Dims{0, 0, 0, 0} && k.auto_pad.empty();
      const int64_t cv_max = k.kh * k.kw > 1 ? kernels::f32_conv_direct_cv_kernels().max_spatial_positions
                             : unpadded && k.c / k.group >= 512 ? k.c / k.group / 4 : -1;
      // Short reductions (16, 24, 27, 32 on AVX-512), chosen first: spatial layers, and 1x1 ones
      // read in place with at least 32 output channels.
      const bool smallk =
          ((pointwise && k.m >= 32) || k.kh * k.kw > 1) && k.group == 1 && smallk_length(reduction(k));
      // Only layers whose groups fill the tile's channels take it.
      const bool cv_fills = k.m / k.group >= kernels::f32_conv_direct_cv_kernels().nc;
      // 1x1 over a 1x1 input, one group, unpadded: the matrix-vector form, chosen first.
      const bool gemv = k.kh == 1 && k.kw == 1 && k.h == 1 && k.w == 1 && k.group == 1 && unpadded;
      const bool cv = !gemv && !smallk && vector_direct() && out_positions(k) <= cv_max && cv_fills;
      const bool direct = vector_direct() && (k.kh * k.kw > 1 || (pointwise && k.m / k.group <= 32));
      const char* want = gemv     ? "f32_conv1x1_gemv:"
                         : smallk ? "f32_conv_smallk_"
                         : cv     ? "f32_conv_direct_cv_"
                         : direct ? "f32_conv_direct_"
                         : pointwise ? "f32_conv1x1_gemm:" : "f32_conv_im2col:";
      CHECK(name.rfind(want, 0) == 0);
      CHECK(cv == (name.rfind("f32_conv_direct_cv_", 0) == 0));
    }
}

TEST_CASE("native Conv: depthwise 3x3, 5x5 and other sizes") {
  std::vector<ConvCase> cases = {
      {1, 8, 17, 19, 8, 3, 3, 8, {1, 1}, {1, 1, 1, 1}},
      {2, 5, 16, 16, 5, 3, 3, 5, {2, 2}, {1, 1, 1, 1}},
      {1, 3, 7, 33, 3, 3, 3, 3, {2, 2}, {0, 1, 1, 0}},
      {1, 4, 23, 9, 4, 5, 5, 4, {1, 1}, {2, 2, 2, 2}},
      {1, 4, 24, 24, 4, 5, 5, 4, {2, 2}, {2, 2, 2, 2}},
      {1, 6, 12, 12, 6, 3, 3, 6, {1, 1}, {2, 2, 2, 2}, {2, 2}},
      {1, 3, 10, 10, 3, 7, 7, 3, {1, 3}, {3, 3, 3, 3}},
      {1, 2, 1, 1, 2, 3, 3, 2, {1, 1}, {1, 1, 1, 1}},
      {1, 32, 112, 112, 32, 3, 3, 32, {1, 1}, {1, 1, 1, 1}},        // MobileNetV2's first depthwise
      {1, 13, 9, 9, 13, 3, 3, 13, {1, 1}, {1, 1, 1, 1}},             // in place, 9 wide
      {1, 13, 9, 9, 13, 3, 3, 13, {1, 1}, {0, 1, 0, 1}},             // channel-blocked on AVX2, 8 + 5 channels
      {2, 19, 30, 30, 19, 3, 3, 19, {2, 2}, {0, 0, 1, 1}},           // channel-blocked, stride 2, batch 2
      {1, 4, 9, 9, 4, 3, 3, 4, {1, 1}, {}, {1, 1}, "SAME_UPPER", false},
      {2, 21, 7, 7, 21, 3, 3, 21, {1, 1}, {1, 1, 1, 1}},             // flat, runs cross the image edge
      {3, 10, 14, 14, 10, 3, 3, 10, {2, 2}, {0, 0, 1, 1}},           // flat, stride 2, batch 3
      {2, 6, 112, 112, 6, 3, 3, 6, {2, 2}, {1, 1, 1, 1}},            // stride 2 pad 1, in place: 112 -> 56
      {1, 5, 15, 15, 5, 3, 3, 5, {2, 2}, {1, 1, 1, 1}},              // the same, odd size
  };
  const kernels::F32DwConvKernels& table = kernels::f32_dwconv_kernels();
  for (const ConvCase& k : cases)
    for (int threads : {1, 2}) {
      CAPTURE(describe(k));
      const std::string name = check_native(make_case(k, "Conv"), threads, reduction(k));
      // Named after the form the input size picks: flat where the table prefers it, else the
      // per-channel or the channel-blocked form.
      kernels::DwConv2dGeom g;
      g.in_h = k.h;
      g.in_w = k.w;
      g.kernel_h = k.kh;
      g.kernel_w = k.kw;
      g.stride_h = k.strides[0];
      g.stride_w = k.strides[1];
      g.dilation_h = k.dilations.empty() ? 1 : k.dilations[0];
      g.dilation_w = k.dilations.empty() ? 1 : k.dilations[1];
      g.pad_top = k.pads.empty() ? 0 : k.pads[0];
      g.pad_left = k.pads.empty() ? 0 : k.pads[1];
      g.out_h = (k.h + (k.pads.empty() ? 0 : k.pads[0] + k.pads[2]) - (g.kernel_h - 1) * g.dilation_h - 1) / g.stride_h + 1;
      g.out_w = (k.w + (k.pads.empty() ? 0 : k.pads[1] + k.pads[3]) - (g.kernel_w - 1) * g.dilation_w - 1) / g.stride_w + 1;
      const bool flat = k.auto_pad.empty() && table.prefers_flat && table.prefers_flat(g);
      const std::string per_channel = k.kh == 3 && k.kw == 3 ? "f32_dwconv3x3__"
                                      : k.kh == 5 && k.kw == 5 ? "f32_dwconv5x5__"
                                                               : "f32_dwconv__";
      if (flat) CHECK(name == table.name_flat);
      else if (k.auto_pad.empty()) CHECK((name.rfind(per_channel, 0) == 0 || name == table.name_block));
    }
}

TEST_CASE("native FusedConv: every activation, with and without residual") {
  struct Act { const char* name; std::vector<float> params; };
  const Act acts[] = {{"", {}}, {"Relu", {}}, {"LeakyRelu", {0.1f}}, {"Clip", {0.0f, 0.6f}}, {"Sigmoid", {}},
                      {"HardSigmoid", {0.2f, 0.5f}}, {"HardSwish", {}}, {"Silu", {}}, {"Gelu", {}}, {"GeluTanh", {}}};
  const ConvCase shapes[] = {
      {1, 17, 9, 9, 40, 1, 1},                                   // 1x1 GEMM
      {1, 17, 9, 9, 24, 1, 1},                                   // 1x1 direct (few output channels)
      {1, 16, 9, 9, 40, 1, 1},                                   // 1x1 few input channels (AVX-512)
      {1, 32, 5, 7, 9, 1, 1},                                    // the same, K = 32, 1 + 8 channels
      {1, 3, 13, 11, 10, 3, 3, 1, {2, 2}, {1, 1, 1, 1}},         // 3x3 over 3 channels (K = 27)
      {1, 16, 9, 9, 70, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},          // 3x3 channel-vector direct
      {1, 512, 5, 5, 20, 1, 1, 1, {2, 2}},                       // 1x1 stride 2 channel-vector, in place
      {2, 6, 11, 10, 10, 3, 3, 2, {2, 1}, {1, 1, 1, 1}},        // grouped im2col
      {1, 12, 13, 13, 12, 3, 3, 12, {1, 1}, {1, 1, 1, 1}},      // depthwise
      {1, 7, 10, 12, 7, 5, 5, 7, {2, 2}, {2, 2, 2, 2}},         // depthwise 5x5 stride 2
      {2, 40, 1, 1, 37, 1, 1},                                   // 1x1 over a 1x1 input (matrix-vector)
  };
  for (const ConvCase& k : shapes)
    for (const Act& a : acts)
      for (bool residual : {false, true})
        for (int threads : {1, 2}) {
          CAPTURE(describe(k)); CAPTURE(a.name); CAPTURE(residual);
          NativeCase c = make_case(k, "FusedConv", a.name, a.params);
          if (residual) {
            const int64_t oh = (k.h + k.pads[0] + k.pads[2] - k.kh) / k.strides[0] + 1;
            const int64_t ow = (k.w + k.pads[1] + k.pads[3] - k.kw) / k.strides[1] + 1;
            c.inputs.push_back(uniform({k.n, k.m, oh, ow}));
          }
          CHECK(!check_native(c, threads, reduction(k)).empty());
        }
}

TEST_CASE("native Conv: weights fed at run time or 1-D convolutions stay on the reference") {
  NativeCase fed = make_case({1, 3, 8, 8, 4, 3, 3}, "Conv");
  fed.constant_inputs = {};
  CHECK(native_kernel_name(fed, 1).empty());
  check_native(fed, 2, 27);
  NativeCase one_d{"Conv", "", 11, {uniform({1, 3, 9}), uniform({4, 3, 3})}, {}, {1}};
  CHECK(native_kernel_name(one_d, 1).empty());
}

TEST_CASE("native Conv: a wrong residual shape is a clear error") {
  NativeCase c = make_case({1, 4, 6, 6, 4, 1, 1}, "FusedConv");
  c.inputs.push_back(uniform({1, 4, 5, 6}));
  CHECK(status_of([&] { check_native(c, 1, 4); }) == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test
