// Native int8 ops (src/backends/cpu/quant/) against the reference kernels in src/ops/quant,
// exactly (integer outputs, and float outputs computed with the same float operations), at 1
// and 2 threads: MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv (1x1 GEMM form and
// im2col: odd sizes, strides, pads, dilations, groups, depthwise, auto_pad, int8 and uint8
// weights, per-tensor and per-channel zero points and scales), QuantizeLinear,
// DequantizeLinear and DynamicQuantizeLinear (all three outputs), Cast int32 -> float32; and
// ai.ember MatMulIntegerToFloat (float epilogue: one fma rounding where the reference rounds the
// product and the bias add separately, so Tier::Close).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "backends/gemm_conv/native_check.h"

namespace ember::test {
namespace {

Tensor u8(const Dims& shape) { return random_tensor(DType::UInt8, shape, 0, 255); }
Tensor s8(const Dims& shape) { return random_tensor(DType::Int8, shape, -128, 127); }
Tensor scalar(DType t, double v) { return make_tensor(t, {}, {v}); }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// A y_scale that spreads a K-long sum of (u8 - zp) * s8 products over the 8-bit range.
double y_scale_for(double a_scale, double b_scale, int64_t K) { return a_scale * b_scale * std::sqrt(double(K)) * 74 * 74 / 40; }

TEST_CASE("native MatMulInteger and QLinearMatMul vs the reference: odd sizes, batches, weight types") {
  struct MM { Dims a; int64_t n; bool b_u8; };
  const MM cases[] = {{{1, 1}, 1, false},     {{7, 17}, 63, false},  {{2, 3, 5, 33}, 20, true},
                      {{33, 129}, 65, true}, {{64, 256}, 96, false}, {{3, 300}, 40, false}};
  for (const MM& m : cases) {
    const int64_t K = m.a.back();
    const DType bt = m.b_u8 ? DType::UInt8 : DType::Int8;
    const Tensor b = m.b_u8 ? u8({K, m.n}) : s8({K, m.n});
    const Tensor a = u8(m.a);
    for (int threads : {1, 2}) {
      CAPTURE(dims_str(m.a));
      CAPTURE(m.n);
      NativeCase mi{"MatMulInteger", "", 10, {a, b, scalar(DType::UInt8, 131), scalar(bt, m.b_u8 ? 120 : -3)}, {}, {1, 3}};
      CHECK(starts_with(check_native(mi, threads, K, Tier::Exact), "matmul_integer:u8s8_gemm"));
      const double as = 0.02, bs = 0.005, ys = y_scale_for(as, bs, K);
      for (DType yt : {DType::UInt8, DType::Int8}) {
        NativeCase q{"QLinearMatMul", "", 10,
                     {a, scalar(DType::Float32, as), scalar(DType::UInt8, 117), b, scalar(DType::Float32, bs),
                      scalar(bt, m.b_u8 ? 128 : 0), scalar(DType::Float32, ys), scalar(yt, yt == DType::UInt8 ? 128 : -5)},
                     {}, {3, 4, 5}};
        CHECK(starts_with(check_native(q, threads, K, Tier::Exact), "qlinear_matmul:u8s8_gemm"));
      }
    }
  }
}

TEST_CASE("native ai.ember MatMulIntegerToFloat vs the reference: scale and bias of 1 or N, zero points") {
  struct MM { Dims a; int64_t n; bool per_column, bias; };
  const MM cases[] = {{{1, 1}, 1, false, false}, {{7, 17}, 63, true, true},   {{2, 3, 5, 33}, 20, false, true},
                      {{33, 129}, 65, true, false}, {{64, 256}, 96, true, true}};
  for (const MM& m : cases) {
    const int64_t K = m.a.back();
    const Dims per = m.per_column ? Dims{m.n} : Dims{};
    // Scales that keep the outputs O(1) for sums of K products of up to ~128 * 128.
    const double s = 1.0 / (128.0 * 128.0 * std::sqrt(double(K)));
    for (int threads : {1, 2}) {
      CAPTURE(dims_str(m.a));
      CAPTURE(m.n);
      NativeCase c{"MatMulIntegerToFloat", "ai.ember", 1,
                   {u8(m.a), s8({K, m.n}), scalar(DType::UInt8, 131), random_tensor(DType::Int8, per, -5, 5),
                    random_tensor(DType::Float32, per, 0.5 * s, 2 * s),
                    m.bias ? random_tensor(DType::Float32, {m.n}, -1, 1) : Tensor()},
                   {}, {1, 3}};
      CHECK(starts_with(check_native(c, threads, K, Tier::Close), "matmul_integer_to_float:u8s8_gemm"));
    }
  }
  // A scale with neither 1 nor N elements is refused with an error naming it, by both kernels.
  NativeCase bad{"MatMulIntegerToFloat", "ai.ember", 1,
                 {u8({3, 8}), s8({8, 5}), Tensor(), Tensor(), random_tensor(DType::Float32, {3}, 0.1, 0.2)}, {}, {1}};
  CHECK_THROWS_WITH(check_native(bad, 1, 8, Tier::Close), doctest::Contains("scale"));
}

struct QConv {
  int64_t n, c, h, w, m, kh, kw;
  int64_t group = 1;
  Dims strides = {1, 1}, pads = {0, 0, 0, 0}, dilations = {1, 1};
  std::string auto_pad;
  bool w_u8 = false, per_channel = true, bias = true;
};

std::vector<ir::Attribute> conv_attrs(const QConv& k) {
  std::vector<ir::Attribute> a = {attr_int("group", k.group), attr_ints("strides", k.strides),
                                  attr_ints("dilations", k.dilations)};
  if (k.auto_pad.empty()) a.push_back(attr_ints("pads", k.pads));
  else a.push_back(attr_string("auto_pad", k.auto_pad));
  return a;
}

TEST_CASE("native QLinearConv and ConvInteger vs the reference: 1x1, im2col, groups, depthwise, pads") {
  const QConv cases[] = {
      {1, 7, 9, 11, 13, 1, 1},
      {2, 17, 7, 5, 33, 1, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, "", true, false, false},
      {1, 64, 20, 20, 70, 1, 1},                                     // splits rows and columns
      {1, 9, 13, 13, 16, 1, 1, 1, {2, 2}},                           // 1x1 stride 2: im2col
      {1, 3, 17, 19, 8, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},
      {2, 5, 11, 7, 7, 3, 3, 1, {2, 2}, {1, 0, 2, 1}, {1, 1}, "", true},
      {1, 4, 15, 15, 6, 3, 3, 1, {1, 1}, {2, 2, 2, 2}, {2, 2}},
      {1, 3, 23, 23, 16, 7, 7, 1, {2, 2}, {3, 3, 3, 3}},             // ResNet stem shape, smaller
      {1, 6, 9, 10, 9, 3, 2, 3, {1, 2}, {0, 1, 1, 0}},               // groups, rectangular kernel
      {1, 8, 17, 19, 8, 3, 3, 8, {1, 1}, {1, 1, 1, 1}},              // depthwise (per-plane kernel)
      {2, 5, 16, 16, 5, 3, 3, 5, {2, 2}, {1, 1, 1, 1}, {1, 1}, "", true},
      {1, 3, 7, 33, 3, 3, 3, 3, {2, 2}, {0, 1, 1, 0}},
      {1, 4, 23, 9, 4, 5, 5, 4, {1, 1}, {2, 2, 2, 2}, {1, 1}, "", false, false},
      {1, 6, 12, 13, 6, 3, 3, 6, {1, 1}, {2, 2, 2, 2}, {2, 2}},
      {1, 4, 6, 6, 4, 3, 3, 4, {3, 3}, {}, {1, 1}, "SAME_UPPER"},
      {1, 32, 30, 30, 48, 3, 3, 1, {1, 1}, {1, 1, 1, 1}},            // several im2col blocks
      {1, 3, 7, 7, 5, 3, 3, 1, {2, 2}, {}, {1, 1}, "SAME_UPPER"},
      // Column rows copied from padded phase planes (padded_columns.h; also the
      // stem and SAME_UPPER stride-2 cases above): asymmetric pads, none, dilations with
      // groups, a batch, unequal strides with a dilation that leaves phases unused, 5x5 stride 2.
      {2, 5, 9, 40, 7, 3, 3, 1, {1, 1}, {0, 2, 1, 0}},
      {1, 3, 5, 33, 4, 1, 3, 1, {1, 1}, {0, 0, 0, 0}},
      {1, 4, 12, 110, 6, 3, 5, 2, {1, 1}, {1, 1, 1, 1}, {2, 3}},
      {1, 4, 20, 41, 6, 3, 3, 1, {2, 3}, {1, 2, 0, 1}, {2, 1}},
      {2, 3, 30, 30, 5, 5, 5, 1, {2, 2}, {2, 2, 2, 2}},
  };
  for (const QConv& k : cases) {
    const int64_t K = (k.c / k.group) * k.kh * k.kw;
    const DType wt = k.w_u8 ? DType::UInt8 : DType::Int8;
    const Tensor x = u8({k.n, k.c, k.h, k.w});
    const Tensor w = k.w_u8 ? u8({k.m, k.c / k.group, k.kh, k.kw}) : s8({k.m, k.c / k.group, k.kh, k.kw});
    // Random per-channel zero points, then zb' = 0 everywhere (int8 at 0, uint8 at 128: the
    // GEMM packs no row sums for these); a per-tensor zero point is always the latter.
    for (bool symmetric : {false, true}) {
      if (symmetric && !k.per_channel) continue;
      Tensor w_zp = k.per_channel ? random_tensor(wt, {k.m}, k.w_u8 ? 100 : -10, k.w_u8 ? 150 : 10) : scalar(wt, k.w_u8 ? 128 : 0);
      if (symmetric) std::memset(w_zp.raw(), k.w_u8 ? 128 : 0, size_t(k.m));
      Tensor w_scale = k.per_channel ? random_tensor(DType::Float32, {k.m}, 0.002, 0.01) : scalar(DType::Float32, 0.005);
      const double xs = 0.03, ys = y_scale_for(xs, 0.006, K);
      for (int threads : {1, 2}) {
        CAPTURE(dims_str({k.n, k.c, k.h, k.w, k.m, k.kh, k.kw, k.group}));
        CAPTURE(dims_str(k.strides));
        CAPTURE(dims_str(k.pads));
        CAPTURE(k.auto_pad);
        const bool dw = k.group > 1 && k.group == k.c && k.group == k.m;
        NativeCase q{"QLinearConv", "", 10,
                     {x, scalar(DType::Float32, xs), scalar(DType::UInt8, 121), w, w_scale, w_zp,
                      scalar(DType::Float32, ys), scalar(DType::UInt8, 125),
                      k.bias ? random_tensor(DType::Int32, {k.m}, -30000, 30000) : Tensor()},
                     conv_attrs(k), {3, 4, 5, 8}};
        CHECK(starts_with(check_native(q, threads, K, Tier::Exact), dw ? "qlinear_dwconv" : "qlinear_conv:u8s8_gemm"));
        NativeCase ci{"ConvInteger", "", 10, {x, w, scalar(DType::UInt8, 3), w_zp}, conv_attrs(k), {1, 3}};
        CHECK(starts_with(check_native(ci, threads, K, Tier::Exact), dw ? "conv_integer_dwconv" : "conv_integer:u8s8_gemm"));
      }
    }
  }
}

TEST_CASE("native QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear vs the reference") {
  // Big enough to be split over 2 threads; ties (x / scale = k + 0.5), saturation, NaN and inf.
  Tensor x = random_tensor(DType::Float32, {3, 70001}, -200, 200);
  float* p = x.data<float>();
  const float specials[] = {0.25f, 0.75f, -0.25f, -0.75f, 1.25f, 63.75f, 1e9f, -1e9f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), 0.0f, -0.0f};
  for (size_t i = 0; i < std::size(specials); ++i) p[i * 997] = specials[i];
  for (int threads : {1, 2}) {
    for (DType t : {DType::UInt8, DType::Int8}) {
      NativeCase q{"QuantizeLinear", "", 13, {x, scalar(DType::Float32, 0.5), scalar(t, t == DType::UInt8 ? 128 : -3)}, {}, {}};
      CHECK(starts_with(check_native(q, threads, 1, Tier::Exact), "quantize_linear"));
      const Tensor xq = t == DType::UInt8 ? u8({5, 40001}) : s8({5, 40001});
      NativeCase d{"DequantizeLinear", "", 13, {xq, scalar(DType::Float32, 0.037), scalar(t, t == DType::UInt8 ? 131 : 7)}, {}, {}};
      CHECK(starts_with(check_native(d, threads, 1, Tier::Exact), "dequantize_linear"));
    }
    NativeCase d32{"DequantizeLinear", "", 13, {random_tensor(DType::Int32, {77777}, -1e6, 1e6), scalar(DType::Float32, 1e-3)}, {}, {}};
    CHECK(starts_with(check_native(d32, threads, 1, Tier::Exact), "dequantize_linear"));
    // No NaN here (the reference refuses it); all-positive and all-negative ranges too.
    for (double lo : {-3.0, 0.5, -7.0}) {
      const double hi = lo == -7.0 ? -1.0 : 5.0;
      NativeCase dq{"DynamicQuantizeLinear", "", 11, {random_tensor(DType::Float32, {2, 3, 40001}, lo, hi)}, {}, {}};
      dq.outputs = 3;
      CHECK(starts_with(check_native(dq, threads, 1, Tier::Exact), "dynamic_quantize_linear"));
    }
  }
}

TEST_CASE("native Cast int32 -> float32 vs the reference: rounding of large values, odd sizes, threads") {
  // Values past 2^24 round to nearest even in float; extremes of int32 included.
  Tensor x = random_tensor(DType::Int32, {3, 40001}, -2147483648.0, 2147483647.0);
  int32_t* p = x.data<int32_t>();
  const int32_t specials[] = {0, 1, -1, 16777217, -16777217, 16777219, 2147483647, -2147483647 - 1, 33554435};
  for (size_t i = 0; i < std::size(specials); ++i) p[i * 1009 + 3] = specials[i];
  for (int threads : {1, 2}) {
    NativeCase c{"Cast", "", 13, {x}, {attr_int("to", 1)}, {}};
    CHECK(check_native(c, threads, 1, Tier::Exact) == "cast_int32_to_float32");
    NativeCase odd{"Cast", "", 19, {random_tensor(DType::Int32, {7}, -1e9, 1e9)}, {attr_int("to", 1)}, {}};
    CHECK(check_native(odd, threads, 1, Tier::Exact) == "cast_int32_to_float32");
  }
  // Other casts keep the reference kernel.
  NativeCase other{"Cast", "", 13, {random_tensor(DType::Int32, {5}, -9, 9)}, {attr_int("to", 7)}, {}};
  CHECK(native_kernel_name(other, 1) != "cast_int32_to_float32");
}

}  // namespace
}  // namespace ember::test
