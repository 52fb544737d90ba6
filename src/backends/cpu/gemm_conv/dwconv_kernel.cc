// Depthwise convolution (group == C_in == C_out): one small filter per channel, so no GEMM;
// the channels of every image are spread over the pool, each through the table's per-channel
// kernel (kernels/dispatch/f32_conv.h), bias, residual and activation fused.
#include <algorithm>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "kernels/dispatch/f32_conv.h"

namespace ember::backends::gemm_conv {
namespace {

class DepthwiseConvKernel final : public ops::Kernel {
 public:
  DepthwiseConvKernel(const ConvSetup& s, const kernels::F32DwConvKernels& k)
      : s_(s), fn_(k.pick(s.kh, s.kw)), name_(k.name_for(s.kh, s.kw)) {
    const float* w = s.weight->data<float>();
    weights_.assign(w, w + s.c_out * s.kh * s.kw);
    s_.weight = nullptr;  // creation only
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    kernels::DwConv2dGeom g;
    g.in_h = r.in_h;
    g.in_w = r.in_w;
    g.out_h = r.out_h;
    g.out_w = r.out_w;
    g.kernel_h = s_.kh;
    g.kernel_w = s_.kw;
    g.stride_h = r.geom.stride[0];
    g.stride_w = r.geom.stride[1];
    g.dilation_h = r.geom.dilation[0];
    g.dilation_w = r.geom.dilation[1];
    g.pad_top = r.geom.pad[0];
    g.pad_left = r.geom.pad[1];
    const int64_t planes = r.batch * s_.c_out, S = r.out_h * r.out_w, in_sz = r.in_h * r.in_w;
    if (planes == 0 || S == 0) return;
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
  ConvSetup s_;
  kernels::F32DwConv2dFn fn_;
  std::string name_;
  std::vector<float> weights_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_depthwise_conv(const ConvSetup& setup) {
  return std::make_unique<DepthwiseConvKernel>(setup, kernels::f32_dwconv_kernels());
}

}  // namespace ember::backends::gemm_conv
