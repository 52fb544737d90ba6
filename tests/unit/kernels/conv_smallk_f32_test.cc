// Every short-reduction convolution entry (kernels/dispatch/f32_conv_smallk.h: generic; AVX-512
// when this CPU has it; AVX-512 through SIMDe everywhere it is built) against a double-precision
// loop over the unpadded NCHW input: 1x1 layers read in place and spatial layers over the
// phased input (3x3 stride 2 pad 1 like MobileNet's stem, stride 1, asymmetric pads, dilation),
// every reduction length the entry handles, output channel counts around the 8-channel group
// (1, 7, 8, 17, 40), output widths around the 16-position vector (rows never share a vector),
// position ranges split the way the backend splits them over threads, with and without bias and
// residual, every activation. Random inputs from test::rng() (seed printed by main). Tolerance:
// Tier::Close grown with the reduction length, relative to sum |w*x| + |bias| + |residual|.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/dispatch/f32_conv_smallk.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::ConvSmallKArgs;
using kernels::F32ConvSmallKKernels;

std::vector<const F32ConvSmallKKernels*> tables() {
  std::vector<const F32ConvSmallKKernels*> t{&kernels::f32_conv_smallk_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  if (kernels::cpu_features() & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_conv_smallk_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_conv_smallk_kernels());
#endif
  return t;
}

struct Epi {
  bool bias = true, residual = false;
  Activation act = Activation::None;
  float alpha = 0.0f, beta = 0.0f;
};

// Runs entry `t` on case `k` (X in place for 1x1 stride-1 unpadded cases, else the phased
// input), positions split in `splits` ranges of whole vectors, and compares every output.
void check_entry(const F32ConvSmallKKernels& t, const Conv2dCase& k, const Epi& e, int splits) {
  const kernels::ConvPhasedGeom g = conv2d_case_geom(k);
  const int64_t taps = k.kh * k.kw, kd = k.c * taps, plane = g.out_h * g.out_w;
  REQUIRE(t.handles(kd));
  const auto x = uniform_floats(size_t(k.c * k.h * k.w));
  const auto w = uniform_floats(size_t(k.m * kd));
  const auto bias = uniform_floats(size_t(k.m));
  const auto z = uniform_floats(size_t(k.m * plane));
  const bool in_place = taps == 1 && k.sh == 1 && k.sw == 1 && k.pt + k.pl + k.pb + k.pr == 0;
  std::vector<int64_t> toff(static_cast<size_t>(taps), 0), koff(static_cast<size_t>(kd), 0);
  std::vector<float> xp;
  ConvSmallKArgs a;
  if (in_place) {
    for (int64_t c = 0; c < k.c; ++c) koff[size_t(c)] = c * k.h * k.w;
    a.x = x.data();
    a.row = k.w;
  } else {
    const kernels::ConvPhased p = kernels::conv_phased_layout(g);
    kernels::conv_phased_offsets(g, p, toff.data());
    xp.assign(size_t(p.size(k.c)), 777.0f);  // the fill must overwrite every float read
    kernels::conv_phased_fill(g, p, x.data(), 0, k.c, k.c, xp.data());
    for (int64_t c = 0; c < k.c; ++c)
      for (int64_t tap = 0; tap < taps; ++tap) koff[size_t(c * taps + tap)] = c * p.cstride + toff[size_t(tap)];
    a.x = xp.data();
    a.row = p.wq;
  }
  std::vector<float> y(size_t(k.m * plane) + 1, 12345.0f);  // +1: guard after the output
  a.koff = koff.data();
  a.k = kd;
  a.w = w.data();
  a.m = k.m;
  a.out_h = g.out_h;
  a.out_w = g.out_w;
  a.y = y.data();
  a.bias = e.bias ? bias.data() : nullptr;
  a.residual = e.residual ? z.data() : nullptr;
  a.activation = e.act;
  a.act_alpha = e.alpha;
  a.act_beta = e.beta;
  // Ranges of whole 16-position vectors, as the backend splits them (the last one ragged).
  const int64_t vectors = (plane + 15) / 16, per = (vectors + splits - 1) / splits;
  for (int64_t v = 0; v < vectors; v += per) t.run(a, v * 16, std::min(plane, (v + per) * 16));
  CHECK(y.back() == 12345.0f);

  ConvRefEpilogue ref;
  ref.bias = e.bias ? bias.data() : nullptr;
  ref.residual = e.residual ? z.data() : nullptr;
  ref.act = e.act;
  ref.alpha = e.alpha;
  ref.beta = e.beta;
  if (const auto bad = conv2d_dense_mismatch(k, x.data(), w.data(), y.data(), ref))
    FAIL_CHECK(std::string(t.name), " ", describe(k), " bias=", e.bias, " residual=", e.residual, " act=", int(e.act),
               " splits=", splits, " at (", bad->m, ",", bad->oy, ",", bad->ox, "): got ", bad->got, ", want ",
               bad->want, " (seed ", seed(), ")");
}

// 1x1 cases over `channels` inputs and spatial cases whose channels x taps make `kd` (when
// some do): the shapes every handled length is checked on.
std::vector<Conv2dCase> cases_for(int64_t kd, int64_t m) {
  std::vector<Conv2dCase> v = {
      {kd, 1, 1, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},    // one position
      {kd, 3, 7, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},    // 21 positions: one vector and a tail
      {kd, 9, 16, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},   // rows of exactly one vector
      {kd, 5, 29, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},   // rows of a vector and a 13-wide tail
      {kd, 12, 12, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},  // MobileNet-like square plane
      {kd, 3, 70, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},   // 32-wide tiles, then a 6-wide tail
      {kd, 2, 48, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},   // a 32-wide tile, then one whole vector
      {kd, 4, 28, m, 1, 1, 1, 1, 1, 0, 0, 0, 0},   // a 16 + 12 tile (MobileNetV2's 28x28)
  };
  if (kd % 9 == 0) {
    const int64_t c = kd / 9;
    v.push_back({c, 23, 35, m, 3, 3, 2, 2, 1, 1, 1, 1, 1});  // the stem: 3x3 stride 2 pad 1
    v.push_back({c, 9, 17, m, 3, 3, 1, 1, 1, 1, 1, 1, 1});   // stride 1 pad 1
    v.push_back({c, 11, 13, m, 3, 3, 2, 1, 1, 0, 2, 1, 0});  // mixed strides, asymmetric pads
    v.push_back({c, 14, 15, m, 3, 3, 1, 1, 2, 2, 2, 2, 2});  // dilation 2
  }
  if (kd % 8 == 0) v.push_back({kd / 8, 7, 9, m, 2, 4, 1, 2, 1, 1, 0, 0, 2});  // rectangular kernel
  return v;
}

std::vector<int64_t> lengths(const F32ConvSmallKKernels& t) {
  std::vector<int64_t> k;
  for (int64_t v = 1; v < 63; ++v)
    if (((t.lengths >> v) & 1) != 0) k.push_back(v);
  return k.empty() ? std::vector<int64_t>{1, 3, 16, 27, 40} : k;  // the generic entry: any length
}

TEST_CASE("f32 short-reduction conv: every entry against a direct loop, all shapes") {
  for (const F32ConvSmallKKernels* t : tables())
    for (int64_t kd : lengths(*t))
      for (int64_t m : {1, 7, 8, 17, 40})
        for (const Conv2dCase& k : cases_for(kd, m))
          for (int splits : {1, 3}) {
            check_entry(*t, k, Epi{true, false, Activation::Clip, 0.0f, 0.6f}, splits);
            check_entry(*t, k, Epi{false, true, Activation::None, 0.0f, 0.0f}, splits);
          }
}

TEST_CASE("f32 short-reduction conv: every activation in every entry") {
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::None, 0, 0},        {Activation::Relu, 0, 0},          {Activation::LeakyRelu, 0.1f, 0},
                      {Activation::Clip, -0.2f, 0.6f}, {Activation::Sigmoid, 0, 0},       {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},          {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32ConvSmallKKernels* t : tables())
    for (const Act& a : acts)
      for (bool residual : {false, true}) {
        check_entry(*t, {16, 5, 21, 17, 1, 1, 1, 1, 1, 0, 0, 0, 0}, Epi{true, residual, a.a, a.p0, a.p1}, 2);
        check_entry(*t, {3, 13, 19, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1}, Epi{true, residual, a.a, a.p0, a.p1}, 2);
      }
}

TEST_CASE("f32 short-reduction conv: lengths handled and the ISA cap") {
  const F32ConvSmallKKernels g = kernels::make_f32_conv_smallk_kernels(kernels::cpu_features(), kernels::Isa::Avx2);
  CHECK(std::string(g.name) == "f32_conv_smallk__generic");
  CHECK(g.handles(5));
  CHECK(g.handles(200));
  CHECK_FALSE(g.handles(0));
#if EMBER_HAVE_X86_KERNELS
  const F32ConvSmallKKernels& v = kernels::avx512::f32_conv_smallk_kernels();
  for (int64_t k : {16, 24, 27, 32}) CHECK(v.handles(k));
  for (int64_t k : {0, 8, 20, 28, 40, 63, 64, 200}) CHECK_FALSE(v.handles(k));
#endif
}

}  // namespace
}  // namespace ember::test
