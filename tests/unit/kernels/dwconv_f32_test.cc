// Every depthwise convolution entry (generic; AVX2 and native AVX-512 when this CPU has them;
// AVX-512 via SIMDe always) against a direct double-precision loop over the unpadded input:
// 3x3, 5x5 and other kernel sizes, strides 1-3, dilations, asymmetric padding, output widths
// around the vector lengths, bias, residual and every activation. Random inputs come from
// test::rng() (seed printed by main). Tolerance: Tier::Close grown with the tap count,
// relative to sum |w*x| + |bias| + |residual| (cancellation can make the result tiny).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_conv.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::DwConv2dGeom;
using kernels::F32DwConvKernels;

std::vector<const F32DwConvKernels*> tables() {
  std::vector<const F32DwConvKernels*> t{&kernels::f32_dwconv_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if ((f & kernels::kCpuAvx2) && (f & kernels::kCpuFma)) t.push_back(&kernels::avx2::f32_dwconv_kernels());
  if (f & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_dwconv_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_dwconv_kernels());
#endif
  return t;
}

std::vector<float> random_floats(size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng());
  return v;
}

DwConv2dGeom geom(int64_t h, int64_t w, int64_t k_h, int64_t k_w, int64_t s_h, int64_t s_w, int64_t d,
                  int64_t pt, int64_t pl, int64_t pb, int64_t pr) {
  DwConv2dGeom g;
  g.in_h = h;
  g.in_w = w;
  g.kernel_h = k_h;
  g.kernel_w = k_w;
  g.stride_h = s_h;
  g.stride_w = s_w;
  g.dilation_h = g.dilation_w = d;
  g.pad_top = pt;
  g.pad_left = pl;
  g.out_h = (h + pt + pb - ((k_h - 1) * d + 1)) / s_h + 1;
  g.out_w = (w + pl + pr - ((k_w - 1) * d + 1)) / s_w + 1;
  return g;
}

std::string describe(const DwConv2dGeom& g) {
  return "in=" + std::to_string(g.in_h) + "x" + std::to_string(g.in_w) + " k=" + std::to_string(g.kernel_h) + "x" +
         std::to_string(g.kernel_w) + " s=" + std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) +
         " d=" + std::to_string(g.dilation_h) + " pad=" + std::to_string(g.pad_top) + "," + std::to_string(g.pad_left) +
         " out=" + std::to_string(g.out_h) + "x" + std::to_string(g.out_w);
}

void check_entry(const F32DwConvKernels& t, const DwConv2dGeom& g, Activation act, float a, float b,
                 bool residual) {
  const auto x = random_floats(size_t(g.in_h * g.in_w));
  const auto w = random_floats(size_t(g.kernel_h * g.kernel_w));
  const auto z = random_floats(size_t(g.out_h * g.out_w));
  const float bias = 0.25f;
  kernels::DwEpilogue ep;
  ep.bias = bias;
  ep.residual = residual ? z.data() : nullptr;
  ep.activation = act;
  ep.act_alpha = a;
  ep.act_beta = b;
  std::vector<float> scratch(kernels::dw_plane(g).size() + 1);
  std::vector<float> y(size_t(g.out_h * g.out_w) + 1, 12345.0f);  // +1: guard after the output
  t.pick(g.kernel_h, g.kernel_w)(g, x.data(), w.data(), ep, y.data(), scratch.data());
  CHECK(y.back() == 12345.0f);
  for (int64_t oy = 0; oy < g.out_h; ++oy)
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      ConvRefSum sum;
      conv2d_ref_taps(g, x.data(), w.data(), oy, ox, sum);
      const size_t at = size_t(oy * g.out_w + ox);
      double want = 0.0;
      if (!conv2d_ref_matches(y[at], sum, bias, residual ? &z[at] : nullptr, act, a, b, g.kernel_h * g.kernel_w, want)) {
        FAIL_CHECK(t.name_for(g.kernel_h, g.kernel_w), " ", describe(g), " act=", int(act), " residual=", residual,
                   " at (", oy, ",", ox, "): got ", y[at], ", want ", want, " (seed ", seed(), ")");
        return;
      }
    }
}

TEST_CASE("f32 depthwise conv: every entry against a direct loop, all geometries") {
  std::vector<DwConv2dGeom> geoms;
  for (int64_t k : {3, 5})
    for (int64_t s : {1, 2})
      for (int64_t w : {1, 7, 8, 15, 16, 17, 31, 33, 63})
        geoms.push_back(geom(9, w, k, k, s, s, 1, k / 2, k / 2, k / 2, k / 2));
  geoms.push_back(geom(12, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2));   // dilation
  geoms.push_back(geom(11, 29, 3, 3, 2, 2, 1, 0, 1, 1, 0));   // TF-style asymmetric padding
  geoms.push_back(geom(10, 20, 3, 3, 1, 1, 1, 0, 0, 0, 0));   // no padding
  geoms.push_back(geom(13, 27, 7, 7, 3, 3, 1, 3, 3, 3, 3));   // other size, stride 3
  geoms.push_back(geom(6, 19, 1, 4, 1, 2, 1, 0, 2, 0, 1));    // rectangular
  geoms.push_back(geom(4, 9, 9, 9, 1, 1, 1, 4, 4, 4, 4));     // 81 taps: the generic fallback
  geoms.push_back(geom(112, 112, 3, 3, 2, 2, 1, 0, 0, 1, 1)); // MobileNetV2 stride-2 shape
  geoms.push_back(geom(9, 70, 7, 7, 2, 2, 1, 3, 3, 3, 3));    // stride 2, odd left pad: vector split
  geoms.push_back(geom(8, 50, 3, 3, 2, 2, 2, 2, 2, 2, 2));    // stride 2 and dilation 2
  // Tall planes: the x86 entries fill and convolve strides 1 and 2 in bands of rows (24 KB of
  // padded rows each), so these cross several band edges.
  geoms.push_back(geom(300, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(301, 37, 5, 5, 2, 2, 1, 2, 2, 2, 2));
  geoms.push_back(geom(260, 33, 3, 3, 1, 1, 2, 2, 2, 2, 2));  // dilation 2
  geoms.push_back(geom(283, 45, 3, 3, 2, 2, 1, 0, 1, 1, 0));  // asymmetric padding
  geoms.push_back(geom(250, 30, 3, 3, 2, 1, 1, 1, 1, 1, 1));  // stride 2 down, 1 across
  // 3x3 stride 1 pad 1 reads the input in place (x86): one and two rows, rows of one vector
  // plus one column, MobileNetV2's 56x56.
  geoms.push_back(geom(1, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(3, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  // ... with rows of one or two vectors on AVX-512 (masks set once per call): even heights,
  // MobileNetV2's 14x14 and 28x28, the widest of each (16, 32).
  geoms.push_back(geom(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(4, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(6, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  geoms.push_back(geom(5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1));
  // 3x3 stride 2 pad 1 at most 8 wide: two output rows per vector on AVX-512. MobileNetV2's
  // 14 -> 7, odd and even heights and widths, no bottom/right padding, one row, one column.
  geoms.push_back(geom(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  geoms.push_back(geom(13, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  geoms.push_back(geom(16, 16, 3, 3, 2, 2, 1, 1, 1, 0, 0));
  geoms.push_back(geom(17, 17, 3, 3, 2, 2, 1, 1, 1, 0, 0));
  geoms.push_back(geom(12, 10, 3, 3, 2, 2, 1, 1, 1, 1, 0));
  geoms.push_back(geom(1, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  geoms.push_back(geom(6, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  // ... and 9 to 16 wide: one vector per row. MobileNetV2's 28 -> 14, the widest (32 -> 16 with
  // no right padding), odd sizes, two rows.
  geoms.push_back(geom(28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  geoms.push_back(geom(5, 32, 3, 3, 2, 2, 1, 1, 1, 0, 0));
  geoms.push_back(geom(29, 27, 3, 3, 2, 2, 1, 1, 1, 0, 0));
  geoms.push_back(geom(4, 19, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  geoms.push_back(geom(3, 25, 3, 3, 2, 2, 1, 1, 1, 1, 1));
  for (const F32DwConvKernels* t : tables())
    for (const DwConv2dGeom& g : geoms)
      for (bool residual : {false, true}) check_entry(*t, g, Activation::None, 0, 0, residual);
}

TEST_CASE("f32 depthwise conv: every activation in every entry") {
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::Relu, 0, 0},        {Activation::LeakyRelu, 0.1f, 0},  {Activation::Clip, 0.0f, 0.6f},
                      {Activation::Sigmoid, 0, 0},     {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},          {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32DwConvKernels* t : tables())
    for (const Act& a : acts)
      for (int64_t k : {3, 5, 4}) {
        check_entry(*t, geom(7, 21, k, k, 1, 1, 1, 1, 1, 2, 2), a.a, a.p0, a.p1, true);
        check_entry(*t, geom(7, 21, k, k, 1, 1, 1, k / 2, k / 2, k / 2, k / 2), a.a, a.p0, a.p1, false);
      }
  // The 3x3 pad-1 forms by width (AVX-512: in place stride 1 with rows of one vector; stride 2
  // with two rows per vector, rows of one and of two vectors).
  for (const F32DwConvKernels* t : tables())
    for (const Act& a : acts) {
      check_entry(*t, geom(7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1), a.a, a.p0, a.p1, true);
      check_entry(*t, geom(9, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1), a.a, a.p0, a.p1, true);
      check_entry(*t, geom(7, 21, 3, 3, 2, 2, 1, 1, 1, 1, 1), a.a, a.p0, a.p1, false);
      check_entry(*t, geom(7, 50, 3, 3, 2, 2, 1, 1, 1, 1, 1), a.a, a.p0, a.p1, true);
    }
}

// A multi-channel entry (`run`: the channel-blocked or the flat form) on `ch` channels against
// the same double loop, channel by channel. The scratch starts as `scratch_fill` (NaN for the
// flat form: a lane read from outside the filled phase planes would show).
template <class Run>
void check_channels(const std::string& name, Run run, size_t scratch_size, float scratch_fill, const DwConv2dGeom& g,
                    int64_t ch, Activation act, float a, float b, bool residual) {
  const int64_t in = g.in_h * g.in_w, out = g.out_h * g.out_w, taps = g.kernel_h * g.kernel_w;
  const auto x = random_floats(size_t(ch * in));
  const auto w = random_floats(size_t(ch * taps));
  const auto z = random_floats(size_t(ch * out));
  const auto bias = random_floats(size_t(ch));
  kernels::DwBlockEpilogue ep;
  ep.bias = bias.data();
  ep.residual = residual ? z.data() : nullptr;
  ep.activation = act;
  ep.act_alpha = a;
  ep.act_beta = b;
  std::vector<float> scratch(scratch_size, scratch_fill);
  std::vector<float> y(size_t(ch * out) + 1, 12345.0f);  // +1: guard after the output
  run(g, ch, x.data(), w.data(), ep, y.data(), scratch.data());
  CHECK(y.back() == 12345.0f);
  for (int64_t c = 0; c < ch; ++c)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        ConvRefSum sum;
        conv2d_ref_taps(g, x.data() + c * in, w.data() + c * taps, oy, ox, sum);
        const size_t at = size_t(c * out + oy * g.out_w + ox);
        double want = 0.0;
        if (!conv2d_ref_matches(y[at], sum, bias[size_t(c)], residual ? &z[at] : nullptr, act, a, b, taps, want)) {
          FAIL_CHECK(name, " ", describe(g), " ch=", ch, " act=", int(act), " residual=", residual, " at (", c, ",",
                     oy, ",", ox, "): got ", y[at], ", want ", want, " (seed ", seed(), ")");
          return;
        }
      }
}

void check_block(const F32DwConvKernels& t, const DwConv2dGeom& g, int64_t ch, Activation act, float a, float b,
                 bool residual) {
  check_channels(t.name_block, t.dwconv_block, kernels::dw_block_scratch(g), 555.0f, g, ch, act, a, b, residual);
}

TEST_CASE("f32 depthwise conv: the channel-blocked entry, all geometries, 1 to 8 channels") {
  std::vector<DwConv2dGeom> geoms;
  for (int64_t k : {3, 5})
    for (int64_t s : {1, 2})
      for (int64_t w : {1, 7, 8, 9, 15, 16, 17, 29})
        geoms.push_back(geom(7, w, k, k, s, s, 1, k / 2, k / 2, k / 2, k / 2));
  geoms.push_back(geom(12, 20, 3, 3, 1, 1, 2, 2, 2, 2, 2));   // dilation
  geoms.push_back(geom(11, 29, 3, 3, 2, 2, 1, 0, 1, 1, 0));   // TF-style asymmetric padding
  geoms.push_back(geom(10, 20, 3, 3, 1, 1, 1, 0, 0, 0, 0));   // no padding
  geoms.push_back(geom(13, 27, 7, 7, 3, 3, 1, 3, 3, 3, 3));   // other size, stride 3
  geoms.push_back(geom(6, 19, 1, 4, 1, 2, 1, 0, 2, 0, 1));    // rectangular
  geoms.push_back(geom(4, 9, 9, 9, 1, 1, 1, 4, 4, 4, 4));     // 81 taps: the generic fallback
  for (const F32DwConvKernels* t : tables()) {
    if (!t->dwconv_block) continue;  // an ISA entry may leave it to a lower level's
    for (const DwConv2dGeom& g : geoms)
      for (int64_t ch : {1, 5, 8}) check_block(*t, g, ch, Activation::None, 0, 0, ch == 5);
  }
  const F32DwConvKernels best = kernels::f32_dwconv_kernels();
  REQUIRE(bool(best.dwconv_block));
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::Relu, 0, 0}, {Activation::Clip, 0.0f, 6.0f}, {Activation::HardSwish, 0, 0},
                      {Activation::Sigmoid, 0, 0}, {Activation::LeakyRelu, 0.1f, 0}};
  for (const Act& a : acts) check_block(best, geom(9, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1), 7, a.a, a.p0, a.p1, true);
}

void check_flat(const F32DwConvKernels& t, const DwConv2dGeom& g, int64_t ch, Activation act, float a, float b,
                bool residual) {
  REQUIRE(kernels::dw_flat_fits(g));
  check_channels(t.name_flat, t.dwconv_flat, kernels::dw_flat_scratch(g), std::nanf(""), g, ch, act, a, b, residual);
}

TEST_CASE("f32 depthwise conv: the flat entry, strides 1 and 2, odd sizes, 1 to 9 channels") {
  std::vector<DwConv2dGeom> geoms;
  for (int64_t k : {3, 5})
    for (int64_t w : {1, 2, 7, 14, 15, 16, 17, 28, 33}) {
      geoms.push_back(geom(w, w, k, k, 1, 1, 1, k / 2, k / 2, k / 2, k / 2));  // square, "same"
      geoms.push_back(geom(5, w, k, k, 2, 2, 1, k / 2, k / 2, k / 2, k / 2));  // stride 2, even / odd width
    }
  geoms.push_back(geom(14, 14, 3, 3, 2, 2, 1, 0, 0, 1, 1));   // TF-style asymmetric padding (bottom / right)
  geoms.push_back(geom(13, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1));   // odd height and width
  geoms.push_back(geom(12, 20, 3, 3, 1, 1, 2, 2, 2, 2, 2));   // dilation 2
  geoms.push_back(geom(16, 16, 3, 3, 2, 2, 2, 2, 2, 1, 1));   // stride 2 and dilation 2
  geoms.push_back(geom(9, 11, 1, 3, 1, 1, 1, 0, 1, 0, 1));    // rectangular
  geoms.push_back(geom(8, 9, 7, 7, 1, 1, 1, 3, 3, 3, 3));     // 49 taps, larger than the plane
  geoms.push_back(geom(3, 13, 3, 3, 1, 1, 1, 0, 1, 0, 1));    // no rows of padding: out_h < in_h
  geoms.push_back(geom(40, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1));    // tall and narrow
  for (const F32DwConvKernels* t : tables()) {
    if (!t->dwconv_flat) continue;  // the generic table has none
    for (const DwConv2dGeom& g : geoms)
      for (int64_t ch : {1, 2, 9}) check_flat(*t, g, ch, Activation::None, 0, 0, ch == 9);
    struct Act { Activation a; float p0, p1; };
    const Act acts[] = {{Activation::Relu, 0, 0}, {Activation::Clip, 0.0f, 6.0f}, {Activation::HardSwish, 0, 0},
                        {Activation::Sigmoid, 0, 0}, {Activation::LeakyRelu, 0.1f, 0}, {Activation::Gelu, 0, 0}};
    for (const Act& a : acts) {
      check_flat(*t, geom(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1), 3, a.a, a.p0, a.p1, true);
      check_flat(*t, geom(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1), 3, a.a, a.p0, a.p1, false);
    }
  }
}

TEST_CASE("f32 depthwise conv: which geometries the flat entry takes") {
  CHECK(kernels::dw_flat_fits(geom(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
  CHECK(kernels::dw_flat_fits(geom(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
  CHECK(kernels::dw_flat_fits(geom(15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
  CHECK_FALSE(kernels::dw_flat_fits(geom(14, 14, 3, 3, 1, 1, 1, 0, 0, 0, 0)));  // out_w != in_w
  CHECK_FALSE(kernels::dw_flat_fits(geom(15, 15, 3, 3, 2, 2, 1, 0, 0, 0, 0)));  // 8 phase columns, 7 outputs
  CHECK_FALSE(kernels::dw_flat_fits(geom(13, 27, 7, 7, 3, 3, 1, 3, 3, 3, 3)));  // stride 3
  CHECK_FALSE(kernels::dw_flat_fits(geom(20, 20, 3, 3, 2, 1, 1, 1, 1, 1, 1)));  // strides differ
  CHECK_FALSE(kernels::dw_flat_fits(geom(4, 9, 9, 9, 1, 1, 1, 4, 4, 4, 4)));    // 81 taps
  for (const F32DwConvKernels* t : tables())
    if (t->prefers_flat)
      for (int64_t w : {7, 14, 28, 56, 112})
        for (int64_t s : {1, 2}) {
          const DwConv2dGeom g = geom(w, w, 3, 3, s, s, 1, 1, 1, 1, 1);
          CHECK((!t->prefers_flat(g) || kernels::dw_flat_fits(g)));
        }
}

TEST_CASE("f32 depthwise conv: the table honours the ISA cap") {
  const F32DwConvKernels g = kernels::make_f32_dwconv_kernels(kernels::cpu_features(), kernels::Isa::Generic);
  CHECK(std::string(g.name_3x3) == "f32_dwconv3x3__generic");
  CHECK(std::string(g.name_for(5, 5)) == "f32_dwconv5x5__generic");
  CHECK(std::string(g.name_for(7, 7)) == "f32_dwconv__generic");
  CHECK(std::string(g.name_block) == "f32_dwconv_c8__generic");
  CHECK(!g.dwconv_flat);
  CHECK(!g.prefers_flat);
}

}  // namespace
}  // namespace ember::test
