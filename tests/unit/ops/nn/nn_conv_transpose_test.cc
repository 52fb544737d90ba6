// ConvTranspose against a direct scatter reference: every input element adds x * w onto the
// output positions its kernel taps reach. Covers strides, pads, dilations, output_padding,
// output_shape, auto_pad, groups, and 1-D / 3-D.
#include <doctest/doctest.h>

#include <cmath>

#include "nn_test_util.h"

namespace ember::test {
namespace {

struct TCase {
  Dims x, w;  // X [N, C, ...], W [C, M/group, k...]
  int64_t group = 1;
  Dims strides, dilations, pads, output_padding, output_shape;
  std::string auto_pad;
  bool bias = true;
};

// Output sizes and begin pads per the ONNX ConvTranspose formulas.
void ref_geometry(const TCase& c, Dims& out, Dims& pb) {
  const size_t nd = c.x.size() - 2;
  for (size_t i = 0; i < nd; ++i) {
    const int64_t in = c.x[2 + i], k = c.w[2 + i];
    const int64_t s = c.strides.empty() ? 1 : c.strides[i], d = c.dilations.empty() ? 1 : c.dilations[i];
    const int64_t op = c.output_padding.empty() ? 0 : c.output_padding[i];
    const int64_t full = s * (in - 1) + op + (k - 1) * d + 1;
    if (!c.output_shape.empty() || c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      const int64_t o = c.output_shape.empty() ? in * s : c.output_shape[i];
      const int64_t total = full - o;
      const int64_t half = int64_t(std::floor(double(total) / 2.0));  // Python's // on negatives
      pb.push_back(c.auto_pad == "SAME_UPPER" ? half : total - half);
      out.push_back(o);
    } else {
      const int64_t b = c.pads.empty() ? 0 : c.pads[i], e = c.pads.empty() ? 0 : c.pads[i + nd];
      pb.push_back(b);
      out.push_back(full - b - e);
    }
  }
}

Tensor ref_conv_transpose(const TCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  const size_t nd = c.x.size() - 2;
  Dims out, pb;
  ref_geometry(c, out, pb);
  const int64_t N = c.x[0], C = c.x[1], Mg = c.w[1], M = Mg * c.group, Cg = C / c.group;
  Dims out_shape = {N, M};
  out_shape.insert(out_shape.end(), out.begin(), out.end());
  std::vector<double> y(size_t(dims_numel(out_shape)), 0.0);
  const std::vector<double> vx = to_doubles(x), vw = to_doubles(w);
  if (b) {
    const std::vector<double> vb = to_doubles(*b);
    const int64_t sp = dims_numel(out);
    for (int64_t i = 0; i < int64_t(y.size()); ++i) y[size_t(i)] = vb[size_t((i / sp) % M)];
  }
  const Dims k(c.w.begin() + 2, c.w.end());
  Dims xi(c.x.size(), 0);
  do {
    const int64_t n = xi[0], ci = xi[1], g = ci / Cg;
    const double xv = vx[size_t(nn::offset_of(c.x, xi))];
    for (int64_t m = 0; m < Mg; ++m) {
      Dims kk(nd, 0);
      do {
        Dims yi = {n, g * Mg + m};
        bool inside = true;
        for (size_t i = 0; i < nd; ++i) {
          const int64_t s = c.strides.empty() ? 1 : c.strides[i], d = c.dilations.empty() ? 1 : c.dilations[i];
          const int64_t p = xi[2 + i] * s + kk[i] * d - pb[i];
          inside = inside && p >= 0 && p < out[i];
          yi.push_back(p);
        }
        if (!inside) continue;
        Dims wi = {ci, m};
        wi.insert(wi.end(), kk.begin(), kk.end());
        y[size_t(nn::offset_of(out_shape, yi))] += xv * vw[size_t(nn::offset_of(c.w, wi))];
      } while (nn::next_index(k, kk));
    }
  } while (nn::next_index(c.x, xi));
  return make_tensor(DType::Float32, out_shape, y);
}

void check_ct(const TCase& c) {
  CAPTURE(dims_str(c.x));
  CAPTURE(dims_str(c.w));
  CAPTURE(c.group);
  CAPTURE(dims_str(c.strides));
  CAPTURE(dims_str(c.pads));
  CAPTURE(dims_str(c.output_padding));
  CAPTURE(dims_str(c.output_shape));
  CAPTURE(c.auto_pad);
  const Tensor x = random_tensor(DType::Float32, c.x), w = random_tensor(DType::Float32, c.w);
  const Tensor b = random_tensor(DType::Float32, {c.w[1] * c.group});
  std::vector<ir::Attribute> attrs = {attr_int("group", c.group)};
  if (!c.strides.empty()) attrs.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) attrs.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) attrs.push_back(attr_ints("pads", c.pads));
  if (!c.output_padding.empty()) attrs.push_back(attr_ints("output_padding", c.output_padding));
  if (!c.output_shape.empty()) attrs.push_back(attr_ints("output_shape", c.output_shape));
  if (!c.auto_pad.empty()) attrs.push_back(attr_string("auto_pad", c.auto_pad));
  std::vector<Tensor> ins = {x, w};
  if (c.bias) ins.push_back(b);
  const Tensor got = run_op(nn::op("ConvTranspose", ins, attrs))[0];
  nn::check_result(got, ref_conv_transpose(c, x, w, c.bias ? &b : nullptr), c.x[1] / c.group * 4);
}

TEST_CASE("nn ConvTranspose 2-D: strides, pads, dilations, output_padding") {
  check_ct({{1, 3, 5, 5}, {3, 2, 3, 3}});
  check_ct({{2, 3, 7, 6}, {3, 4, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}});
  check_ct({{1, 2, 5, 7}, {2, 3, 3, 2}, 1, {3, 2}, {2, 1}, {0, 1, 2, 0}});
  check_ct({{1, 2, 5, 5}, {2, 3, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}, {}, "", false});
  check_ct({{1, 17, 1, 1}, {17, 7, 4, 4}});
}

TEST_CASE("nn ConvTranspose: output_shape, auto_pad, groups, 1-D and 3-D") {
  check_ct({{1, 2, 5, 5}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {10, 10}});
  check_ct({{1, 2, 5, 5}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {11, 9}});
  check_ct({{1, 2, 3, 3}, {2, 3, 3, 3}, 1, {3, 2}, {}, {}, {}, {10, 8}});   // negative total padding
  check_ct({{1, 2, 5, 4}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "SAME_UPPER"});
  check_ct({{1, 2, 5, 4}, {2, 3, 4, 2}, 1, {2, 3}, {}, {}, {}, {}, "SAME_LOWER"});
  check_ct({{1, 2, 5, 4}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "VALID"});
  check_ct({{2, 4, 5, 5}, {4, 3, 3, 3}, 2, {2, 2}, {}, {1, 1, 1, 1}});
  check_ct({{1, 6, 7, 7}, {6, 1, 3, 3}, 6, {1, 1}, {}, {1, 1, 1, 1}});  // depthwise
  check_ct({{1, 3, 17}, {3, 2, 5}, 1, {3}, {2}, {1, 2}, {2}});
  check_ct({{1, 2, 3, 4, 5}, {2, 2, 2, 3, 2}, 1, {2, 1, 2}, {}, {0, 1, 0, 0, 1, 1}});
}

TEST_CASE("nn ConvTranspose: known values (ONNX 1-D example, output_shape beyond the full size)") {
  const Tensor x1 = make_tensor(DType::Float32, {1, 1, 3}, {0, 1, 2});
  const Tensor w1 = make_tensor(DType::Float32, {1, 2, 3}, {1, 1, 1, 1, 1, 1});
  check_close(run_op(nn::op("ConvTranspose", {x1, w1}))[0],
              make_tensor(DType::Float32, {1, 2, 5}, {0, 1, 3, 3, 2, 0, 1, 3, 3, 2}), Tier::Exact);
  // x = arange(9) as 3x3, W = ones, strides (3, 2), output_shape (10, 8): the full result is
  // 9x7, so one extra zero row and column appear at the end.
  std::vector<double> xv(9), wv(18, 1.0);
  for (int i = 0; i < 9; ++i) xv[size_t(i)] = i;
  const Tensor y = run_op(nn::op("ConvTranspose", {make_tensor(DType::Float32, {1, 1, 3, 3}, xv),
                                                   make_tensor(DType::Float32, {1, 2, 3, 3}, wv)},
                                 {attr_ints("strides", {3, 2}), attr_ints("output_shape", {10, 8})}))[0];
  REQUIRE(y.shape() == Dims({1, 2, 10, 8}));
  const std::vector<double> v = to_doubles(y);
  const std::vector<double> row0 = {0, 0, 1, 1, 3, 2, 2, 0}, row3 = {3, 3, 7, 4, 9, 5, 5, 0};
  for (size_t j = 0; j < 8; ++j) {
    CHECK(v[j] == row0[j]);
    CHECK(v[3 * 8 + j] == row3[j]);
    CHECK(v[9 * 8 + j] == 0.0);
  }
}

TEST_CASE("nn ConvTranspose: channel mismatch is ShapeMismatch") {
  const auto [st, msg] = nn::error_of([] {
    run_op(nn::op("ConvTranspose",
                  {random_tensor(DType::Float32, {1, 3, 4, 4}), random_tensor(DType::Float32, {2, 2, 3, 3})}));
  });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("ConvTranspose") != std::string::npos);
  CHECK(msg.find("C=2") != std::string::npos);
  CHECK(msg.find("C=3") != std::string::npos);
}

}  // namespace
}  // namespace ember::test
