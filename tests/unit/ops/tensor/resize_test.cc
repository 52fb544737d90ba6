// Resize / Upsample against values from the ONNX operator documentation (test cases
// resize_* / upsample_nearest) and a direct (non-separable) bilinear reference.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

namespace {

std::vector<double> seq(int n) {
  std::vector<double> v;
  for (int i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

Tensor resize(const Tensor& x, const Tensor& scales, const Tensor& sizes, std::vector<ir::Attribute> attrs,
              const Tensor& roi = Tensor(), int opset = 19) {
  OpRun r = op("Resize", {x, roi, scales, sizes}, std::move(attrs));
  r.opset = opset;
  return run_op(r)[0];
}

}  // namespace

TEST_CASE("tensor.resize: nearest up/down from the ONNX docs") {
  const Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor up = resize(x, f32({4}, {1, 1, 2, 3}), Tensor(), {attr_string("mode", "nearest")});
  check_equal(up, f32({1, 1, 4, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  const Tensor x2 = f32({1, 1, 2, 4}, seq(8));
  check_equal(resize(x2, f32({4}, {1, 1, 0.6, 0.6}), Tensor(), {attr_string("mode", "nearest")}), f32({1, 1, 1, 2}, {1, 3}));
  check_equal(resize(x2, Tensor(), i64v({1, 1, 1, 2}), {attr_string("mode", "nearest")}), f32({1, 1, 1, 2}, {1, 3}));
}

TEST_CASE("tensor.resize: nearest_mode variants on a 1-D ramp") {
  // 5 -> 8 elements, asymmetric: x = o * 5/8 = 0, .625, 1.25, 1.875, 2.5, 3.125, 3.75, 4.375
  const Tensor x = f32({5}, {0, 1, 2, 3, 4});
  const std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"floor", {0, 0, 1, 1, 2, 3, 3, 4}},
      {"ceil", {0, 1, 2, 2, 3, 4, 4, 4}},
      {"round_prefer_floor", {0, 1, 1, 2, 2, 3, 4, 4}},
      {"round_prefer_ceil", {0, 1, 1, 2, 3, 3, 4, 4}}};
  for (const auto& [mode, want] : cases)
    check_equal(resize(x, Tensor(), i64v({8}),
                       {attr_string("mode", "nearest"), attr_string("nearest_mode", mode),
                        attr_string("coordinate_transformation_mode", "asymmetric")}),
                f32({8}, want));
}

TEST_CASE("tensor.resize: linear half_pixel / align_corners from the ONNX docs") {
  const Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  check_close(resize(x, f32({4}, {1, 1, 2, 2}), Tensor(), {attr_string("mode", "linear")}),
              f32({1, 1, 4, 4}, {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}),
              Tier::Close);
  check_close(resize(x, f32({4}, {1, 1, 2, 2}), Tensor(),
                     {attr_string("mode", "linear"), attr_string("coordinate_transformation_mode", "align_corners")}),
              f32({1, 1, 4, 4}, {1, 4 / 3., 5 / 3., 2, 5 / 3., 2, 7 / 3., 8 / 3., 7 / 3., 8 / 3., 3, 10 / 3., 3,
                                 10 / 3., 11 / 3., 4}),
              Tier::Close);
  const Tensor x2 = f32({1, 1, 2, 4}, seq(8));
  check_close(resize(x2, f32({4}, {1, 1, 0.6, 0.6}), Tensor(), {attr_string("mode", "linear")}),
              f32({1, 1, 1, 2}, {2.6666665, 4.3333331}), Tier::Close);
  // align_corners divides by scale * in - 1 (= 1.4 here) as onnx.reference does; onnxruntime
  // divides by the rounded output size and gives [1, 4] instead.
  check_close(resize(x2, f32({4}, {1, 1, 0.6, 0.6}), Tensor(),
                     {attr_string("mode", "linear"), attr_string("coordinate_transformation_mode", "align_corners")}),
              f32({1, 1, 1, 2}, {1, 3.142857}), Tier::Close);
}

TEST_CASE("tensor.resize: linear matches a direct bilinear reference on random odd sizes") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 7, 5});
  const int64_t oh = 17, ow = 3;
  const Tensor y = resize(x, Tensor(), i64v({2, 3, oh, ow}), {attr_string("mode", "linear")});
  Tensor want(DType::Float32, {2, 3, oh, ow});
  auto src = [](int64_t o, int64_t in, int64_t out) {  // half_pixel, clamped
    const double s = double(out) / double(in);
    return std::clamp((o + 0.5) / s - 0.5, 0.0, double(in - 1));
  };
  for (int64_t i = 0; i < want.numel(); ++i) {
    const Dims o = unravel(i, want.shape());
    const double yy = src(o[2], 7, oh), xx = src(o[3], 5, ow);
    const int64_t y0 = int64_t(yy), x0 = int64_t(xx), y1 = std::min<int64_t>(y0 + 1, 6), x1 = std::min<int64_t>(x0 + 1, 4);
    const double dy = yy - y0, dx = xx - x0;
    auto at = [&](int64_t r, int64_t c) { return double(x.data<float>()[ravel({o[0], o[1], r, c}, x.shape())]); };
    want.data<float>()[i] = float((1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x1)) +
                                  dy * ((1 - dx) * at(y1, x0) + dx * at(y1, x1)));
  }
  check_close(y, want, Tier::Approximate);
}

// Row 0 was checked against onnxruntime (element 3 is 1.875; it mirrors element 4 about the
// row's centre value 2.078125).
TEST_CASE("tensor.resize: cubic from the ONNX docs") {
  const Tensor x = f32({1, 1, 4, 4}, seq(16));
  const Tensor up = resize(x, f32({4}, {1, 1, 2, 2}), Tensor(), {attr_string("mode", "cubic")});
  const Tensor row0 = remap(up, {8}, [](const Dims& o) { return Dims{0, 0, 0, o[0]}; });
  check_close(row0, f32({8}, {0.47265625, 0.76953125, 1.24609375, 1.875, 2.28125, 2.91015625, 3.38671875, 3.68359375}),
              Tier::Approximate);
  check_close(resize(x, f32({4}, {1, 1, 0.8, 0.8}), Tensor(), {attr_string("mode", "cubic")}),
              f32({1, 1, 3, 3}, {1.47119141, 2.78125, 4.08251953, 6.71142578, 8.02148438, 9.32275391, 11.91650391,
                                 13.2265625, 14.52783203}),
              Tier::Approximate);
}

TEST_CASE("tensor.resize: tf_crop_and_resize with extrapolation from the ONNX docs") {
  const Tensor x = f32({1, 1, 4, 4}, seq(16));
  const std::vector<ir::Attribute> attrs = {attr_string("mode", "linear"),
                                            attr_string("coordinate_transformation_mode", "tf_crop_and_resize"),
                                            attr_float("extrapolation_value", 10.f)};
  check_close(resize(x, Tensor(), i64v({1, 1, 3, 3}), attrs, f32({8}, {0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8})),
              f32({1, 1, 3, 3}, {7.6000004, 7.9, 8.2, 8.8, 9.1, 9.400001, 10.0, 10.3, 10.6}), Tier::Approximate);
  check_close(resize(x, Tensor(), i64v({1, 1, 3, 3}), attrs, f32({8}, {0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7})),
              f32({1, 1, 3, 3}, {7.6000004, 10, 10, 12.400001, 10, 10, 10, 10, 10}), Tier::Approximate);
}

TEST_CASE("tensor.resize: axes + keep_aspect_ratio_policy (opset 18), antialias Unsupported") {
  const Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  OpRun r = op("Resize", {x, Tensor(), Tensor(), i64v({7, 8})},
          {attr_string("mode", "nearest"), attr_ints("axes", {2, 3}), attr_string("keep_aspect_ratio_policy", "not_larger")});
  r.opset = 18;
  CHECK(run_op(r)[0].shape() == Dims{1, 1, 7, 7});  // scale min(7/2, 8/2) = 3.5
  r.attrs[2] = attr_string("keep_aspect_ratio_policy", "not_smaller");
  CHECK(run_op(r)[0].shape() == Dims{1, 1, 8, 8});
  r.attrs.push_back(attr_int("antialias", 1));
  check_error([&] { run_op(r); }, Status::Unsupported, "antialias");
  check_error([&] { resize(random_tensor(DType::Int32, {2, 2}, 0, 5), f32({2}, {2, 2}), Tensor(), {attr_string("mode", "linear")}); },
              Status::Unsupported, "int32");
}

TEST_CASE("tensor.upsample: nearest (opset 9 input, opset 7 attribute) and strings") {
  const Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor want = f32({1, 1, 4, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  OpRun a = op("Upsample", {x, f32({4}, {1, 1, 2, 3})}, {attr_string("mode", "nearest")});
  a.opset = 9;
  check_equal(run_op(a)[0], want);
  OpRun b = op("Upsample", {x}, {attr_string("mode", "nearest"), attr_floats("scales", {1, 1, 2, 3})});
  b.opset = 7;
  check_equal(run_op(b)[0], want);
  const Tensor s = random_tensor(DType::String, {2, 2});
  OpRun c = op("Upsample", {s, f32({2}, {2, 1})});
  c.opset = 9;
  check_equal(run_op(c)[0], remap(s, {4, 2}, [](const Dims& o) { return Dims{o[0] / 2, o[1]}; }));
}

// Expected values below were produced by onnxruntime (and agree with onnx.reference where it
// still supports the mode) for the same inputs.
TEST_CASE("tensor.resize: more coordinate modes and cubic exclude_outside (onnxruntime values)") {
  const Tensor x5 = f32({1, 1, 5, 5}, seq(25));
  const std::vector<std::tuple<std::string, std::string, std::vector<double>>> nearest = {
      {"tf_half_pixel_for_nn", "round_prefer_floor",
       {6, 7, 8, 8, 9, 9, 10, 10, 11, 12, 13, 13, 14, 14, 15, 15, 21, 22, 23, 23, 24, 24, 25, 25}},
      {"half_pixel_symmetric", "round_prefer_ceil",
       {1, 1, 2, 3, 3, 4, 5, 5, 11, 11, 12, 13, 13, 14, 15, 15, 21, 21, 22, 23, 23, 24, 25, 25}},
      {"pytorch_half_pixel", "floor",
       {1, 1, 2, 2, 3, 3, 4, 5, 11, 11, 12, 12, 13, 13, 14, 15, 16, 16, 17, 17, 18, 18, 19, 20}}};
  for (const auto& [coord, nm, want] : nearest)
    check_equal(resize(x5, Tensor(), i64v({1, 1, 3, 8}),
                       {attr_string("mode", "nearest"), attr_string("coordinate_transformation_mode", coord),
                        attr_string("nearest_mode", nm)}),
                f32({1, 1, 3, 8}, want));
  check_close(resize(x5, Tensor(), i64v({1, 1, 1, 3}),
                     {attr_string("mode", "linear"), attr_string("coordinate_transformation_mode", "pytorch_half_pixel")}),
              f32({1, 1, 1, 3}, {1.3333333, 3, 4.6666665}), Tier::Close);
  const Tensor x = f32({1, 1, 4, 4}, seq(16));
  const Tensor up = resize(x, f32({4}, {1, 1, 2, 2}), Tensor(),
                           {attr_string("mode", "cubic"), attr_float("cubic_coeff_a", -0.5f), attr_int("exclude_outside", 1)});
  check_close(remap(up, {8}, [](const Dims& o) { return Dims{0, 0, 0, o[0]}; }),
              f32({8}, {0.55882347, 0.814942, 1.3569825, 1.897059, 2.397059, 2.937135, 3.4791756, 3.7352934}),
              Tier::Approximate);
}

// Opset <= 10 forms: asymmetric coordinates; nearest rounds down when upsampling and up when
// downsampling. Values from onnxruntime.
TEST_CASE("tensor.resize: opset 10 Resize and opset 9 Upsample, linear and nearest") {
  const Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor want = f32({1, 1, 4, 6}, {1, 4 / 3., 5 / 3., 2, 2, 2, 2, 7 / 3., 8 / 3., 3, 3, 3,
                                         3, 10 / 3., 11 / 3., 4, 4, 4, 3, 10 / 3., 11 / 3., 4, 4, 4});
  const Tensor scales = f32({4}, {1, 1, 2, 3});
  check_close(run_op(op("Upsample", {x, scales}, {attr_string("mode", "linear")}, 1, 9))[0], want, Tier::Close);
  check_close(run_op(op("Resize", {x, scales}, {attr_string("mode", "linear")}, 1, 10))[0], want, Tier::Close);
  const Tensor x3 = f32({1, 1, 5, 7}, seq(35));
  check_equal(run_op(op("Resize", {x3, f32({4}, {1, 1, 0.5, 0.45})}, {attr_string("mode", "nearest")}, 1, 10))[0],
              f32({1, 1, 2, 3}, {1, 4, 6, 15, 18, 20}));
}
