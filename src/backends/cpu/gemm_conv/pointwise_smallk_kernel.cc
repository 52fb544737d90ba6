// Pointwise convolutions over few input channels (kernels/dispatch/f32_conv1x1_smallk.h):
// 1x1, stride 1, unpadded, one group, K a length the CPU's vector entry is built for (16, 24,
// 32 on AVX-512: MobileNetV2's expansions). W is used in the model's own layout (copied once),
// so nothing is packed at creation or per run; positions are split over the pool.
#include <algorithm>
#include <vector>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "kernels/dispatch/f32_conv1x1_smallk.h"

namespace ember::backends::gemm_conv {
namespace {

// Multiply-adds per parallel chunk, at least: below this a second thread's wake-up costs more
// than it saves.
constexpr int64_t kMinChunkMacs = 32 * 1024;
constexpr int64_t kVector = 16;  // positions per step of the vector entry

class PointwiseSmallKKernel final : public ops::Kernel {
 public:
  PointwiseSmallKKernel(const ConvSetup& s, const kernels::F32Conv1x1SmallKKernels& k) : s_(s), k_(k) {
    const float* w = s.weight->data<float>();
    w_.assign(w, w + s.c_out * s.c_in);
    s_.weight = nullptr;  // creation only
  }
  const char* name() const override { return k_.name; }
  // W was copied at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    const int64_t positions = r.out_h * r.out_w;
    if (r.batch == 0 || positions == 0 || s_.c_out == 0) return;
    EMBER_CHECK(r.geom.is_pointwise(), Runtime, s_.node, ": the pointwise kernel got a non-pointwise window",
                " (internal error; please report)");
    const int64_t vectors = (positions + kVector - 1) / kVector;
    const int64_t grain = std::max<int64_t>(1, kMinChunkMacs / std::max<int64_t>(1, s_.c_out * s_.c_in * kVector));
    for (int64_t n = 0; n < r.batch; ++n) {
      kernels::Conv1x1SmallKArgs a;
      a.x = r.x + n * s_.c_in * positions;
      a.channels = s_.c_in;
      a.w = w_.data();
      a.m = s_.c_out;
      a.positions = positions;
      a.y = r.y + n * s_.c_out * positions;
      a.bias = r.bias;
      a.residual = r.residual ? r.residual + n * s_.c_out * positions : nullptr;
      a.activation = s_.act.kind;
      a.act_alpha = s_.act.alpha;
      a.act_beta = s_.act.beta;
      ctx.pool().parallel_for(vectors, grain, [&](int64_t v0, int64_t v1) {
        k_.run(a, v0 * kVector, std::min(positions, v1 * kVector));
      });
    }
  }

 private:
  ConvSetup s_;
  const kernels::F32Conv1x1SmallKKernels& k_;
  std::vector<float> w_;
};

bool all_eq(const Dims& v, int64_t x) { return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; }); }

}  // namespace

std::unique_ptr<ops::Kernel> make_pointwise_smallk_conv(const ConvSetup& s) {
  const kernels::F32Conv1x1SmallKKernels& k = kernels::f32_conv1x1_smallk_kernels();
  if (k.run == kernels::f32_conv1x1_smallk_generic_kernels().run) return nullptr;  // the GEMM is faster
  const bool pointwise = s.kh == 1 && s.kw == 1 && s.group == 1 && all_eq(s.window.strides, 1) &&
                         s.window.auto_pad == ops::nn::AutoPad::NotSet && all_eq(s.window.pads, 0);
  if (!pointwise || !k.handles(s.c_in)) return nullptr;
  return std::make_unique<PointwiseSmallKKernel>(s, k);
}

}  // namespace ember::backends::gemm_conv
