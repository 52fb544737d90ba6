// Values produced by onnxruntime 1.x (and confirmed equal by onnx.reference) for the window
// semantics that are easiest to get subtly wrong: ceil_mode with pads and count_include_pad,
// dilated MaxPool indices, ConvTranspose auto_pad / output_padding, SAME_LOWER striding and
// LpPool. Inputs are x[i] = float(2 sin(0.7 k i + 0.3)), generated the same way in numpy.
#include <doctest/doctest.h>

#include <cmath>

#include "nn_test_util.h"

namespace ember::test {
namespace {

Tensor wave(const Dims& shape, double k = 1.0) {
  std::vector<double> v(size_t(dims_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(float(std::sin(double(i) * 0.7 * k + 0.3) * 2));
  return make_tensor(DType::Float32, shape, v);
}

void expect(const Tensor& got, const Dims& shape, const std::vector<double>& want) {
  check_close(got, make_tensor(got.dtype(), shape, want), Tier::Approximate, 9, 1e-5);
}

TEST_CASE("nn onnxruntime values: AveragePool ceil_mode with pads, count_include_pad 0 and 1") {
  const Tensor x = wave({1, 1, 5, 6});
  auto attrs = [](int64_t cip) {
    return std::vector<ir::Attribute>{attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                                      attr_ints("pads", {1, 0, 1, 1}), attr_int("ceil_mode", 1),
                                      attr_int("count_include_pad", cip)};
  };
  expect(run_op(nn::op("AveragePool", {x}, attrs(1), 19))[0], {1, 1, 3, 3},
         {-0.02360123, 0.5548466, 0.282115, 0.0002713071, -0.01074105, -0.00534002, -0.004519959, 0.5585558, 0.2714238});
  expect(run_op(nn::op("AveragePool", {x}, attrs(0), 19))[0], {1, 1, 3, 3},
         {-0.03540185, 0.83227, 0.6347588, 0.0002713071, -0.01074105, -0.00801003, -0.006779939, 0.8378337, 0.6107036});
}

TEST_CASE("nn onnxruntime values: dilated MaxPool with ceil_mode and Indices") {
  const auto y = run_op(nn::op("MaxPool", {wave({1, 1, 6, 7})},
                               {attr_ints("kernel_shape", {2, 3}), attr_ints("strides", {2, 2}), attr_ints("dilations", {2, 1}),
                                attr_ints("pads", {1, 1, 0, 1}), attr_int("ceil_mode", 1)},
                               19, 2));
  expect(y[0], {1, 1, 3, 4},
         {-0.7477533, 1.700873, 1.978716, 1.325938, 1.300576, 1.700873, 1.978716, 1.325938, 1.300576, 1.961527, 1.961527, 0.6866298});
  check_close(y[1], make_tensor(DType::Int64, {1, 1, 3, 4}, {8, 10, 11, 12, 21, 10, 11, 12, 21, 38, 38, 27}), Tier::Exact);
}

TEST_CASE("nn onnxruntime values: ConvTranspose SAME_LOWER, SAME_UPPER, output_padding") {
  const Tensor x = wave({1, 2, 3, 3}), w = wave({2, 1, 3, 3}, 1.3);
  const std::vector<ir::Attribute> s2 = {attr_ints("strides", {2, 2})};
  auto with = [&](ir::Attribute a) { auto v = s2; v.push_back(std::move(a)); return v; };
  expect(run_op(nn::op("ConvTranspose", {x, w}, with(attr_string("auto_pad", "SAME_LOWER"))))[0], {1, 1, 6, 6},
         {-1.373356, -3.544115, -3.848558, -5.19892,  -4.513723, -2.1241,   3.974069,  3.102027,  3.978904,
          2.266344,  2.112398,  3.421204,  -3.056014, -1.544834, -0.1610135, 2.045484, 2.809714,  1.283868,
          -0.7476017, -1.70837, -3.255993, -2.978031, -4.233039, -2.367556, 4.458989,  5.103921,  4.011132,
          3.133611,  1.676777,  0.8277879, -4.417607, -5.196025, -3.959227, -3.845584, -1.63876,  -1.35089});
  expect(run_op(nn::op("ConvTranspose", {x, w}, with(attr_string("auto_pad", "SAME_UPPER"))))[0], {1, 1, 6, 6},
         {1.351828,  1.136848,  3.774924,  3.233455,  4.593611,   3.809317,  -1.083276, -1.373356, -3.544115,
          -3.848558, -5.19892,  -4.513723, 3.565585,  3.974069,   3.102027,  3.978904,  2.266344,  2.112398,
          -2.284492, -3.056014, -1.544834, -0.1610135, 2.045484,  2.809714,  -3.05644,  -0.7476017, -1.70837,
          -3.255993, -2.978031, -4.233039, 3.38991,   4.458989,   5.103921,  4.011132,  3.133611,  1.676777});
  auto op_attrs = with(attr_ints("pads", {1, 0, 0, 1}));
  op_attrs.push_back(attr_ints("output_padding", {1, 1}));
  expect(run_op(nn::op("ConvTranspose", {x, w}, op_attrs))[0], {1, 1, 7, 7},
         {-1.083276, -1.373356, -3.544115, -3.848558, -5.19892,  -4.513723, -2.1241,   3.565585,  3.974069, 3.102027,
          3.978904,  2.266344,  2.112398,  3.421204,  -2.284492, -3.056014, -1.544834, -0.1610135, 2.045484, 2.809714,
          1.283868,  -3.05644,  -0.7476017, -1.70837, -3.255993, -2.978031, -4.233039, -2.367556, 3.38991,  4.458989,
          5.103921,  4.011132,  3.133611,  1.676777,  0.8277879, -1.901558, -4.417607, -5.196025, -3.959227, -3.845584,
          -1.63876,  -1.35089,  0,         0,         0,         0,         0,         0,         0});
}

TEST_CASE("nn onnxruntime values: strided SAME_LOWER Conv and LpPool p=3") {
  expect(run_op(nn::op("Conv", {wave({1, 1, 6, 5}), wave({1, 1, 3, 4}, 1.3)},
                       {attr_ints("strides", {2, 2}), attr_string("auto_pad", "SAME_LOWER")}))[0],
         {1, 1, 3, 3}, {3.645145, -9.575042, -10.17474, -0.1163187, -22.85035, -2.369501, -3.753103, -18.98853, 12.41708});
  expect(run_op(nn::op("LpPool", {wave({1, 1, 4, 5})}, {attr_ints("kernel_shape", {2, 2}), attr_int("p", 3),
                                                         attr_ints("pads", {1, 1, 0, 0})}, 18))[0],
         {1, 1, 4, 5},
         {0.5910404, 1.706899, 2.325008, 2.173445, 1.351031, 1.268049, 2.426007, 2.945581, 2.530371, 1.462167,
          1.890168, 2.800898, 2.846644, 2.021893, 1.377516, 2.319042, 2.946715, 2.510035, 1.439035, 1.940625});
}

}  // namespace
}  // namespace ember::test
