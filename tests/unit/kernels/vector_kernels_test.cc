// Every ISA's f32 vector kernels (AVX2, AVX-512 natively when the CPU has it, AVX-512 through
// SIMDe) against the generic reference kernels on random inputs (seed printed on failure by
// the helpers) over odd sizes; and the dispatched table is complete at every cap.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_vector.h"
#include "kernels/vector_isa_tables.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::BinaryOp;
using kernels::F32VectorKernels;
using kernels::Pool2d;
using kernels::UnaryOp;

const F32VectorKernels& ref() { return kernels::f32_vector_generic_kernels(); }

std::vector<float> uniform(int64_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng());
  return v;
}

// |got - want| <= atol + rtol * |want| for every element (NaN == NaN).
void expect_close(const std::vector<float>& got, const std::vector<float>& want, double rtol, double atol,
                  const std::string& what) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool ok = (std::isnan(got[i]) && std::isnan(want[i])) || got[i] == want[i] ||
                    std::fabs(double(got[i]) - want[i]) <= atol + rtol * std::fabs(double(want[i]));
    if (!ok) {
      FAIL(what, ": element ", i, " got ", got[i], " want ", want[i], " (seed ", seed(), ")");
    }
  }
}

const int64_t kSizes[] = {1, 7, 8, 15, 16, 17, 33, 63, 129, 1000};

TEST_CASE("vector kernels: unary activations match the generic kernels") {
  const UnaryOp ops[] = {UnaryOp::Relu, UnaryOp::LeakyRelu, UnaryOp::Sigmoid, UnaryOp::Tanh, UnaryOp::Erf,
                         UnaryOp::Exp, UnaryOp::Silu, UnaryOp::Gelu, UnaryOp::GeluTanh, UnaryOp::HardSigmoid,
                         UnaryOp::HardSwish, UnaryOp::Clip, UnaryOp::Log};
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (UnaryOp op : ops) {
      const float alpha = op == UnaryOp::Clip ? -0.5f : 0.2f, beta = op == UnaryOp::Clip ? 0.7f : 0.5f;
      for (int64_t n : kSizes) {
        std::vector<float> x = uniform(n, -8.0f, 8.0f);
        if (op == UnaryOp::Log) for (float& v : x) v = std::fabs(v) * 10.0f + 1e-30f;
        std::vector<float> want(x.size()), got(x.size(), -7.0f);
        ref().unary(op, n, x.data(), want.data(), alpha, beta);
        k->unary(op, n, x.data(), got.data(), alpha, beta);
        expect_close(got, want, tier_rtol(Tier::Close), 1e-6,
                     std::string(k->isa) + " " + kernels::unary_op_name(op) + " n=" + std::to_string(n));
        k->unary(op, n, x.data(), x.data(), alpha, beta);  // in place
        CHECK(x == got);
      }
    }
  }
}

TEST_CASE("vector kernels: binary arithmetic is exact, elementwise and with a scalar on either side") {
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div}) {
      for (int64_t n : kSizes) {
        const std::vector<float> a = uniform(n, -4.0f, 4.0f), b = uniform(n, 0.5f, 3.0f);
        std::vector<float> want(a.size()), got(a.size());
        const std::string what = std::string(k->isa) + " " + kernels::binary_op_name(op) + " n=" + std::to_string(n);
        ref().binary(op, n, a.data(), b.data(), want.data());
        k->binary(op, n, a.data(), b.data(), got.data());
        expect_close(got, want, 0, 0, what);
        for (bool left : {false, true}) {
          ref().binary_scalar(op, n, a.data(), 1.7f, left, want.data());
          k->binary_scalar(op, n, a.data(), 1.7f, left, got.data());
          expect_close(got, want, 0, 0, what + (left ? " scalar left" : " scalar right"));
        }
      }
    }
  }
}

TEST_CASE("vector kernels: softmax rows match the generic kernel") {
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (int64_t rows : {1, 3}) {
      for (int64_t len : kSizes) {
        const std::vector<float> x = uniform(rows * len, -10.0f, 10.0f);
        std::vector<float> want(x.size()), got(x.size());
        ref().softmax(rows, len, x.data(), want.data());
        k->softmax(rows, len, x.data(), got.data());
        expect_close(got, want, tier_rtol(Tier::Close, len), 1e-7,
                     std::string(k->isa) + " softmax " + std::to_string(rows) + "x" + std::to_string(len));
      }
    }
    // Large values (no overflow thanks to the max) and a row of equal values.
    std::vector<float> x = {1000.0f, 999.0f, -1000.0f, 1000.0f, 5.0f, 5.0f, 5.0f, 5.0f, 5.0f};
    std::vector<float> want(x.size()), got(x.size());
    ref().softmax(1, 9, x.data(), want.data());
    k->softmax(1, 9, x.data(), got.data());
    expect_close(got, want, tier_rtol(Tier::Close), 1e-7, std::string(k->isa) + " softmax large values");
  }
}

TEST_CASE("vector kernels: layernorm and skip-layernorm rows match the generic kernel") {
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (int64_t len : kSizes) {
      const int64_t rows = 3;
      // An offset mean (100) with unit spread: the statistics must not cancel catastrophically.
      const std::vector<float> x = uniform(rows * len, 99.0f, 101.0f), skip = uniform(rows * len, -1.0f, 1.0f);
      const std::vector<float> gamma = uniform(len, 0.5f, 1.5f), beta = uniform(len, -1.0f, 1.0f);
      const std::vector<float> bias = uniform(len, -1.0f, 1.0f);
      for (int variant = 0; variant < 8; ++variant) {
        const bool with_skip = variant & 1, with_bias = variant & 2, with_beta = variant & 4;
        std::vector<float> want(x.size()), got(x.size()), want_sum(x.size()), got_sum(x.size());
        const float* sk = with_skip ? skip.data() : nullptr;
        const float* bi = with_bias ? bias.data() : nullptr;
        const float* be = with_beta ? beta.data() : nullptr;
        const std::string what = std::string(k->isa) + " layernorm len=" + std::to_string(len) + " variant " +
                                 std::to_string(variant);
        ref().layernorm(rows, len, x.data(), sk, bi, gamma.data(), be, 1e-5f, want.data(), want_sum.data());
        k->layernorm(rows, len, x.data(), sk, bi, gamma.data(), be, 1e-5f, got.data(), got_sum.data());
        // Statistics in float vs the reference's double: the error may grow like sqrt(len). An
        // output where gamma * normalized cancels against beta keeps the rounding of those
        // terms (the size of the outputs), so the absolute part scales with the largest output
        // (failed at 1e-6 with seed 57024042); a wrong statistic is off by the outputs' size.
        const double rtol = tier_rtol(Tier::Close, len);
        double scale = 0;
        for (float v : want) scale = std::max(scale, std::fabs(double(v)));
        expect_close(got, want, rtol, rtol * scale, what);
        expect_close(got_sum, want_sum, 0, 0, what + " sum");
        std::vector<float> got2(x.size());
        k->layernorm(rows, len, x.data(), sk, bi, gamma.data(), be, 1e-5f, got2.data(), nullptr);
        CHECK(got2 == got);
      }
    }
  }
}

// Output size as ONNX defines it, ceil_mode included (a last window must start inside the
// input or the left/top padding).
int64_t pooled(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1, bool ceil_mode) {
  const int64_t span = in + p0 + p1 - k;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p0) --out;
  return out;
}

TEST_CASE("vector kernels: 2-D max and average pooling match the generic kernels") {
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (int trial = 0; trial < 330; ++trial) {
      // The last 30 trials take rows wider than the kernels' 4096-float row buffer (chunked).
      const bool wide = trial >= 300;
      Pool2d g;
      g.kernel_h = 1 + pick(rng()) % 4;
      g.kernel_w = 1 + pick(rng()) % 4;
      g.stride_h = 1 + pick(rng()) % 3;
      g.stride_w = 1 + pick(rng()) % 3;
      g.pad_top = pick(rng()) % g.kernel_h;
      g.pad_bottom = pick(rng()) % g.kernel_h;
      g.pad_left = pick(rng()) % g.kernel_w;
      g.pad_right = pick(rng()) % g.kernel_w;
      g.in_h = g.kernel_h + pick(rng()) % (wide ? 3 : 20);
      g.in_w = g.kernel_w + pick(rng()) % (wide ? 13000 : 70);
      const bool ceil_mode = pick(rng()) % 2;
      g.count_include_pad = pick(rng()) % 2;
      g.out_h = pooled(g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, ceil_mode);
      g.out_w = pooled(g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, ceil_mode);
      const std::vector<float> x = uniform(g.in_h * g.in_w, -5.0f, 5.0f);
      std::vector<float> want(size_t(g.out_h * g.out_w)), got(want.size());
      const std::string what = std::string(k->isa) + " pool in " + std::to_string(g.in_h) + "x" +
                               std::to_string(g.in_w) + " k " + std::to_string(g.kernel_h) + "x" +
                               std::to_string(g.kernel_w) + " s " + std::to_string(g.stride_h) + "x" +
                               std::to_string(g.stride_w) + " cip " + std::to_string(g.count_include_pad);
      ref().maxpool2d(g, x.data(), want.data());
      k->maxpool2d(g, x.data(), got.data());
      expect_close(got, want, 0, 0, what + " max");
      ref().avgpool2d(g, x.data(), want.data());
      k->avgpool2d(g, x.data(), got.data());
      expect_close(got, want, tier_rtol(Tier::Close, g.kernel_h * g.kernel_w), 1e-6, what + " average");
    }
  }
}

TEST_CASE("vector kernels: plane mean matches the generic kernel") {
  for (const F32VectorKernels* k : vector_isa_tables()) {
    for (int64_t n : {0, 1, 7, 17, 63, 129, 3136, 50000}) {
      const std::vector<float> x = uniform(std::max<int64_t>(n, 1), -1.0f, 3.0f);
      const float want = ref().mean(n, x.data()), got = k->mean(n, x.data());
      CHECK_MESSAGE(std::fabs(got - want) <= 1e-6 + tier_rtol(Tier::Close, n) * std::fabs(want),
                    k->isa, " mean n=", n, " got ", got, " want ", want, " seed ", seed());
    }
  }
}

TEST_CASE("vector kernels: the dispatched table is complete at every cap and never above it") {
  const uint32_t f = kernels::cpu_features();
  for (kernels::Isa cap : {kernels::Isa::Generic, kernels::Isa::Avx2, kernels::Isa::Avx512}) {
    const F32VectorKernels& t = kernels::make_vector_kernels(f, cap);
    CHECK(bool(t.unary));
    CHECK(bool(t.binary));
    CHECK(bool(t.binary_scalar));
    CHECK(bool(t.softmax));
    CHECK(bool(t.layernorm));
    CHECK(bool(t.maxpool2d));
    CHECK(bool(t.avgpool2d));
    CHECK(bool(t.mean));
    if (cap == kernels::Isa::Generic) CHECK(std::string(t.isa) == "generic");
    if (cap == kernels::Isa::Avx2) CHECK(std::string(t.isa) != "avx512");
  }
  CHECK(std::string(kernels::make_vector_kernels(0, kernels::Isa::Avx512).isa) == "generic");
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kernels::kCpuAvx | kernels::kCpuAvx2 | kernels::kCpuFma;
  CHECK(std::string(kernels::make_vector_kernels(avx2, kernels::Isa::Avx512).isa) == "avx2");
  CHECK(std::string(kernels::make_vector_kernels(avx2 | kernels::kCpuAvx512f, kernels::Isa::Avx512).isa) == "avx512");
  CHECK(std::string(kernels::make_vector_kernels(avx2 | kernels::kCpuAvx512f, kernels::Isa::Avx2).isa) == "avx2");
#endif
  MESSAGE("vector kernels: ", kernels::vector_kernels().isa);
}

}  // namespace
}  // namespace ember::test
