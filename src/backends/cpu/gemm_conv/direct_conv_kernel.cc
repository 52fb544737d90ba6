// Direct convolution (kernels/dispatch/f32_conv_direct.h): the implicit-GEMM form that reads
// its right-hand side straight from a padded, stride-phased copy of the input (no copy at all
// for 1x1 stride-1 unpadded layers) instead of an im2col matrix that the GEMM then packs again.
// Two tile shapes, chosen per layer at creation (prefer_direct_conv): positions in the vector
// lanes (f32_conv_direct.h), or, for layers with few output positions, output channels in the
// lanes (f32_conv_direct_cv.h, which also reads unpadded 1x1 layers of any stride in place).
// Weights are packed once at creation; each run fills the phased input (channels split over
// the pool), then splits output channels x positions over the pool like the GEMM paths.
#include <algorithm>

#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/prepacked_buffer.h"
#include "backends/cpu/gemm_conv/weight_rows.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/dispatch/f32_conv_direct_cv.h"

namespace ember::backends::gemm_conv {
namespace {

constexpr int64_t kLocalTaps = 64;
// 1x1 layers with at most this many output channels (per group) take the direct form.
constexpr int64_t kMaxDirectPointwiseChannels = 32;
// The channel-vector tile's share (benchmarks/conv_bench.cc, one thread, RESULTS.md
// "ResNet-50"): spatial layers up to the entry's max_spatial_positions (7x7 outputs 0.67-0.73x
// the time of the better of the other two forms, 14x14 0.79-0.97x, AVX-512 28x28 0.89-0.95x;
// AVX2 0.73-0.92x up to 14x14); unpadded 1x1 layers reducing over at least kMinCvReduction
// channels and kCvReductionPerPosition per output position (7x7 K = 512-2048 0.80-0.94x,
// 14x14 K = 1024 0.90-0.98x; AVX2 0.86-0.97x). The GEMM keeps 1x1 layers with more positions
// per reduction step: 14x14 with K = 512 (1.10x, AVX2 1.14x) or 256 (1.03-1.20x), 28x28
// (1.2x): the channel-vector tile's transposing store is then a large share.
constexpr int64_t kMinCvReduction = 512;
constexpr int64_t kCvReductionPerPosition = 4;

bool all_eq(const Dims& v, int64_t x) { return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == x; }); }

class DirectConvKernel final : public ops::Kernel {
 public:
  DirectConvKernel(const ConvSetup& s, bool cv)
      : s_(s), k_(kernels::f32_conv_direct_kernels()), cv_(cv ? &kernels::f32_conv_direct_cv_kernels() : nullptr) {
    mg_ = s.c_out / s.group;
    cg_ = s.c_in / s.group;
    const int64_t kd = cg_ * s.kh * s.kw;
    const int strip = cv_ ? cv_->nc : k_.mr;
    const size_t per_group = kernels::f32_conv_direct_packed_size(mg_, kd, strip);
    // Uninitialised: the packing writes every float, zero rows included (a zero-filled vector
    // was 10% of ResNet-50's session creation in perf: a memset, then 4 KiB faults).
    packed_ = PrepackedBuffer(per_group * size_t(s.group));
    // Blocks of whole strips (weight_rows.h): a deferred W goes from the file to here in one pass.
    for (int64_t g = 0; g < s.group; ++g)
      for_weight_rows(*s.weight, g * mg_, (g + 1) * mg_, strip, [&](int64_t row, int64_t rows, const float* w) {
        kernels::f32_conv_direct_pack_weights(rows, kd, w, strip, packed_.data() + g * per_group + (row - g * mg_) * kd);
      });
    group_stride_ = int64_t(per_group);
    s_.weight = nullptr;  // creation only
  }
  const char* name() const override { return cv_ ? cv_->name : k_.name; }
  // W was packed (copied) at creation; run() reads X, B and Z only.
  bool prepacked_input(size_t i) const override { return i == 1; }

  void run(ops::KernelContext& ctx) const override {
    const ConvRun r = begin_conv_run(s_, ctx);
    if (r.batch == 0 || r.out_h * r.out_w == 0 || s_.c_out == 0) return;
    const kernels::ConvPhasedGeom g = conv2d_geom(s_, r);
    // X is its own phased input for 1x1, stride 1, no padding; the channel-vector tile also
    // reads any unpadded 1x1 layer in place, whatever its stride (its positions carry offsets).
    const bool in_place = cv_ ? unpadded_1x1(g) : r.geom.is_pointwise();
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
    // The channel-vector tile's position offsets (in_place: strided rows of X itself).
    std::vector<int64_t> poff;
    if (cv_) {
      poff.resize(size_t(r.out_h * r.out_w));
      if (in_place) kernels::conv_position_offsets(g.out_h, g.out_w, g.stride_h * g.in_w, g.stride_w, poff.data());
      else kernels::conv_position_offsets(g.out_h, g.out_w, p.wq, 1, poff.data());
    }

    ThreadPool& pool = ctx.pool();
    const int64_t plane_in = r.in_h * r.in_w, plane_out = r.out_h * r.out_w;
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
        const int64_t first = n * s_.c_out + grp * mg_;
        Out o;
        o.x = in_place ? x : xp;
        o.w = packed_.data() + grp * group_stride_;
        o.y = r.y + first * plane_out;
        o.bias = r.bias ? r.bias + grp * mg_ : nullptr;
        o.residual = r.residual ? r.residual + first * plane_out : nullptr;
        if (cv_) run_cv(pool, r, p, toff, poff.data(), o);
        else run_rows(pool, r, p, toff, o);
      }
  }

 private:
  // One image and group: its input, packed weights and outputs.
  struct Out {
    const float* x = nullptr;
    const float* w = nullptr;
    float* y = nullptr;
    const float* bias = nullptr;
    const float* residual = nullptr;
  };

  static bool unpadded_1x1(const kernels::ConvPhasedGeom& g) {
    return g.kernel_h == 1 && g.kernel_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
           (g.out_h - 1) * g.stride_h < g.in_h && (g.out_w - 1) * g.stride_w < g.in_w;
  }

  template <class Block>
  static void split(ThreadPool& pool, const Split& sp, Block block) {
    if (sp.tasks() == 1) return block(0);
    pool.parallel_for(sp.tasks(), 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) block(t);
    });
  }

  void run_rows(ThreadPool& pool, const ConvRun& r, const kernels::ConvPhased& p, const int64_t* toff,
                const Out& o) const {
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
    a.x = o.x;
    a.w = o.w;
    a.y = o.y;
    a.bias = o.bias;
    a.residual = o.residual;
    const Split sp = plan_split(mg_, a.positions(), cg_ * a.taps, k_.mr, k_.nr, true, mg_ < a.positions(),
                                pool.threads());
    split(pool, sp, [&](int64_t t) {
      const int64_t m0 = (t / sp.nt) * sp.mb, j0 = (t % sp.nt) * sp.nb;
      k_.run(a, m0, std::min(mg_, m0 + sp.mb), j0, std::min(a.positions(), j0 + sp.nb));
    });
  }

  void run_cv(ThreadPool& pool, const ConvRun& r, const kernels::ConvPhased& p, const int64_t* toff,
              const int64_t* poff, const Out& o) const {
    kernels::ConvDirectCvArgs a;
    a.x = o.x;
    a.channels = cg_;
    a.cstride = p.cstride;
    a.toff = toff;
    a.taps = int(s_.kh * s_.kw);
    a.poff = poff;
    a.positions = r.out_h * r.out_w;
    a.w = o.w;
    a.m = mg_;
    a.y = o.y;
    a.bias = o.bias;
    a.residual = o.residual;
    a.activation = s_.act.kind;
    a.act_alpha = s_.act.alpha;
    a.act_beta = s_.act.beta;
    const double macs = double(mg_) * double(a.positions) * double(cg_ * a.taps);
    const Split sp = cv_split(macs, a.positions, cg_ * p.cstride, pool.threads());
    if (sp.tasks() > 1 || pool.threads() == 1 || macs < kMinParallelMacs) {
      return split(pool, sp, [&](int64_t t) {
        const int64_t m0 = (t / sp.nt) * sp.mb, p0 = (t % sp.nt) * sp.nb;
        cv_->run(a, m0, std::min(mg_, m0 + sp.mb), p0, std::min(a.positions, p0 + sp.nb));
      });
    }
    // plan_split keeps GEMM-sized blocks (2 strips, 4 tiles at the least), which left
    // MobileNetV2's 7x7 layers (3 strips x 7 tiles) on one thread (960->160 at 2 threads
    // 0.112 ms, as at 1). Work that is still worth sharing goes out as single tiles (nc
    // channels x np positions) in strip order: 0.076 ms.
    const int64_t tiles = (a.positions + cv_->np - 1) / cv_->np;
    const int64_t units = (mg_ + cv_->nc - 1) / cv_->nc * tiles;
    auto run_units = [&](int64_t u0, int64_t u1) {
      while (u0 < u1) {  // one call per strip the range touches
        const int64_t strip = u0 / tiles, t0 = u0 % tiles, t1 = std::min(tiles, t0 + (u1 - u0));
        const int64_t m0 = strip * cv_->nc;
        cv_->run(a, m0, std::min(mg_, m0 + cv_->nc), t0 * cv_->np, std::min(a.positions, t1 * cv_->np));
        u0 += t1 - t0;
      }
    };
    pool.parallel_for(units, 1, run_units);
  }

  // Channel strips first: each thread then streams its own share of the weights. plan_split
  // keeps at least 2 strips per block, so ResNet-50's 14x14 3x3 256-channel layers (4 strips)
  // were cut 2 strips x 2 position halves, and as the pool hands blocks out in order, both
  // threads streamed all 2.4 MB of weights: 1.44-1.51x their 1-thread time on 2 threads,
  // onnxruntime's 1.90-1.95x (per_node_vs_ort.py --scaling under chrt). Where the weights
  // outweigh the input (a whole-strip block reads W / blocks + X, a half-position one W / 2 + X / 2)
  // and the strips divide evenly into the blocks plan_split aims at, blocks are whole strips
  // over all positions: those layers 0.93-0.96x per node at 2 threads. Not for the 1x1 1024->256
  // layers (X 200 K floats, W 262 K): 1.11-1.19x slower that way.
  Split cv_split(double macs, int64_t positions, int64_t input_floats, int threads) const {
    const Split sp = plan_split(mg_, positions, cg_ * s_.kh * s_.kw, cv_->nc, cv_->np, true, false, threads);
    if (threads <= 1 || sp.tasks() <= 1) return sp;
    const int64_t strips = (mg_ + cv_->nc - 1) / cv_->nc, blocks = split_blocks_wanted(macs, threads);
    const double weights = double(mg_) * double(cg_ * s_.kh * s_.kw);
    if (strips >= blocks && strips % blocks == 0 && 2.0 * double(input_floats) < weights)
      return Split{strips / blocks * cv_->nc, positions, blocks, 1};
    return sp;
  }

  ConvSetup s_;
  const kernels::F32ConvDirectKernels& k_;
  const kernels::F32ConvDirectCvKernels* cv_;
  int64_t mg_ = 0, cg_ = 0, group_stride_ = 0;
  PrepackedBuffer packed_;
};

}  // namespace

DirectForm choose_direct_form(const ConvSetup& s) {
  const kernels::F32ConvDirectKernels& k = kernels::f32_conv_direct_kernels();
  if (k.run == kernels::f32_conv_direct_generic_kernels().run) return DirectForm::None;
  const bool spatial = s.kh * s.kw > 1;
  const bool strides_1 = all_eq(s.window.strides, 1);
  const bool unpadded = s.window.auto_pad == ops::nn::AutoPad::NotSet && all_eq(s.window.pads, 0);
  // Few output positions (known from the model's shapes): the channel-vector tile.
  const int64_t kd = s.c_in / s.group;
  const int64_t cv_max = spatial ? kernels::f32_conv_direct_cv_kernels().max_spatial_positions
                         : unpadded && kd >= kMinCvReduction ? kd / kCvReductionPerPosition
                                                             : -1;
  // Layers with fewer output channels (per group) than the channel-vector tile leave its lanes
  // empty: ResNeXt's and RegNet's 8-wide groups filled 8 of 64, DenseNet's 32-channel 3x3 convs
  // 32 (96-106 GFLOP/s). The position-vector form took torchvision's RegNetY-400MF from
  // 10.0-10.7 to 6.7-6.9 ms, ResNeXt-50 32x4d from 52 to 46, DenseNet-121 from 36.8-37.7 to
  // 32.6-32.9, GoogLeNet 17.1 -> 16.6 (ember bench, 1 thread, AVX-512, chrt).
  const bool cv_fills = s.c_out / s.group >= kernels::f32_conv_direct_cv_kernels().nc;
  if (s.out_positions >= 0 && s.out_positions <= cv_max && cv_fills) return DirectForm::ChannelVector;
  // Measured per shape class (benchmarks/RESULTS.md, "CNN latency"): with a spatial kernel the
  // direct form wins (3x3: 0.72-0.93x the time of im2col + GEMM; the 7x7 stem 0.74x), since
  // it skips both the im2col copy and the GEMM's packing of it. 1x1 layers keep the GEMM
  // (its packed B panels read better than 16 floats from each of K rows of X: 1.1-1.7x slower
  // direct) except unpadded stride-1 ones with few output channels (MobileNet's projections,
  // 0.65-0.75x), where the GEMM's per-call packing of X is shared by too few rows.
  if (spatial) return DirectForm::PositionVector;
  if (strides_1 && unpadded && s.c_out / s.group <= kMaxDirectPointwiseChannels) return DirectForm::PositionVector;
  return DirectForm::None;
}

std::unique_ptr<ops::Kernel> make_direct_conv(const ConvSetup& setup, DirectForm form) {
  return std::make_unique<DirectConvKernel>(setup, form == DirectForm::ChannelVector);
}

}  // namespace ember::backends::gemm_conv
