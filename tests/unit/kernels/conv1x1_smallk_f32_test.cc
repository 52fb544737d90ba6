// Every pointwise few-channel convolution entry (kernels/dispatch/f32_conv1x1_smallk.h:
// generic; AVX-512 when this CPU has it; AVX-512 through SIMDe everywhere it is built) against
// a double-precision loop: every reduction length the entry handles, output channel counts
// around the 8-channel group (1, 7, 8, 17, 96), position counts around the 16-position vector
// (1, 7, 16, 17, 63, 129, 12x12) and position ranges split the way the backend splits them over
// threads, with and without bias and residual, every activation. Random inputs from
// test::rng() (seed printed by main). Tolerance: Tier::Close grown with the reduction length,
// relative to sum |w*x| + |bias| + |residual| (conv2d_ref_matches).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_conv1x1_smallk.h"
#include "conv2d_reference.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::Conv1x1SmallKArgs;
using kernels::F32Conv1x1SmallKKernels;

std::vector<const F32Conv1x1SmallKKernels*> tables() {
  std::vector<const F32Conv1x1SmallKKernels*> t{&kernels::f32_conv1x1_smallk_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  if (kernels::cpu_features() & kernels::kCpuAvx512f) t.push_back(&kernels::avx512::f32_conv1x1_smallk_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_conv1x1_smallk_kernels());
#endif
  return t;
}

// The reduction lengths an entry is built for (the generic one: a few, it takes any).
std::vector<int64_t> lengths(const F32Conv1x1SmallKKernels& t) {
  if (t.k_max > 64) return {1, 3, 16, 24, 32, 40};
  std::vector<int64_t> k;
  for (int64_t v = t.k_min; v <= t.k_max; v += t.k_step) k.push_back(v);
  return k;
}

void check_entry(const F32Conv1x1SmallKKernels& t, int64_t k, int64_t m, int64_t positions, bool bias, bool residual,
                 Activation act, float alpha, float beta, int splits) {
  REQUIRE(t.handles(k));
  const auto x = uniform_floats(size_t(k * positions));
  const auto w = uniform_floats(size_t(m * k));
  const auto b = uniform_floats(size_t(m));
  const auto z = uniform_floats(size_t(m * positions));
  std::vector<float> y(size_t(m * positions) + 1, 12345.0f);  // +1: guard after the output
  Conv1x1SmallKArgs a;
  a.x = x.data();
  a.channels = k;
  a.w = w.data();
  a.m = m;
  a.positions = positions;
  a.y = y.data();
  a.bias = bias ? b.data() : nullptr;
  a.residual = residual ? z.data() : nullptr;
  a.activation = act;
  a.act_alpha = alpha;
  a.act_beta = beta;
  // Ranges of whole 16-position vectors, as the backend splits them (the last one ragged).
  const int64_t vectors = (positions + 15) / 16, per = (vectors + splits - 1) / splits;
  for (int64_t v = 0; v < vectors; v += per) t.run(a, v * 16, std::min(positions, (v + per) * 16));
  CHECK(y.back() == 12345.0f);

  // A 1 x positions "image" through the shared 2-D reference: one 1x1 tap per channel.
  kernels::DwConv2dGeom g;
  g.in_h = g.out_h = 1;
  g.in_w = g.out_w = positions;
  for (int64_t o = 0; o < m; ++o)
    for (int64_t p = 0; p < positions; ++p) {
      ConvRefSum sum;
      for (int64_t c = 0; c < k; ++c) conv2d_ref_taps(g, x.data() + c * positions, &w[size_t(o * k + c)], 0, p, sum);
      const size_t at = size_t(o * positions + p);
      double want = 0.0;
      if (!conv2d_ref_matches(y[at], sum, bias ? b[size_t(o)] : 0.0f, residual ? &z[at] : nullptr, act, alpha, beta, k,
                              want)) {
        FAIL_CHECK(std::string(t.name), " k=", k, " m=", m, " positions=", positions, " bias=", bias,
                   " residual=", residual, " act=", int(act), " splits=", splits, " at (", o, ",", p, "): got ", y[at],
                   ", want ", want, " (seed ", seed(), ")");
        return;
      }
    }
}

TEST_CASE("f32 pointwise few-channel conv: every entry against a direct loop, all shapes") {
  for (const F32Conv1x1SmallKKernels* t : tables())
    for (int64_t k : lengths(*t))
      for (int64_t m : {1, 7, 8, 17, 96})
        for (int64_t positions : {1, 7, 16, 17, 63, 129, 144})
          for (int splits : {1, 3}) {
            check_entry(*t, k, m, positions, true, false, Activation::Clip, 0.0f, 0.6f, splits);
            check_entry(*t, k, m, positions, false, true, Activation::None, 0.0f, 0.0f, splits);
          }
}

TEST_CASE("f32 pointwise few-channel conv: every activation in every entry") {
  struct Act { Activation a; float p0, p1; };
  const Act acts[] = {{Activation::None, 0, 0},        {Activation::Relu, 0, 0},          {Activation::LeakyRelu, 0.1f, 0},
                      {Activation::Clip, -0.2f, 0.6f}, {Activation::Sigmoid, 0, 0},       {Activation::HardSigmoid, 0.2f, 0.5f},
                      {Activation::HardSwish, 0, 0},   {Activation::Silu, 0, 0},          {Activation::Gelu, 0, 0},
                      {Activation::GeluTanh, 0, 0}};
  for (const F32Conv1x1SmallKKernels* t : tables())
    for (const Act& a : acts)
      for (bool residual : {false, true}) check_entry(*t, t->k_min == 1 ? 16 : t->k_min, 17, 37, true, residual, a.a, a.p0, a.p1, 2);
}

TEST_CASE("f32 pointwise few-channel conv: lengths handled and the ISA cap") {
  const F32Conv1x1SmallKKernels g =
      kernels::make_f32_conv1x1_smallk_kernels(kernels::cpu_features(), kernels::Isa::Avx2);
  CHECK(std::string(g.name) == "f32_conv1x1_smallk__generic");
  CHECK(g.handles(5));
#if EMBER_HAVE_X86_KERNELS
  const F32Conv1x1SmallKKernels& v = kernels::avx512::f32_conv1x1_smallk_kernels();
  CHECK(v.handles(16));
  CHECK(v.handles(24));
  CHECK(v.handles(32));
  CHECK_FALSE(v.handles(8));
  CHECK_FALSE(v.handles(20));
  CHECK_FALSE(v.handles(40));
#endif
}

}  // namespace
}  // namespace ember::test
