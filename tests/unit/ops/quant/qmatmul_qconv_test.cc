// MatMulInteger, QLinearMatMul, DynamicQuantizeLinear, ConvInteger and QLinearConv: small
// hand-worked cases, a random ConvInteger check against a naive loop written here, and refusals.
#include <doctest/doctest.h>

#include <cmath>

#include "test_util.h"

namespace ember::test {
namespace {

Tensor u8(const Dims& s, const std::vector<double>& v) { return make_tensor(DType::UInt8, s, v); }
Tensor i8(const Dims& s, const std::vector<double>& v) { return make_tensor(DType::Int8, s, v); }
Tensor f32(const Dims& s, const std::vector<double>& v) { return make_tensor(DType::Float32, s, v); }
Tensor run1(const std::string& op, std::vector<Tensor> ins, std::vector<ir::Attribute> attrs = {}, int opset = 21) {
  return run_op({op, std::move(ins), std::move(attrs), 1, opset})[0];
}

TEST_CASE("MatMulInteger hand-worked") {
  // (A - 1) = [[0, 1, 2], [3, 4, 5]]; B = [[1, 0], [0, 1], [1, 1]] -> [[2, 3], [8, 9]].
  const Tensor a = u8({2, 3}, {1, 2, 3, 4, 5, 6}), b = u8({3, 2}, {1, 0, 0, 1, 1, 1});
  check_close(run1("MatMulInteger", {a, b, u8({}, {1})}), make_tensor(DType::Int32, {2, 2}, {2, 3, 8, 9}), Tier::Exact);
  // int8 B with zero point -1: B + 1 = [[2, 1], [1, 2], [2, 2]]; A = [[1, 2, 3], ...] -> [[10, 11], [25, 26]].
  const Tensor bi = i8({3, 2}, {1, 0, 0, 1, 1, 1});
  check_close(run1("MatMulInteger", {a, bi, Tensor(), i8({}, {-1})}),
              make_tensor(DType::Int32, {2, 2}, {10, 11, 25, 26}), Tier::Exact);
  // Refusals: per-row zero point (allowed by the spec, not implemented), K mismatch, rank 1.
  CHECK_THROWS_AS(run1("MatMulInteger", {a, b, u8({2}, {1, 1})}), Error);
  CHECK_THROWS_AS(run1("MatMulInteger", {a, u8({2, 2}, {1, 2, 3, 4})}), Error);
  CHECK_THROWS_AS(run1("MatMulInteger", {u8({3}, {1, 2, 3}), b}), Error);
}

TEST_CASE("QLinearMatMul hand-worked: ties to even, saturation") {
  // (B - 1) = [[0], [2]]; acc = 2 * a1. factor = a_scale * b_scale / y_scale.
  const Tensor b = u8({2, 1}, {1, 3});
  auto qmm = [&](const Tensor& a, double as, double ys, const Tensor& yz) {
    return run1("QLinearMatMul", {a, f32({}, {as}), u8({}, {0}), b, f32({}, {1}), u8({}, {1}), f32({}, {ys}), yz});
  };
  // a = [2, 4]: acc 8, factor 0.5 / 0.25 = 2 -> 16 + 5 = 21.
  check_close(qmm(u8({1, 2}, {2, 4}), 0.5, 0.25, u8({}, {5})), u8({1, 1}, {21}), Tier::Exact);
  // factor 0.5 / 2 = 0.25: acc 10 -> 2.5 -> 2 (even); acc 14 -> 3.5 -> 4.
  check_close(qmm(u8({2, 2}, {0, 5, 0, 7}), 0.5, 2, u8({}, {0})), u8({2, 1}, {2, 4}), Tier::Exact);
  // int8 output: 16 + 120 = 136 -> 127.
  check_close(qmm(u8({1, 2}, {2, 4}), 0.5, 0.25, i8({}, {120})), i8({1, 1}, {127}), Tier::Exact);
  // Refusals: per-column b_scale, zero y_scale.
  CHECK_THROWS_AS(run1("QLinearMatMul", {u8({1, 2}, {1, 1}), f32({}, {1}), u8({}, {0}), u8({2, 2}, {1, 1, 1, 1}),
                                         f32({2}, {1, 1}), u8({}, {0}), f32({}, {1}), u8({}, {0})}),
                  Error);
  CHECK_THROWS_AS(qmm(u8({1, 2}, {2, 4}), 0.5, 0, u8({}, {0})), Error);
}

TEST_CASE("DynamicQuantizeLinear hand-worked") {
  // Range [-1, 3]: scale = 4 / 255; zero point = rint(1 / scale) = rint(63.75) = 64.
  // y = rint(x / scale) + 64: -63.75 -> -64 -> 0; 0 -> 64; 63.75 -> 128; 191.25 -> 255.
  const auto out = run_op({"DynamicQuantizeLinear", {f32({4}, {-1, 0, 1, 3})}, {}, 3, 11});
  check_close(out[0], u8({4}, {0, 64, 128, 255}), Tier::Exact);
  check_close(out[1], f32({}, {double(4.0f / 255.0f)}), Tier::Exact);
  check_close(out[2], u8({}, {64}), Tier::Exact);
  // All positive: the range still includes 0, so the zero point is 0.
  // Range [0, 255] gives scale 1: 127.5 and 126.5 are ties -> 128 and 126 (even).
  const auto pos = run_op({"DynamicQuantizeLinear", {f32({3}, {255, 127.5, 126.5})}, {}, 3, 11});
  check_close(pos[0], u8({3}, {255, 128, 126}), Tier::Exact);
  check_close(pos[2], u8({}, {0}), Tier::Exact);
  CHECK_THROWS_AS(run_op({"DynamicQuantizeLinear", {make_tensor(DType::Float16, {2}, {1, 2})}, {}, 3, 11}), Error);
  CHECK_THROWS_AS(run_op({"DynamicQuantizeLinear", {f32({2}, {1, NAN})}, {}, 3, 11}), Error);
}

// Naive 2-D integer convolution, written independently of the kernel: explicit pads or
// SAME_UPPER computed here from the definition.
std::vector<double> naive_conv2d(const Tensor& x, const Tensor& w, int64_t xz, const std::vector<int64_t>& wz,
                                 int64_t group, int64_t s, int64_t d, int64_t pad, bool same_upper, Dims& out_shape) {
  const auto xv = to_doubles(x), wv = to_doubles(w);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), M = w.dim(0), kh = w.dim(2), kw = w.dim(3);
  int64_t pt = pad, pl = pad, OH, OW;
  if (same_upper) {
    OH = (H + s - 1) / s;
    OW = (W + s - 1) / s;
    pt = std::max<int64_t>(0, (OH - 1) * s + (kh - 1) * d + 1 - H) / 2;
    pl = std::max<int64_t>(0, (OW - 1) * s + (kw - 1) * d + 1 - W) / 2;
  } else {
    OH = (H + 2 * pad - (kh - 1) * d - 1) / s + 1;
    OW = (W + 2 * pad - (kw - 1) * d - 1) / s + 1;
  }
  out_shape = {N, M, OH, OW};
  std::vector<double> y;
  const int64_t Cg = C / group, Mg = M / group;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = 0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t ih = oh * s - pt + i * d, iw = ow * s - pl + j * d;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t cin = (m / Mg) * Cg + c;
                acc += (xv[size_t(((n * C + cin) * H + ih) * W + iw)] - double(xz)) *
                       (wv[size_t(((m * Cg + c) * kh + i) * kw + j)] - double(wz[size_t(m)]));
              }
          y.push_back(acc);
        }
  return y;
}

TEST_CASE("ConvInteger matches a naive loop (groups, strides, dilations, pads, auto_pad)") {
  struct Case { int64_t group, s, d, pad; bool same_upper; };
  for (const Case& c : {Case{1, 1, 1, 0, false}, Case{2, 2, 1, 1, false}, Case{1, 1, 2, 2, false},
                        Case{3, 2, 1, 0, true}, Case{1, 3, 2, 0, true}}) {
    CAPTURE(c.group);
    CAPTURE(c.s);
    CAPTURE(c.d);
    CAPTURE(c.same_upper);
    const Tensor x = random_tensor(DType::UInt8, {2, 6, 7, 9}, 0, 255);
    const Tensor w = random_tensor(DType::Int8, {6, 6 / c.group, 3, 2}, -128, 127);
    const Tensor wz = random_tensor(DType::Int8, {6}, -5, 5);
    std::vector<int64_t> wzv;
    for (double v : to_doubles(wz)) wzv.push_back(int64_t(v));
    std::vector<ir::Attribute> attrs = {attr_int("group", c.group), attr_ints("strides", {c.s, c.s}),
                                        attr_ints("dilations", {c.d, c.d})};
    if (c.same_upper) attrs.push_back(attr_string("auto_pad", "SAME_UPPER"));
    else attrs.push_back(attr_ints("pads", {c.pad, c.pad, c.pad, c.pad}));
    Dims shape;
    const auto want = naive_conv2d(x, w, 17, wzv, c.group, c.s, c.d, c.pad, c.same_upper, shape);
    const Tensor got = run1("ConvInteger", {x, w, u8({}, {17}), wz}, attrs, 10);
    check_close(got, make_tensor(DType::Int32, shape, want), Tier::Exact);
  }
}

TEST_CASE("QLinearConv per-output-channel weights, bias, rounding") {
  // x - 1 = [[0, 1], [2, 3]]; w - w_zp = [3 - 1, -2 - 0] = [2, -2]; w_scale [0.5, 1]; y_zp 10.
  // Channel 0: (2x + 1) * 0.5 = [0.5, 1.5, 2.5, 3.5] -> [0, 2, 2, 4] + 10.
  // Channel 1: (-2x - 1) * 1 = [-1, -3, -5, -7] + 10.
  const Tensor x = u8({1, 1, 2, 2}, {1, 2, 3, 4});
  const std::vector<Tensor> ins = {x, f32({}, {1}), u8({}, {1}), i8({2, 1, 1, 1}, {3, -2}), f32({2}, {0.5, 1}),
                                   i8({2}, {1, 0}), f32({}, {1}), u8({}, {10}),
                                   make_tensor(DType::Int32, {2}, {1, -1})};
  check_close(run1("QLinearConv", ins, {}, 10), u8({1, 2, 2, 2}, {10, 12, 12, 14, 9, 7, 5, 3}), Tier::Exact);
  // Refusals / bad input: w_scale of the wrong length, non-scalar x_zero_point, bias shape,
  // channel mismatch, zero y_scale.
  auto bad = [&](size_t i, Tensor t) {
    std::vector<Tensor> b = ins;
    b[i] = std::move(t);
    CHECK_THROWS_AS(run1("QLinearConv", b, {}, 10), Error);
  };
  bad(4, f32({3}, {1, 1, 1}));
  bad(2, u8({2}, {1, 1}));
  bad(8, make_tensor(DType::Int32, {3}, {0, 0, 0}));
  bad(3, i8({2, 2, 1, 1}, {1, 1, 1, 1}));
  bad(6, f32({}, {0}));
  bad(5, u8({2}, {1, 0}));  // w_zero_point type differs from w
}

}  // namespace
}  // namespace ember::test
