// Every channel-vector direct convolution entry (kernels/dispatch/f32_conv_direct_cv.h: generic;
// AVX2 and AVX-512 when this CPU has them; AVX-512 through SIMDe everywhere it is built) against
// a double-precision loop over the unpadded NCHW input. Over the phased input: 3x3, 7x7 and
// rectangular kernels, strides 1-3, dilation, asymmetric padding; in place on X: unpadded 1x1
// layers of strides 1-3. Position counts around the 4- and 7-position tiles and the 8-tile
// chunks, output channels around the 24- and 64-channel strips, input channels past one
// L1-sized weight block (for 1x1 and 3x3 on every entry), no input channels at all, bias,
// residual, every activation, and channel / position ranges split the way the backend splits
// them over threads. Random inputs from test::rng() (seed printed by main). Tolerance:
// Tier::Close grown with the reduction length, relative to sum |w*x| + |bias| + |residual|.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_conv_direct_cv.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::ConvDirectCvArgs;
using kernels::ConvPhasedGeom;
using kernels::F32ConvDirectCvKernels;

std::vector<const F32ConvDirectCvKernels*> tables() {
  std::vector<const F32ConvDirectCvKernels*> t{&kernels::f32_conv_direct_cv_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) t.push_back(&kernels::avx2::f32_conv_direct_cv_kernels());
  if (f & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_conv_direct_cv_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_conv_direct_cv_kernels());
#endif
  return t;
}

// Runs entry `t` on case `k` (in place on X when `in_place`, else over the phased input), the
// output computed in `splits` x `splits` blocks of channel strips x positions as threads would,
// and compares every output with the double loop.
void check_entry(const F32ConvDirectCvKernels& t, const Conv2dCase& k, bool in_place, Activation act, float a,
                 float b, bool residual, int splits) {
  const ConvPhasedGeom g = conv2d_case_geom(k);
  const int64_t taps = k.kh * k.kw, kd = k.c * taps, plane = g.out_h * g.out_w;
  const auto x = uniform_floats(size_t(k.c * k.h * k.w));
  const auto w = uniform_floats(size_t(k.m * kd));
  const auto bias = uniform_floats(size_t(k.m));
  const auto z = uniform_floats(size_t(k.m * plane));
  std::vector<float> packed(kernels::f32_conv_direct_packed_size(k.m, kd, t.nc));
  kernels::f32_conv_direct_pack_weights(k.m, kd, w.data(), t.nc, packed.data());

  std::vector<int64_t> toff(static_cast<size_t>(taps), 0), poff(static_cast<size_t>(plane));
  std::vector<float> xp;
  ConvDirectCvArgs args;
  if (in_place) {
    REQUIRE(k.kh * k.kw == 1);
    args.x = x.data();
    args.cstride = k.h * k.w;
    kernels::conv_position_offsets(g.out_h, g.out_w, k.sh * k.w, k.sw, poff.data());
  } else {
    const kernels::ConvPhased p = kernels::conv_phased_layout(g);
    kernels::conv_phased_offsets(g, p, toff.data());
    xp.assign(size_t(p.size(k.c)), 777.0f);  // the fill must overwrite every float read
    kernels::conv_phased_fill(g, p, x.data(), 0, k.c, k.c, xp.data());
    args.x = xp.data();
    args.cstride = p.cstride;
    kernels::conv_position_offsets(g.out_h, g.out_w, p.wq, 1, poff.data());
  }
  std::vector<float> y(size_t(k.m * plane) + 1, 12345.0f);  // +1: guard after the output
  args.channels = k.c;
  args.toff = toff.data();
  args.taps = int(taps);
  args.poff = poff.data();
  args.positions = plane;
  args.w = packed.data();
  args.m = k.m;
  args.y = y.data();
  args.bias = bias.data();
  args.residual = residual ? z.data() : nullptr;
  args.activation = act;
  args.act_alpha = a;
  args.act_beta = b;
  const int64_t mb = ((k.m + splits - 1) / splits + t.nc - 1) / t.nc * t.nc;
  const int64_t nb = (plane + splits - 1) / splits;  // any position range
  for (int64_t m0 = 0; m0 < k.m; m0 += mb)
    for (int64_t p0 = 0; p0 < plane; p0 += nb) t.run(args, m0, std::min(k.m, m0 + mb), p0, std::min(plane, p0 + nb));
  CHECK(y.back() == 12345.0f);

  const ConvRefEpilogue ref{bias.data(), residual ? z.data() : nullptr, act, a, b};
  if (const auto bad = conv2d_dense_mismatch(k, x.data(), w.data(), y.data(), ref))
    FAIL_CHECK(std::string(t.name), " ", describe(k), " in_place=", in_place, " act=", int(act), " residual=", residual,
               " splits=", splits, " at (", bad->m, ",", bad->oy, ",", bad->ox, "): got ", bad->got, ", want ",
               bad->want, " (seed ", seed(), ")");
}

TEST_CASE("f32 direct conv, channel-vector: every entry against a direct loop, all geometries") {
  struct Row {
    Conv2dCase k;
    bool in_place;
  };
  const std::vector<Row> cases = {
      {{4, 7, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1}, false},      // ResNet layer4 3x3, smaller
      {{33, 9, 9, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1}, false},     // 81 positions: past one 8-tile chunk
      {{40, 14, 14, 65, 3, 3, 2, 2, 1, 1, 1, 1, 1}, false},   // stride 2, strips of 64 + 1, 37 channels / block
      {{5, 11, 7, 7, 3, 3, 2, 2, 1, 1, 0, 2, 1}, false},      // stride 2, asymmetric pads
      {{4, 15, 15, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2}, false},     // dilation 2
      {{3, 23, 23, 16, 7, 7, 2, 2, 1, 3, 3, 3, 3}, false},    // ResNet stem shape, smaller
      {{6, 9, 10, 25, 3, 2, 1, 2, 1, 0, 1, 1, 0}, false},     // rectangular kernel, mixed strides
      {{2, 13, 29, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1}, false},     // stride 3
      {{7, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1}, false},       // one position
      {{0, 5, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1}, false},       // no input channels: bias (+ Z) only
      {{9, 13, 13, 16, 1, 1, 1, 1, 1, 0, 0, 0, 0}, false},    // 1x1 over the phased input
      {{300, 7, 7, 64, 1, 1, 1, 1, 1, 0, 0, 0, 0}, true},     // 1x1 in place, 300 channels: 3 blocks of 128
      {{400, 5, 6, 49, 1, 1, 1, 1, 1, 0, 0, 0, 0}, true},     // 1x1 in place, past the AVX2 341-channel block
      {{24, 14, 14, 130, 1, 1, 2, 2, 1, 0, 0, 0, 0}, true},   // 1x1 stride 2 in place (ResNet downsample)
      {{11, 13, 14, 23, 1, 1, 3, 2, 1, 0, 0, 0, 0}, true},    // 1x1 strides 3, 2 in place
  };
  for (const F32ConvDirectCvKernels* t : tables())
    for (const Row& r : cases)
      for (bool residual : {false, true})
        for (int splits : {1, 2, 3}) check_entry(*t, r.k, r.in_place, Activation::None, 0, 0, residual, splits);
}

TEST_CASE("f32 direct conv, channel-vector: every activation in every entry") {
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::Relu, 0, 0},        {Activation::LeakyRelu, 0.1f, 0},  {Activation::Clip, 0.0f, 0.6f},
                      {Activation::Sigmoid, 0, 0},     {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},          {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32ConvDirectCvKernels* t : tables())
    for (const Act& a : acts)
      for (bool residual : {false, true}) {
        check_entry(*t, {5, 9, 8, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1}, false, a.a, a.p0, a.p1, residual, 2);
        check_entry(*t, {6, 5, 7, 30, 1, 1, 2, 1, 1, 0, 0, 0, 0}, true, a.a, a.p0, a.p1, residual, 1);
      }
}

TEST_CASE("f32 direct conv, channel-vector: position offsets and the ISA cap") {
  std::vector<int64_t> poff(6);
  kernels::conv_position_offsets(2, 3, 20, 2, poff.data());
  CHECK(poff == std::vector<int64_t>{0, 2, 4, 20, 22, 24});
  const F32ConvDirectCvKernels g =
      kernels::make_f32_conv_direct_cv_kernels(kernels::cpu_features(), kernels::Isa::Generic);
  CHECK(std::string(g.name) == "f32_conv_direct_cv_1x16__generic");
}

}  // namespace
}  // namespace ember::test
