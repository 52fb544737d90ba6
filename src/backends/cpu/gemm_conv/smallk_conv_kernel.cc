// Convolutions with a short reduction (kernels/dispatch/f32_conv_smallk.h): one group, K = input
// channels x kernel taps a length the CPU's vector entry is built for (16, 24, 27, 32 on
// AVX-512: MobileNetV2's 1x1 expansions and its 3x3 stem over 3 channels). 1x1 stride-1
// unpadded layers read X in place; the others read the direct kernel's phased copy of X
// (filled per run, channels split over the pool), whose tap offsets make strides and padding
// plain offsets. W is used in the model's own layout (copied once); positions are split over
// the pool.
#include <algorithm>
#include <vector>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/weight_rows.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/dispatch/f32_conv_smallk.h"

namespace ember::backends::gemm_conv {
namespace {

// Multiply-adds per parallel chunk, at least: below this a second thread's wake-up costs more
// than it saves.
constexpr int64_t kMinChunkMacs = 32 * 1024;
constexpr int64_t kVector = 16;  // output positions per step of the vector entry
constexpr int64_t kMaxK = 63;    // handles() accepts no longer reductions

bool all_eq(const Dims& v, int64_t x) { return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; }); }

class SmallKConvKernel final : public ops::Kernel {
 public:
  SmallKConvKernel(const ConvSetup& s, const kernels::F32ConvSmallKKernels& k) : s_(s), k_(k) {
    w_.resize(size_t(s.weight->numel()));
    read_weights(*s.weight, w_.data());  // a pending BN scale applied, no whole copy first
    s_.weight = nullptr;  // creation only
  }
  const char* name() const override { return k_.name; }
  // W was copied at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    const int64_t positions = r.out_h * r.out_w;
    if (r.batch == 0 || positions == 0 || s_.c_out == 0) return;
    const kernels::ConvPhasedGeom g = conv2d_geom(s_, r);
    const int64_t taps = s_.kh * s_.kw, kd = s_.c_in * taps, plane_in = r.in_h * r.in_w;
    // X itself for 1x1 stride-1 unpadded layers, else the phased copy.
    const bool in_place = r.geom.is_pointwise();
    const kernels::ConvPhased p = in_place ? kernels::ConvPhased{r.in_h, r.in_w, plane_in}
                                           : kernels::conv_phased_layout(g);
    int64_t toff[kMaxK] = {}, koff[kMaxK];
    if (!in_place) kernels::conv_phased_offsets(g, p, toff);
    for (int64_t c = 0; c < s_.c_in; ++c)
      for (int64_t t = 0; t < taps; ++t) koff[c * taps + t] = c * p.cstride + toff[t];
    float* xp = in_place ? nullptr : thread_scratch(1, size_t(p.size(s_.c_in)));

    ThreadPool& pool = ctx.pool();
    const int64_t vectors = (positions + kVector - 1) / kVector;
    const int64_t grain = std::max<int64_t>(1, kMinChunkMacs / std::max<int64_t>(1, s_.c_out * kd * kVector));
    for (int64_t n = 0; n < r.batch; ++n) {
      const float* x = r.x + n * s_.c_in * plane_in;
      if (!in_place) {
        // Filling is a copy: worth a second thread only for big inputs (as the direct kernel).
        const int64_t fill_grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(plane_in, 1));
        pool.parallel_for(s_.c_in, fill_grain, [&](int64_t c0, int64_t c1) {
          kernels::conv_phased_fill(g, p, x, c0, c1, s_.c_in, xp);
        });
      }
      kernels::ConvSmallKArgs a;
      a.x = in_place ? x : xp;
      a.koff = koff;
      a.k = kd;
      a.row = p.wq;
      a.w = w_.data();
      a.m = s_.c_out;
      a.out_h = r.out_h;
      a.out_w = r.out_w;
      a.y = r.y + n * s_.c_out * positions;
      a.bias = r.bias;
      a.residual = r.residual ? r.residual + n * s_.c_out * positions : nullptr;
      a.activation = s_.act.kind;
      a.act_alpha = s_.act.alpha;
      a.act_beta = s_.act.beta;
      pool.parallel_for(vectors, grain, [&](int64_t v0, int64_t v1) {
        k_.run(a, v0 * kVector, std::min(positions, v1 * kVector));
      });
    }
  }

 private:
  ConvSetup s_;
  const kernels::F32ConvSmallKKernels& k_;
  std::vector<float> w_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_smallk_conv(const ConvSetup& s) {
  const kernels::F32ConvSmallKKernels& k = kernels::f32_conv_smallk_kernels();
  if (k.run == kernels::f32_conv_smallk_generic_kernels().run) return nullptr;  // the GEMM / direct are faster
  const int64_t kd = s.c_in * s.kh * s.kw;
  // 1x1 layers only when stride 1 and unpadded (X read in place): strided or padded ones would
  // pay a phased copy of X for nothing; spatial layers any stride, padding and dilation.
  const bool spatial = s.kh * s.kw > 1;
  const bool pointwise = all_eq(s.window.strides, 1) && s.window.auto_pad == ops::nn::AutoPad::NotSet &&
                         all_eq(s.window.pads, 0);
  // 1x1 layers with few output channels (MobileNetV2's 32 -> 16 projection at 112x112) go to the
  // direct tile: each input vector feeds only M < 32 channels, so the layer is bound by its 48
  // plane streams (32 in, 16 out) when they are not cached, and the direct tile's blocks of
  // positions stream better. Warm it loses (ember_conv_bench "mb 1x1 112 32->16": 0.085 vs 0.074
  // ms), cold it wins (--cold: 0.197 vs 0.299); in MobileNetV2 (step medians of alternated
  // `ember bench --profile` runs, load 8-10) block0.0.project.bn 197 -> 168 us at one thread (20
  // rounds), 133 -> 100 us at two (14 rounds).
  const bool few_outputs = !spatial && s.c_out < 32;
  if (s.group != 1 || kd > kMaxK || !k.handles(kd) || !(spatial || pointwise) || few_outputs) return nullptr;
  return std::make_unique<SmallKConvKernel>(s, k);
}

}  // namespace ember::backends::gemm_conv
