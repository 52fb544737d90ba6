// Direct convolution (kernels/dispatch/f32_conv_direct.h): the implicit-GEMM form that reads
// its right-hand side straight from a padded, stride-phased copy of the input (no copy at all
// for 1x1 stride-1 unpadded layers) instead of an im2col matrix that the GEMM then packs again.
// Weights are packed once at creation; each run fills the phased input (channels split over
// the pool), then splits output channels x positions over the pool like the GEMM paths.
#include <algorithm>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "kernels/dispatch/f32_conv_direct.h"

namespace ember::backends::gemm_conv {
namespace {

constexpr int64_t kLocalTaps = 64;
// 1x1 layers with at most this many output channels (per group) take the direct form.
constexpr int64_t kMaxDirectPointwiseChannels = 32;

class DirectConvKernel final : public ops::Kernel {
 public:
  DirectConvKernel(const ConvSetup& s, const kernels::F32ConvDirectKernels& k) : s_(s), k_(k) {
    mg_ = s.c_out / s.group;
    cg_ = s.c_in / s.group;
    const int64_t kd = cg_ * s.kh * s.kw;
    const size_t per_group = kernels::f32_conv_direct_packed_size(mg_, kd, k.mr);
    packed_.resize(std::max<size_t>(per_group * size_t(s.group), 1));
    for (int64_t g = 0; g < s.group; ++g)
      kernels::f32_conv_direct_pack_weights(mg_, kd, s.weight->data<float>() + g * mg_ * kd, k.mr,
                                            packed_.data() + g * per_group);
    group_stride_ = int64_t(per_group);
    s_.weight = nullptr;  // creation only
  }
  const char* name() const override { return k_.name; }
  // W was packed (copied) at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    if (r.batch == 0 || r.out_h * r.out_w == 0 || s_.c_out == 0) return;
    const kernels::ConvPhasedGeom g = conv2d_geom(s_, r);
    // 1x1, stride 1, no padding: X is already its own phased input.
    const bool in_place = r.geom.is_pointwise();
    const kernels::ConvPhased p = in_place ? kernels::ConvPhased{r.in_h, r.in_w, r.in_h * r.in_w}
                                           : kernels::conv_phased_layout(g);
    // Tap offsets on the stack for the usual kernel sizes (no allocation per run).
    int64_t local_toff[kLocalTaps] = {};
    std::vector<int64_t> big_toff;
    int64_t* toff = local_toff;
    if (s_.kh * s_.kw > kLocalTaps) {
      big_toff.assign(size_t(s_.kh * s_.kw), 0);
      toff = big_toff.data();
    }
    if (!in_place) kernels::conv_phased_offsets(g, p, toff);

    kernels::ConvDirectArgs a;
    a.channels = cg_;
    a.cstride = p.cstride;
    a.toff = toff;
    a.taps = int(s_.kh * s_.kw);
    a.m = mg_;
    a.out_h = r.out_h;
    a.out_w = r.out_w;
    a.wq = p.wq;
    a.activation = s_.act.kind;
    a.act_alpha = s_.act.alpha;
    a.act_beta = s_.act.beta;

    ThreadPool& pool = ctx.pool();
    const int64_t plane_in = r.in_h * r.in_w, plane_out = r.out_h * r.out_w;
    const Split sp = plan_split(mg_, a.positions(), cg_ * a.taps, k_.mr, k_.nr, true, mg_ < a.positions(),
                                pool.threads());
    float* xp = in_place ? nullptr : thread_scratch(1, size_t(p.size(cg_)));
    for (int64_t n = 0; n < r.batch; ++n)
      for (int64_t grp = 0; grp < s_.group; ++grp) {
        const float* x = r.x + (n * s_.c_in + grp * cg_) * plane_in;
        if (!in_place) {
          // Filling is a copy: worth a second thread only for big inputs.
          const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(plane_in, 1));
          pool.parallel_for(cg_, grain, [&](int64_t c0, int64_t c1) {
            kernels::conv_phased_fill(g, p, x, c0, c1, cg_, xp);
          });
        }
        kernels::ConvDirectArgs u = a;
        u.x = in_place ? x : xp;
        u.w = packed_.data() + grp * group_stride_;
        const int64_t first = n * s_.c_out + grp * mg_;
        u.y = r.y + first * plane_out;
        u.bias = r.bias ? r.bias + grp * mg_ : nullptr;
        u.residual = r.residual ? r.residual + first * plane_out : nullptr;
        auto block = [&](int64_t t) {
          const int64_t m0 = (t / sp.nt) * sp.mb, j0 = (t % sp.nt) * sp.nb;
          k_.run(u, m0, std::min(mg_, m0 + sp.mb), j0, std::min(u.positions(), j0 + sp.nb));
        };
        if (sp.tasks() == 1) {
          block(0);
          continue;
        }
        pool.parallel_for(sp.tasks(), 1, [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t) block(t);
        });
      }
  }

 private:
  ConvSetup s_;
  const kernels::F32ConvDirectKernels& k_;
  int64_t mg_ = 0, cg_ = 0, group_stride_ = 0;
  std::vector<float> packed_;
};

}  // namespace

bool prefer_direct_conv(const ConvSetup& s) {
  const kernels::F32ConvDirectKernels& k = kernels::f32_conv_direct_kernels();
  if (k.run == kernels::f32_conv_direct_generic_kernels().run) return false;
  // Measured per shape class (benchmarks/RESULTS.md, "CNN latency"): with a spatial kernel the
  // direct form wins (3x3: 0.72-0.93x the time of im2col + GEMM; the 7x7 stem 0.74x), since
  // it skips both the im2col copy and the GEMM's packing of it. 1x1 layers keep the GEMM
  // (its packed B panels read better than 16 floats from each of K rows of X: 1.1-1.7x slower
  // direct) except unpadded stride-1 ones with few output channels (MobileNet's projections,
  // 0.65-0.75x), where the GEMM's per-call packing of X is shared by too few rows.
  if (s.kh * s.kw > 1) return true;
  auto all_eq = [](const Dims& v, int64_t x) { return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; }); };
  const bool pointwise = s.window.auto_pad == ops::nn::AutoPad::NotSet && all_eq(s.window.strides, 1) &&
                         all_eq(s.window.pads, 0);
  return pointwise && s.c_out / s.group <= kMaxDirectPointwiseChannels;
}

std::unique_ptr<ops::Kernel> make_direct_conv(const ConvSetup& setup) {
  return std::make_unique<DirectConvKernel>(setup, kernels::f32_conv_direct_kernels());
}

}  // namespace ember::backends::gemm_conv
