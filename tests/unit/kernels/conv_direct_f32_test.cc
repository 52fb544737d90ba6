// Every direct convolution entry (kernels/dispatch/f32_conv_direct.h: generic; AVX2 and AVX-512
// when this CPU has them; AVX-512 through SIMDe everywhere it is built) against a double-precision loop over the unpadded NCHW input: 1x1, 3x3, 7x7 and
// rectangular kernels, strides 1-3, dilations, asymmetric padding, output widths around the
// 16- and 32-position tiles, channel counts around the 6- and 8-row tiles, bias, residual, every activation,
// and position / channel ranges split the way the backend splits them over threads. Also the
// in-place form (1x1 stride 1: X read directly, last tile masked). Random inputs from
// test::rng() (seed printed by main). Tolerance: Tier::Close grown with the reduction length,
// relative to sum |w*x| + |bias| + |residual|.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::ConvDirectArgs;
using kernels::ConvPhasedGeom;
using kernels::F32ConvDirectKernels;

std::vector<const F32ConvDirectKernels*> tables() {
  std::vector<const F32ConvDirectKernels*> t{&kernels::f32_conv_direct_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) t.push_back(&kernels::avx2::f32_conv_direct_kernels());
  if (f & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_conv_direct_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_conv_direct_kernels());
#endif
  return t;
}

using Case = Conv2dCase;

// Runs entry `t` on case `k` (the output computed in `splits` x `splits` blocks of channels x
// positions, as threads would) and compares every output with the double loop.
void check_entry(const F32ConvDirectKernels& t, const Case& k, Activation act, float a, float b, bool residual,
                 int splits) {
  const ConvPhasedGeom g = conv2d_case_geom(k);
  const int64_t taps = k.kh * k.kw, kd = k.c * taps, plane = g.out_h * g.out_w;
  const auto x = uniform_floats(size_t(k.c * k.h * k.w));
  const auto w = uniform_floats(size_t(k.m * kd));
  const auto bias = uniform_floats(size_t(k.m));
  const auto z = uniform_floats(size_t(k.m * plane));
  std::vector<float> packed(kernels::f32_conv_direct_packed_size(k.m, kd, t.mr));
  kernels::f32_conv_direct_pack_weights(k.m, kd, w.data(), t.mr, packed.data());

  const bool in_place = k.kh == 1 && k.kw == 1 && k.sh == 1 && k.sw == 1 && k.pt + k.pl + k.pb + k.pr == 0;
  const kernels::ConvPhased p = in_place ? kernels::ConvPhased{k.h, k.w, k.h * k.w} : kernels::conv_phased_layout(g);
  std::vector<int64_t> toff(size_t(taps), 0);
  std::vector<float> xp;
  if (!in_place) {
    kernels::conv_phased_offsets(g, p, toff.data());
    xp.assign(size_t(p.size(k.c)), 777.0f);  // the fill must overwrite every float read
    kernels::conv_phased_fill(g, p, x.data(), 0, k.c / 2, k.c, xp.data());
    kernels::conv_phased_fill(g, p, x.data(), k.c / 2, k.c, k.c, xp.data());
  }
  std::vector<float> y(size_t(k.m * plane) + 1, 12345.0f);  // +1: guard after the output

  ConvDirectArgs args = kernels::conv_direct_args(g, p, k.c, toff.data(), packed.data(), k.m, y.data());
  args.x = in_place ? x.data() : xp.data();
  args.bias = bias.data();
  args.residual = residual ? z.data() : nullptr;
  args.activation = act;
  args.act_alpha = a;
  args.act_beta = b;
  const int64_t n = args.positions();
  const int64_t mb = ((k.m + splits - 1) / splits + t.mr - 1) / t.mr * t.mr;
  const int64_t nb = ((n + splits - 1) / splits + t.nr - 1) / t.nr * t.nr;
  for (int64_t m0 = 0; m0 < k.m; m0 += mb)
    for (int64_t j0 = 0; j0 < n; j0 += nb) t.run(args, m0, std::min(k.m, m0 + mb), j0, std::min(n, j0 + nb));
  CHECK(y.back() == 12345.0f);

  const ConvRefEpilogue ref{bias.data(), residual ? z.data() : nullptr, act, a, b};
  if (const auto bad = conv2d_dense_mismatch(k, x.data(), w.data(), y.data(), ref))
    FAIL_CHECK(t.name, " ", describe(k), " act=", int(act), " residual=", residual, " splits=", splits, " at (",
               bad->m, ",", bad->oy, ",", bad->ox, "): got ", bad->got, ", want ", bad->want, " (seed ", seed(), ")");
}

TEST_CASE("f32 direct conv: every entry against a direct loop, all geometries") {
  const std::vector<Case> cases = {
      {5, 9, 11, 7, 1, 1, 1, 1, 1, 0, 0, 0, 0},      // 1x1 in place, 99 positions (masked tail)
      {16, 8, 8, 13, 1, 1, 1, 1, 1, 0, 0, 0, 0},     // 1x1 in place, whole tiles
      {9, 13, 13, 16, 1, 1, 2, 2, 1, 0, 0, 0, 0},    // 1x1 stride 2 (ResNet downsample)
      {3, 17, 19, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},
      {4, 7, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1},      // 7x7 output: tiles span rows
      {7, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},       // 1x1 image, 3x3 kernel
      {5, 11, 7, 7, 3, 3, 2, 2, 1, 1, 0, 2, 1},      // stride 2, asymmetric pads
      {4, 15, 15, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2},     // dilation 2
      {3, 23, 23, 16, 7, 7, 2, 2, 1, 3, 3, 3, 3},    // ResNet stem shape, smaller
      {6, 9, 10, 9, 3, 2, 1, 2, 1, 0, 1, 1, 0},      // rectangular kernel, mixed strides
      {2, 13, 29, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1},     // stride 3
      {11, 10, 20, 17, 3, 3, 1, 1, 1, 0, 0, 0, 0},   // no padding
      {33, 14, 14, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // channels past one tile
      {12, 9, 37, 24, 1, 1, 1, 1, 1, 0, 0, 0, 0},    // 1x1 in place, rows past 32 wide, 3 x 8 rows
      {3, 31, 33, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1},     // MobileNet-like stem, 8-row tile + 1
      // Stride 2 on rows wide enough for the fill's paired columns (64+ per phase): odd width,
      // padding on the right only, more on the left than the right, a 7x7 kernel; and an input
      // narrower than the padding (one phase with no inside columns, the per-phase fill).
      {2, 5, 131, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1},
      {2, 4, 140, 3, 3, 3, 2, 2, 1, 0, 0, 1, 1},
      {2, 3, 133, 5, 3, 3, 2, 2, 1, 1, 2, 1, 0},
      {1, 9, 129, 4, 7, 7, 2, 2, 1, 3, 3, 3, 3},
      {2, 5, 1, 4, 3, 3, 2, 2, 1, 2, 2, 2, 2},
  };
  for (const F32ConvDirectKernels* t : tables())
    for (const Case& k : cases)
      for (bool residual : {false, true})
        for (int splits : {1, 2, 3}) check_entry(*t, k, Activation::None, 0, 0, residual, splits);
}

TEST_CASE("f32 direct conv: every activation in every entry") {
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::Relu, 0, 0},        {Activation::LeakyRelu, 0.1f, 0},  {Activation::Clip, 0.0f, 0.6f},
                      {Activation::Sigmoid, 0, 0},     {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},          {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32ConvDirectKernels* t : tables())
    for (const Act& a : acts) {
      check_entry(*t, {5, 9, 21, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1}, a.a, a.p0, a.p1, true, 2);
      check_entry(*t, {6, 5, 7, 7, 1, 1, 1, 1, 1, 0, 0, 0, 0}, a.a, a.p0, a.p1, true, 1);
    }
}

TEST_CASE("f32 direct conv: the table honours the ISA cap") {
  const F32ConvDirectKernels g = kernels::make_f32_conv_direct_kernels(kernels::cpu_features(), kernels::Isa::Generic);
  CHECK(std::string(g.name) == "f32_conv_direct_6x16__generic");
}

}  // namespace
}  // namespace ember::test
