// 1x1 convolutions over a 1x1 input (squeeze-and-excitation blocks after a global pool, as in
// EfficientNet and MobileNetV3): per image one matrix-vector product y = W x over the model's
// own [c_out, c_in] weight, through the GEMV kernel the native Gemm uses for one row
// (kernels/dispatch/f32_gemv.h). The GEMM form spent more on packing its one column and on a
// tile 32 columns wide than on the arithmetic: MobileNetV3-Large's SE convs took 0.033 ms against
// onnxruntime's 0.013 (benchmarks/per_node_vs_ort.py).
#include <algorithm>

#include "backends/cpu/gemm_conv/activation.h"
#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemv_runner.h"

namespace ember::backends::gemm_conv {
namespace {

class GemvConvKernel final : public ops::Kernel {
 public:
  explicit GemvConvKernel(const ConvSetup& s) : s_(s), k_(kernels::f32_gemv_kernels()) {
    s_.weight = nullptr;  // creation only: W is read from the inputs at run time
    name_ = std::string("f32_conv1x1_gemv:") + k_.name;
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    EMBER_CHECK(r.in_h * r.in_w == 1 && r.out_h * r.out_w == 1, ShapeMismatch, s_.node,
                ": built for a 1x1 input, given ", r.in_h, "x", r.in_w);
    const float* w = ctx.input(1).data<float>();
    for (int64_t n = 0; n < r.batch; ++n) {
      kernels::GemmEpilogue ep;
      set_activation(ep, s_.act);
      ep.bias = r.bias;  // one per output channel: the GEMV's columns
      if (r.residual) ep.residual = r.residual + n * s_.c_out;
      gemv(ctx.pool(), k_, s_.c_out, s_.c_in, r.x + n * s_.c_in, w, s_.c_in, r.y + n * s_.c_out, 1.0f, ep);
    }
  }

 private:
  ConvSetup s_;
  const kernels::F32GemvKernels& k_;
  std::string name_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_gemv_conv(const ConvSetup& s) {
  const bool one_by_one = s.kh == 1 && s.kw == 1 && s.in_h == 1 && s.in_w == 1;
  const bool unpadded = std::all_of(s.window.pads.begin(), s.window.pads.end(), [](int64_t p) { return p == 0; }) &&
                        (s.window.auto_pad == ops::nn::AutoPad::NotSet || s.window.auto_pad == ops::nn::AutoPad::Valid);
  if (!one_by_one || !unpadded || s.group != 1) return nullptr;
  return std::make_unique<GemvConvKernel>(s);
}

}  // namespace ember::backends::gemm_conv
