// Depthwise convolution (group == C_in == C_out): one small filter per channel, so no GEMM;
// the channels of every image are spread over the pool, each through the table's per-channel
// kernel (kernels/dispatch/f32_conv.h), or runs of channels through its flat kernel where the
// table prefers it (small planes and stride 2), or, for other small planes, 8 channels at a
// time through its channel-blocked kernel; bias, residual and activation fused.
#include <algorithm>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/weight_rows.h"
#include "kernels/dispatch/f32_conv.h"

namespace ember::backends::gemm_conv {
namespace {

class DepthwiseConvKernel final : public ops::Kernel {
 public:
  DepthwiseConvKernel(const ConvSetup& s, const kernels::F32DwConvKernels& k)
      : s_(s), fn_(k.pick(s.kh, s.kw)), block_fn_(k.dwconv_block), flat_fn_(k.dwconv_flat),
        in_place_(k.reads_in_place), prefers_flat_(k.prefers_flat), name_(k.name_for(s.kh, s.kw)) {
    weights_.resize(size_t(s.weight->numel()));
    read_weights(*s.weight, weights_.data());  // a pending BN scale applied, no whole copy first
    s_.weight = nullptr;  // creation only
    // The form follows from the input size: named after it when the model gives that size,
    // else after the per-channel form.
    if (s.in_h > 0 && s.in_w > 0) {
      ConvRun r;
      r.in_h = s.in_h;
      r.in_w = s.in_w;
      const ops::nn::Window win = ops::nn::resolve_window(s.window, {r.in_h, r.in_w}, {s.kh, s.kw});
      r.out_h = win.out[0];
      r.out_w = win.out[1];
      r.geom = ops::nn::to_geom(win, {r.in_h, r.in_w});
      const kernels::DwConv2dGeom g = conv2d_geom(s, r);
      if (use_flat(g)) name_ = k.name_flat;
      else if (use_block(g)) name_ = k.name_block;
    }
  }
  const char* name() const override { return name_.c_str(); }
  // W was packed (copied) at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    const kernels::DwConv2dGeom g = conv2d_geom(s_, r);
    const int64_t planes = r.batch * s_.c_out, S = r.out_h * r.out_w, in_sz = r.in_h * r.in_w;
    if (planes == 0 || S == 0) return;
    if (use_flat(g)) return run_flat(ctx, r, g);
    if (use_block(g)) return run_blocked(ctx, r, g);
    const size_t scratch = kernels::dw_plane(g).size();
    auto channels = [&](int64_t p0, int64_t p1) {
      float* buf = thread_scratch(3, scratch);
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % s_.c_out;
        kernels::DwEpilogue ep;
        ep.bias = r.bias ? r.bias[c] : 0.0f;
        ep.residual = r.residual ? r.residual + p * S : nullptr;
        ep.activation = s_.act.kind;
        ep.act_alpha = s_.act.alpha;
        ep.act_beta = s_.act.beta;
        fn_(g, r.x + p * in_sz, weights_.data() + c * s_.kh * s_.kw, ep, r.y + p * S, buf);
      }
    };
    // Each chunk should be worth a dispatch (~ 20k multiply-adds at least).
    const int64_t per_plane = S * s_.kh * s_.kw;
    const int64_t grain = std::max<int64_t>(1, 20000 / std::max<int64_t>(per_plane, 1));
    ctx.pool().parallel_for(planes, grain, channels);
  }

 private:
  // Measured on MobileNetV2's layers (ember_conv_bench; benchmarks/RESULTS.md, "CNN latency"):
  // channel-blocked takes 0.4-0.8x the time of the per-channel form on outputs up to 14 wide.
  // From 28 wide on the per-channel form, with its vector phase fills, row bands and clamp
  // epilogue (kernels/x86/f32_dwconv_rows.h), is as fast or faster: 56 -> 28 at stride 2
  // blocked 1.18x on AVX2, 1.24x on AVX-512; 28 at stride 1 0.97x / 1.1x; wider planes more.
  // Where the per-channel form reads its input in place (3x3, stride 1, pad 1), from 14 wide on
  // it beats the blocked form: 14x14 c384 0.79x on AVX-512, 0.85x on AVX2 (7x7 c960 1.25x / 1.0x:
  // blocked stays there); ember_conv_bench --repeats 60, 3 runs each, load 13.6.
  // At stride 2 the in-place per-channel form (deinterleaving in registers) also beats the
  // channel-blocked one on MobileNetV2's narrowest stride-2 layer: ember_conv_bench --repeats 60
  // "mb dw", 14 s2 c576 per-channel / blocked 0.030 / 0.035 ms on AVX-512, 0.028 / 0.036 on
  // AVX2 (load 9). (The table's prefers_flat already leaves these to it.)
  // With its column masks set once per call the in-place stride-1 form beats the blocked one at
  // 7 wide too: ember_conv_bench --repeats 100 "mb dw", 7 c960 per-channel / blocked 0.024 /
  // 0.040 ms on AVX-512, 0.028 / 0.040 on AVX2 (load 7); so no in-place layer goes blocked.
  bool use_block(const kernels::DwConv2dGeom& g) const {
    if (in_place_ && in_place_(g)) return false;
    return g.out_w < 28;
  }

  bool use_flat(const kernels::DwConv2dGeom& g) const { return flat_fn_ && prefers_flat_ && prefers_flat_(g); }

  // The epilogue of channels c0.. whose output starts at element `out_at` of Y.
  kernels::DwBlockEpilogue epilogue(const ConvRun& r, int64_t c0, int64_t out_at) const {
    kernels::DwBlockEpilogue ep;
    ep.bias = r.bias ? r.bias + c0 : nullptr;
    ep.residual = r.residual ? r.residual + out_at : nullptr;
    ep.activation = s_.act.kind;
    ep.act_alpha = s_.act.alpha;
    ep.act_beta = s_.act.beta;
    return ep;
  }

  // Runs of channels of one image per call: the flat kernel builds its tap masks once per call.
  void run_flat(ops::KernelContext& ctx, const ConvRun& r, const kernels::DwConv2dGeom& g) const {
    const int64_t in_sz = r.in_h * r.in_w, out_sz = r.out_h * r.out_w, taps = s_.kh * s_.kw;
    const size_t scratch = kernels::dw_flat_scratch(g);
    auto planes = [&](int64_t p0, int64_t p1) {
      float* buf = thread_scratch(3, scratch);
      while (p0 < p1) {
        const int64_t c0 = p0 % s_.c_out, ch = std::min(p1 - p0, s_.c_out - c0);
        flat_fn_(g, ch, r.x + p0 * in_sz, weights_.data() + c0 * taps, epilogue(r, c0, p0 * out_sz),
                 r.y + p0 * out_sz, buf);
        p0 += ch;
      }
    };
    const int64_t grain = std::max<int64_t>(1, 20000 / std::max<int64_t>(out_sz * taps, 1));
    ctx.pool().parallel_for(r.batch * s_.c_out, grain, planes);
  }

  void run_blocked(ops::KernelContext& ctx, const ConvRun& r, const kernels::DwConv2dGeom& g) const {
    const int64_t blocks_per_image = (s_.c_out + kernels::kDwBlock - 1) / kernels::kDwBlock;
    const int64_t in_sz = r.in_h * r.in_w, out_sz = r.out_h * r.out_w, taps = s_.kh * s_.kw;
    const size_t scratch = kernels::dw_block_scratch(g);
    auto blocks = [&](int64_t b0, int64_t b1) {
      float* buf = thread_scratch(3, scratch);
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t n = b / blocks_per_image, c0 = (b % blocks_per_image) * kernels::kDwBlock;
        const int64_t ch = std::min(kernels::kDwBlock, s_.c_out - c0), first = n * s_.c_out + c0;
        block_fn_(g, ch, r.x + first * in_sz, weights_.data() + c0 * taps, epilogue(r, c0, first * out_sz),
                  r.y + first * out_sz, buf);
      }
    };
    const int64_t per_block = out_sz * taps * kernels::kDwBlock;
    const int64_t grain = std::max<int64_t>(1, 20000 / std::max<int64_t>(per_block, 1));
    ctx.pool().parallel_for(r.batch * blocks_per_image, grain, blocks);
  }

  ConvSetup s_;
  kernels::F32DwConv2dFn fn_;
  kernels::F32DwConvBlockFn block_fn_, flat_fn_;
  bool (*in_place_)(const kernels::DwConv2dGeom&);
  bool (*prefers_flat_)(const kernels::DwConv2dGeom&);
  std::string name_;
  std::vector<float> weights_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_depthwise_conv(const ConvSetup& setup) {
  return std::make_unique<DepthwiseConvKernel>(setup, kernels::f32_dwconv_kernels());
}

}  // namespace ember::backends::gemm_conv
