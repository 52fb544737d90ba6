// Convolution microbenchmark: for ResNet-50 and MobileNetV2 layer shapes, the direct
// (implicit-GEMM) kernel against im2col + the packed-A GEMM (what the native backend ran
// before), and the depthwise forms (per-channel, channel-blocked and, where it fits, flat). One thread,
// thread CPU time, the best of --repeats runs of each form, forms alternating (so a loaded
// machine hits both alike); prints ms, GFLOP/s, the time ratio and the largest difference
// between the two forms' outputs relative to the largest output. These figures chose the
// per-shape rules in src/backends/cpu/gemm_conv (prefer_direct_conv, use_block).
//
//   ember_conv_bench [--repeats N] [--residual] [FILTER]     FILTER: only shapes whose name contains it;
//   --residual: the convolutions add a residual input in their epilogue; --cold: caches
//   evicted before each timed call (weights and input from DRAM); --cold-w: only the weights
//   from DRAM (activations warm, as inside a network)
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "backends/cpu/gemm_conv/im2col_2d.h"
#include "kernels/dispatch/f32_conv.h"
#include "kernels/dispatch/f32_conv_smallk.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/dispatch/f32_conv_direct_cv.h"
#include "kernels/dispatch/kernel_table.h"
#include "bench_clock.h"

using namespace ember::kernels;

namespace {

using ember::bench::cpu_now;


struct ConvShape { int c, h, m, k, s, p; const char* name; };
struct DwShape { int c, h, s; const char* name; };

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

double rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0.0, mx = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, double(std::fabs(a[i] - b[i])));
    mx = std::max(mx, double(std::fabs(b[i])));
  }
  return mx > 0 ? err / mx : err;
}

// --cold: before each timed call, write a buffer larger than the L3 cache, so weights and
// input come from DRAM as they do inside a whole network (ResNet-50's weights are ~100 MB).
// --cold-w: the same, then X, the residual and the outputs read back into the caches, so only
// the weights come from DRAM: inside ResNet-50 the activations a layer reads were just written
// (1x1 14x14 256->1024 + residual: 0.60 ms --cold-w, 0.59-0.64 in the net, 0.49 warm, 0.72 --cold).
bool g_cold = false;
bool g_cold_w = false;
std::vector<std::pair<float*, size_t>> g_rewarm;
void evict_caches() {
  static std::vector<float> big(size_t(48) << 20 >> 2);
  for (size_t i = 0; i < big.size(); i += 16) big[i] += 1.0f;
  if (g_cold_w)
    for (auto [p, n] : g_rewarm)
      for (size_t i = 0; i < n; i += 16) p[i] += 0.0f;
}

template <class F>
void time_best(F f, double& best) {
  if (g_cold) evict_caches();
  const double t0 = cpu_now();
  f();
  best = std::min(best, cpu_now() - t0);
}

template <class A, class B>
void time_pair(int repeats, A a, B b, double& ta, double& tb) {
  ta = tb = 1e30;
  for (int r = 0; r < repeats; ++r) {
    time_best(a, ta);
    time_best(b, tb);
  }
}

template <class A, class B, class C>
void time_three(int repeats, A a, B b, C c, double& ta, double& tb, double& tc) {
  ta = tb = tc = 1e30;
  for (int r = 0; r < repeats; ++r) {
    time_best(a, ta);
    time_best(b, tb);
    time_best(c, tc);
  }
}

void bench_conv(const ConvShape& s, int repeats, bool residual, std::mt19937& rng) {
  const F32ConvDirectKernels& dk = f32_conv_direct_kernels();
  const F32GemmKernels& gk = *kernel_table().f32_gemm;
  ConvPhasedGeom g;
  g.in_h = g.in_w = s.h;
  g.kernel_h = g.kernel_w = s.k;
  g.stride_h = g.stride_w = s.s;
  g.pad_top = g.pad_left = s.p;
  g.out_h = g.out_w = (s.h + 2 * s.p - s.k) / s.s + 1;
  const int64_t taps = int64_t(s.k) * s.k, kd = s.c * taps, S = g.out_h * g.out_w;
  const auto x = random_floats(size_t(s.c) * s.h * s.h, rng), w = random_floats(size_t(s.m * kd), rng);
  const auto bias = random_floats(size_t(s.m), rng);
  std::vector<float> y(size_t(s.m * S)), y2(y.size());
  // --residual: every form also adds Z (like y) before the Relu, as ResNet's conv3 layers do.
  const auto z = random_floats(residual ? y.size() : 0, rng);
  const float* zp = residual ? z.data() : nullptr;
  g_rewarm = {{const_cast<float*>(x.data()), x.size()}, {const_cast<float*>(z.data()), z.size()}, {y.data(), y.size()}, {y2.data(), y2.size()}};

  std::vector<float> packed(f32_conv_direct_packed_size(s.m, kd, dk.mr));
  f32_conv_direct_pack_weights(s.m, kd, w.data(), dk.mr, packed.data());
  const bool in_place = s.k == 1 && s.s == 1 && s.p == 0;
  const ConvPhased p = in_place ? ConvPhased{s.h, s.h, int64_t(s.h) * s.h} : conv_phased_layout(g);
  std::vector<int64_t> toff(size_t(taps), 0);
  std::vector<float> xp(in_place ? 1 : size_t(p.size(s.c)));  // also the cv form's input
  if (!in_place) conv_phased_offsets(g, p, toff.data());
  ConvDirectArgs a = conv_direct_args(g, p, s.c, toff.data(), packed.data(), s.m, y.data());
  a.bias = bias.data();
  a.residual = zp;
  a.activation = Activation::Relu;
  auto direct = [&] {
    if (!in_place) conv_phased_fill(g, p, x.data(), 0, s.c, s.c, xp.data());
    a.x = in_place ? x.data() : xp.data();
    dk.run(a, 0, s.m, 0, a.positions());
  };

  // im2col in tiles of ~96K floats, as the backend's im2col path does, then gemm_packed_a.
  std::vector<float> pa(gk.packed_a_size(s.m, kd));
  gk.pack_a(s.m, kd, w.data(), kd, false, pa.data());
  ConvGeom cg;
  cg.nd = 2;
  cg.in[0] = cg.in[1] = s.h;
  cg.out[0] = g.out_h;
  cg.out[1] = g.out_w;
  cg.kernel[0] = cg.kernel[1] = s.k;
  cg.stride[0] = cg.stride[1] = s.s;
  cg.dilation[0] = cg.dilation[1] = 1;
  cg.pad[0] = cg.pad[1] = s.p;
  const int64_t tw = std::min<int64_t>(S, std::max<int64_t>(64, (96 * 1024 / kd + 15) / 16 * 16));
  std::vector<float> col(size_t(kd * tw));
  GemmEpilogue ep;
  ep.bias = bias.data();
  ep.bias_per_row = true;
  ep.residual = zp;
  ep.ldr = S;
  ep.activation = Activation::Relu;
  auto gemm = [&] {
    if (in_place) return gk.gemm_packed_a(s.m, S, kd, pa.data(), x.data(), S, false, y2.data(), S, 1, 0, ep);
    for (int64_t s0 = 0; s0 < S; s0 += tw) {
      const int64_t len = std::min(tw, S - s0);
      ember::backends::gemm_conv::im2col_2d(x.data(), s.c, cg, s0, s0 + len, col.data());
      GemmEpilogue e = ep;
      if (zp) e.residual = zp + s0;
      gk.gemm_packed_a(s.m, len, kd, pa.data(), col.data(), len, false, y2.data() + s0, S, 1, 0, e);
    }
  };

  // The channel-vector direct kernel: X itself for unpadded 1x1 layers (any stride), else the
  // phased input (filled by `direct` above with the same layout).
  const F32ConvDirectCvKernels& ck = f32_conv_direct_cv_kernels();
  std::vector<float> y3(y.size()), cpacked(f32_conv_direct_packed_size(s.m, kd, ck.nc));
  f32_conv_direct_pack_weights(s.m, kd, w.data(), ck.nc, cpacked.data());
  const bool unpadded_1x1 = s.k == 1 && s.p == 0;
  std::vector<int64_t> poff(static_cast<size_t>(S));
  if (unpadded_1x1) conv_position_offsets(g.out_h, g.out_w, int64_t(s.s) * s.h, s.s, poff.data());
  else conv_position_offsets(g.out_h, g.out_w, p.wq, 1, poff.data());
  ConvDirectCvArgs ca;
  ca.channels = s.c;
  ca.cstride = unpadded_1x1 ? int64_t(s.h) * s.h : p.cstride;
  ca.toff = toff.data();
  ca.taps = int(taps);
  ca.poff = poff.data();
  ca.positions = S;
  ca.w = cpacked.data();
  ca.m = s.m;
  ca.y = y3.data();
  ca.bias = bias.data();
  ca.residual = zp;
  ca.activation = Activation::Relu;
  auto cv = [&] {
    if (!unpadded_1x1) conv_phased_fill(g, p, x.data(), 0, s.c, s.c, xp.data());
    ca.x = unpadded_1x1 ? x.data() : xp.data();
    ck.run(ca, 0, s.m, 0, S);
  };
  double td, tg, tc;
  time_three(repeats, direct, gemm, cv, td, tg, tc);
  const double flop = 2.0 * double(s.m) * double(kd) * double(S);
  std::printf("%-24s direct %7.3f ms %5.1f GF/s | im2col+GEMM %7.3f ms %5.1f GF/s | cv %7.3f ms %5.1f GF/s | "
              "cv/best %.2f | diff %.1e %.1e\n",
              s.name, td * 1e3, flop / td * 1e-9, tg * 1e3, flop / tg * 1e-9, tc * 1e3, flop / tc * 1e-9,
              tc / std::min(td, tg), rel_diff(y, y2), rel_diff(y3, y2));

  // Short reductions (channels x taps of 16-32): the small-K entry against the faster of the
  // direct tile and the GEMM, X in place for 1x1 stride-1 layers, else the phased copy (filled
  // in the timed call, as `direct` does).
  const F32ConvSmallKKernels& sk = f32_conv_smallk_kernels();
  if (sk.run == f32_conv_smallk_generic_kernels().run || !sk.handles(kd)) return;
  std::vector<int64_t> koff(static_cast<size_t>(kd));
  for (int64_t c = 0; c < s.c; ++c)
    for (int64_t t = 0; t < taps; ++t) koff[size_t(c * taps + t)] = c * p.cstride + toff[size_t(t)];
  std::vector<float> y4(y.size());
  ConvSmallKArgs ka;
  ka.koff = koff.data();
  ka.k = kd;
  ka.row = p.wq;
  ka.w = w.data();
  ka.m = s.m;
  ka.out_h = g.out_h;
  ka.out_w = g.out_w;
  ka.y = y4.data();
  ka.bias = bias.data();
  ka.activation = Activation::Relu;
  auto smallk = [&] {
    if (!in_place) conv_phased_fill(g, p, x.data(), 0, s.c, s.c, xp.data());
    ka.x = in_place ? x.data() : xp.data();
    sk.run(ka, 0, S);
  };
  double tk;
  time_three(repeats, smallk, direct, gemm, tk, td, tg);
  std::printf("%-24s small-K %7.3f ms %5.1f GF/s (%s) | direct %7.3f | GEMM %7.3f | small-K/best %.2f | diff %.1e\n",
              s.name, tk * 1e3, flop / tk * 1e-9, sk.name, td * 1e3, tg * 1e3, tk / std::min(td, tg),
              rel_diff(y4, y2));
}

void bench_dw(const DwShape& l, int repeats, std::mt19937& rng) {
  const F32DwConvKernels& k = f32_dwconv_kernels();
  DwConv2dGeom g;
  g.in_h = g.in_w = l.h;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = l.s;
  g.pad_top = g.pad_left = 1;
  g.out_h = g.out_w = (l.h + 2 - 3) / l.s + 1;
  const int64_t in = int64_t(l.h) * l.h, out = g.out_h * g.out_w;
  const auto x = random_floats(size_t(l.c * in), rng), w = random_floats(size_t(l.c) * 9, rng);
  std::vector<float> y(size_t(l.c * out)), y2(y.size()), y3(y.size()), sc(dw_plane(g).size()), sc2(dw_block_scratch(g));
  DwEpilogue ep;
  ep.activation = Activation::Clip;
  ep.act_beta = 6.0f;
  DwBlockEpilogue be;
  be.activation = Activation::Clip;
  be.act_beta = 6.0f;
  const F32DwConv2dFn fn = k.pick(3, 3);
  auto per_channel = [&] {
    for (int c = 0; c < l.c; ++c) fn(g, x.data() + c * in, w.data() + c * 9, ep, y.data() + c * out, sc.data());
  };
  auto blocked = [&] {
    for (int c = 0; c < l.c; c += int(kDwBlock))
      k.dwconv_block(g, std::min<int64_t>(kDwBlock, l.c - c), x.data() + c * in, w.data() + c * 9, be,
                     y2.data() + c * out, sc2.data());
  };
  double tc, tb, tf = 0.0;
  if (k.dwconv_flat && dw_flat_fits(g)) {
    std::vector<float> sc3(dw_flat_scratch(g));
    auto flat = [&] { k.dwconv_flat(g, l.c, x.data(), w.data(), be, y3.data(), sc3.data()); };
    time_three(repeats, per_channel, blocked, flat, tc, tb, tf);
  } else {
    time_pair(repeats, per_channel, blocked, tc, tb);
  }
  std::printf("%-24s per-channel %7.3f ms (%s) | blocked %7.3f ms (%s) | ratio %.2f | diff %.1e", l.name, tc * 1e3,
              k.name_3x3, tb * 1e3, k.name_block, tb / tc, rel_diff(y2, y));
  if (tf > 0.0) std::printf(" | flat %7.3f ms (%s) | diff %.1e", tf * 1e3, k.name_flat, rel_diff(y3, y));
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 15;
  bool residual = false;
  const char* filter = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--residual")) residual = true;
    else if (!std::strcmp(argv[i], "--cold")) g_cold = true;
    else if (!std::strcmp(argv[i], "--cold-w")) g_cold = g_cold_w = true;
    else if (!std::strcmp(argv[i], "--help")) return std::printf("usage: ember_conv_bench [--repeats N] [--residual] [--cold | --cold-w] [FILTER]\n"), 0;
    else filter = argv[i];
  }
  const ConvShape convs[] = {
      {3, 224, 64, 7, 2, 3, "r50 stem 7x7 s2"},      {64, 56, 64, 3, 1, 1, "r50 3x3 56 64"},
      {128, 28, 128, 3, 1, 1, "r50 3x3 28 128"},     {256, 14, 256, 3, 1, 1, "r50 3x3 14 256"},
      {512, 7, 512, 3, 1, 1, "r50 3x3 7 512"},       {128, 56, 128, 3, 2, 1, "r50 3x3 s2 56 128"},
      {64, 56, 256, 1, 1, 0, "r50 1x1 56 64->256"},  {256, 56, 64, 1, 1, 0, "r50 1x1 56 256->64"},
      {256, 56, 512, 1, 2, 0, "r50 1x1 s2 256->512"}, {1024, 14, 256, 1, 1, 0, "r50 1x1 14 1024->256"},
      {2048, 7, 512, 1, 1, 0, "r50 1x1 7 2048->512"}, {512, 7, 2048, 1, 1, 0, "r50 1x1 7 512->2048"},
      {1024, 14, 2048, 1, 2, 0, "r50 1x1 s2 1024->2048"}, {512, 14, 512, 3, 2, 1, "r50 3x3 s2 14 512"},
      {256, 28, 256, 3, 2, 1, "r50 3x3 s2 28 256"},  {256, 14, 1024, 1, 1, 0, "r50 1x1 14 256->1024"},
      {512, 28, 1024, 1, 2, 0, "r50 1x1 s2 512->1024"}, {128, 28, 512, 1, 1, 0, "r50 1x1 28 128->512"},
      {512, 28, 128, 1, 1, 0, "r50 1x1 28 512->128"}, {3, 224, 32, 3, 2, 1, "mb stem 3x3 s2"},
      {32, 112, 16, 1, 1, 0, "mb 1x1 112 32->16"},    {16, 112, 96, 1, 1, 0, "mb 1x1 112 16->96"},
      {144, 56, 24, 1, 1, 0, "mb 1x1 56 144->24"},    {96, 56, 24, 1, 1, 0, "mb 1x1 56 96->24"},
      {24, 56, 144, 1, 1, 0, "mb 1x1 56 24->144"},    {32, 28, 192, 1, 1, 0, "mb 1x1 28 32->192"},    {960, 7, 160, 1, 1, 0, "mb 1x1 7 960->160"},
      {192, 28, 32, 1, 1, 0, "mb 1x1 28 192->32"},   {384, 14, 64, 1, 1, 0, "mb 1x1 14 384->64"},
      {576, 14, 96, 1, 1, 0, "mb 1x1 14 576->96"},   {384, 14, 96, 1, 1, 0, "mb 1x1 14 384->96"},
  };
  const DwShape dws[] = {{32, 112, 1, "mb dw 112 c32"}, {96, 112, 2, "mb dw 112 s2 c96"}, {144, 56, 1, "mb dw 56 c144"},
                         {144, 56, 2, "mb dw 56 s2 c144"}, {192, 28, 1, "mb dw 28 c192"}, {192, 28, 2, "mb dw 28 s2 c192"},
                         {384, 14, 1, "mb dw 14 c384"}, {576, 14, 2, "mb dw 14 s2 c576"}, {960, 7, 1, "mb dw 7 c960"}};
  std::mt19937 rng(7);
  std::printf("# one thread, thread CPU time, best of %d; direct: %s\n", repeats, f32_conv_direct_kernels().name);
  for (const ConvShape& s : convs)
    if (!filter || std::strstr(s.name, filter)) bench_conv(s, repeats, residual, rng);
  for (const DwShape& l : dws)
    if (!filter || std::strstr(l.name, filter)) bench_dw(l, repeats, rng);
  return 0;
}
