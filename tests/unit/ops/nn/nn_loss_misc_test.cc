// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, GridSample, NonMaxSuppression, Det,
// LpNormalization, Shrink, AffineGrid and Col2Im: hand-computed values for the semantic
// corners (ignore_index, weighted mean, padding modes) and the error paths for bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "nn_test_util.h"

namespace ember::test {
namespace {

using nn::error_of;
using nn::op;

// Built on use: make_tensor asserts through doctest, which is not ready during static init.
Tensor log_prob() { return make_tensor(DType::Float32, {2, 3}, {-1, -2, -3, -0.5, -1.5, -2.5}); }

double scalar(const Tensor& t) { return to_doubles(t)[0]; }

TEST_CASE("nn NegativeLogLikelihoodLoss: reductions, weights and ignore_index") {
  const Tensor t = make_tensor(DType::Int64, {2}, {0, 2});
  CHECK(scalar(run_op(op("NegativeLogLikelihoodLoss", {log_prob(), t}, {}, 13))[0]) == doctest::Approx(1.75));
  CHECK(scalar(run_op(op("NegativeLogLikelihoodLoss", {log_prob(), t}, {attr_string("reduction", "sum")}, 13))[0]) ==
        doctest::Approx(3.5));
  // The ignored element leaves both the sum and the divisor.
  CHECK(scalar(run_op(op("NegativeLogLikelihoodLoss", {log_prob(), t}, {attr_int("ignore_index", 2)}, 13))[0]) ==
        doctest::Approx(1.0));
  const Tensor w = make_tensor(DType::Float32, {3}, {2, 1, 1});
  CHECK(scalar(run_op(op("NegativeLogLikelihoodLoss", {log_prob(), t, w}, {}, 13))[0]) == doctest::Approx(4.5 / 3));
  const Tensor none = run_op(op("NegativeLogLikelihoodLoss", {log_prob(), t, w}, {attr_string("reduction", "none")}, 13))[0];
  check_close(none, make_tensor(DType::Float32, {2}, {2, 2.5}), Tier::Close);
}

TEST_CASE("nn NegativeLogLikelihoodLoss: bad target values and shapes are clear errors") {
  auto [st, msg] = error_of([&] {
    run_op(op("NegativeLogLikelihoodLoss", {log_prob(), make_tensor(DType::Int64, {2}, {0, 3})}, {}, 13));
  });
  CHECK(st == Status::InvalidArgument);
  CHECK(msg.find("target value 3") != std::string::npos);
  std::tie(st, msg) = error_of([&] {
    run_op(op("NegativeLogLikelihoodLoss", {log_prob(), make_tensor(DType::Int64, {3}, {0, 0, 0})}, {}, 13));
  });
  CHECK(st == Status::ShapeMismatch);
  std::tie(st, msg) = error_of([&] {
    run_op(op("NegativeLogLikelihoodLoss", {log_prob(), make_tensor(DType::Int64, {2}, {0, 0})},
              {attr_string("reduction", "avg")}, 13));
  });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = error_of([&] {
    run_op(op("NegativeLogLikelihoodLoss",
              {log_prob(), make_tensor(DType::Int64, {2}, {0, 0}), make_tensor(DType::Float32, {2}, {1, 1})}, {}, 13));
  });
  CHECK(st == Status::ShapeMismatch);
}

TEST_CASE("nn SoftmaxCrossEntropyLoss: log_prob output and loss agree with log-softmax") {
  const Tensor x = make_tensor(DType::Float64, {1, 2, 2}, {0, 1, 0, 1});  // [N, C, D]
  const Tensor t = make_tensor(DType::Int32, {1, 2}, {1, 0});
  const auto out = run_op(op("SoftmaxCrossEntropyLoss", {x, t}, {attr_string("reduction", "none")}, 13, 2));
  const double l = std::log(0.5);
  check_close(out[1], make_tensor(DType::Float64, {1, 2, 2}, {l, l, l, l}), Tier::Close);
  check_close(out[0], make_tensor(DType::Float64, {1, 2}, {-l, -l}), Tier::Close);
}

TEST_CASE("nn GridSample: identity grid, zero padding and bad attributes") {
  const Tensor x = make_tensor(DType::Float32, {1, 1, 2, 2}, {1, 2, 3, 4});
  // With align_corners=1 the corners -1 / 1 hit the corner pixels exactly.
  const Tensor g = make_tensor(DType::Float32, {1, 2, 2, 2}, {-1, -1, 1, -1, -1, 1, 1, 1});
  for (const char* mode : {"bilinear", "nearest", "bicubic"}) {
    CAPTURE(mode);
    const Tensor y = run_op(op("GridSample", {x, g}, {attr_int("align_corners", 1), attr_string("mode", mode)}, 16))[0];
    check_close(y, x, Tier::Close, 1, 1e-5);
  }
  // Far outside the image: zeros padding gives 0, border padding the nearest corner.
  const Tensor far = make_tensor(DType::Float32, {1, 1, 1, 2}, {5, 5});
  CHECK(scalar(run_op(op("GridSample", {x, far}, {}, 16))[0]) == 0.0);
  CHECK(scalar(run_op(op("GridSample", {x, far}, {attr_string("padding_mode", "border")}, 16))[0]) == 4.0);
  const Tensor nan = make_tensor(DType::Float32, {1, 1, 1, 2}, {NAN, 1e30});
  for (const char* pad : {"zeros", "border", "reflection"})
    for (const char* mode : {"linear", "nearest", "cubic"})
      CHECK_NOTHROW(run_op(op("GridSample", {x, nan}, {attr_string("padding_mode", pad), attr_string("mode", mode)}, 20)));
  auto [st, msg] = error_of([&] { run_op(op("GridSample", {x, g}, {attr_string("mode", "area")}, 16)); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = error_of([&] { run_op(op("GridSample", {x, make_tensor(DType::Float32, {1, 2, 3}, {0, 0, 0, 0, 0, 0})}, {}, 16)); });
  CHECK(st == Status::ShapeMismatch);
}

TEST_CASE("nn NonMaxSuppression: suppression, score threshold and limits") {
  // Boxes 0 and 1 overlap (IoU 0.81), box 2 is apart.
  const Tensor boxes = make_tensor(DType::Float32, {1, 3, 4}, {0, 0, 1, 1, 0, 0, 0.9, 0.9, 5, 5, 6, 6});
  const Tensor scores = make_tensor(DType::Float32, {1, 1, 3}, {0.8, 0.9, 0.3});
  const Tensor max_out = make_tensor(DType::Int64, {1}, {10}), iou = make_tensor(DType::Float32, {1}, {0.5});
  Tensor sel = run_op(op("NonMaxSuppression", {boxes, scores, max_out, iou}, {}, 11))[0];
  check_close(sel, make_tensor(DType::Int64, {2, 3}, {0, 0, 1, 0, 0, 2}), Tier::Exact);
  const Tensor st = make_tensor(DType::Float32, {1}, {0.5});
  sel = run_op(op("NonMaxSuppression", {boxes, scores, max_out, iou, st}, {}, 11))[0];
  check_close(sel, make_tensor(DType::Int64, {1, 3}, {0, 0, 1}), Tier::Exact);
  // No max_output_boxes_per_class: nothing is selected.
  CHECK(run_op(op("NonMaxSuppression", {boxes, scores}, {}, 11))[0].numel() == 0);
  auto [s, msg] = error_of([&] { run_op(op("NonMaxSuppression", {boxes, make_tensor(DType::Float32, {1, 1, 2}, {1, 1}), max_out}, {}, 11)); });
  CHECK(s == Status::ShapeMismatch);
}

TEST_CASE("nn Det, LpNormalization, Shrink") {
  const Tensor m = make_tensor(DType::Float32, {2, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0});
  check_close(run_op(op("Det", {m}, {}, 11))[0], make_tensor(DType::Float32, {2}, {-2, -1}), Tier::Close);
  auto [st, msg] = error_of([&] { run_op(op("Det", {make_tensor(DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6})}, {}, 11)); });
  CHECK(st == Status::ShapeMismatch);

  const Tensor v = make_tensor(DType::Float32, {2, 2}, {3, -4, 0, 0});
  check_close(run_op(op("LpNormalization", {v}, {attr_int("p", 2)}, 1))[0],
              make_tensor(DType::Float32, {2, 2}, {0.6, -0.8, 0, 0}), Tier::Close);
  check_close(run_op(op("LpNormalization", {v}, {attr_int("p", 1)}, 1))[0],
              make_tensor(DType::Float32, {2, 2}, {3.0 / 7, -4.0 / 7, 0, 0}), Tier::Close);
  std::tie(st, msg) = error_of([&] { run_op(op("LpNormalization", {v}, {attr_int("p", 3)}, 1)); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = error_of([&] { run_op(op("LpNormalization", {v}, {attr_int("axis", 2)}, 1)); });
  CHECK(st == Status::InvalidModel);

  const Tensor s = make_tensor(DType::Float32, {4}, {-2, -0.5, 0.5, 2});
  check_close(run_op(op("Shrink", {s}, {attr_float("lambd", 1.0f), attr_float("bias", 0.5f)}, 9))[0],
              make_tensor(DType::Float32, {4}, {-1.5, 0, 0, 1.5}), Tier::Exact);
}

TEST_CASE("nn AffineGrid and Col2Im") {
  // Identity theta reproduces the base grid: pixel centres -0.5 and 0.5 for size 2.
  const Tensor theta = make_tensor(DType::Float32, {1, 2, 3}, {1, 0, 0, 0, 1, 0});
  OpRun r = op("AffineGrid", {theta, make_tensor(DType::Int64, {4}, {1, 1, 1, 2})}, {}, 20);
  check_close(run_op(r)[0], make_tensor(DType::Float32, {1, 1, 2, 2}, {-0.5, 0, 0.5, 0}), Tier::Close);
  auto [st, msg] = error_of([&] { run_op(op("AffineGrid", {theta, make_tensor(DType::Int64, {3}, {1, 1, 2})}, {}, 20)); });
  CHECK(st == Status::ShapeMismatch);

  // 1-D image of 3 with blocks of 2 at stride 1: positions 0-1 and 1-2; the middle pixel sums.
  const Tensor cols = make_tensor(DType::Float32, {1, 2, 2}, {1, 2, 10, 20});
  const Tensor y = run_op(op("Col2Im", {cols, make_tensor(DType::Int64, {1}, {3}), make_tensor(DType::Int64, {1}, {2})}, {}, 18))[0];
  check_close(y, make_tensor(DType::Float32, {1, 1, 3}, {1, 12, 20}), Tier::Exact);
  std::tie(st, msg) = error_of([&] {
    run_op(op("Col2Im", {cols, make_tensor(DType::Int64, {1}, {4}), make_tensor(DType::Int64, {1}, {2})}, {}, 18));
  });
  CHECK(st == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test

namespace ember::test {
namespace {

TEST_CASE("nn MaxUnpool, RoiAlign, DeformConv") {
  using nn::error_of;
  using nn::op;
  // 1x1x1x2 pooled values back into a 1x1x2x2 map at flat positions 0 and 3.
  const Tensor x = make_tensor(DType::Float32, {1, 1, 1, 2}, {5, 7});
  const Tensor idx = make_tensor(DType::Int64, {1, 1, 1, 2}, {0, 3});
  const std::vector<ir::Attribute> k = {attr_ints("kernel_shape", {2, 1}), attr_ints("strides", {2, 1})};
  check_close(run_op(op("MaxUnpool", {x, idx}, k, 11))[0], make_tensor(DType::Float32, {1, 1, 2, 2}, {5, 0, 0, 7}),
              Tier::Exact);
  auto [st, msg] = error_of([&] { run_op(op("MaxUnpool", {x, make_tensor(DType::Int64, {1, 1, 1, 2}, {0, 9})}, k, 11)); });
  CHECK(st == Status::InvalidArgument);

  // RoiAlign over a constant image averages to the constant; bad batch index is an error.
  const Tensor img = make_tensor(DType::Float32, {1, 1, 4, 4}, std::vector<double>(16, 2.0));
  const Tensor rois = make_tensor(DType::Float32, {1, 4}, {0, 0, 3, 3});
  const Tensor y = run_op(op("RoiAlign", {img, rois, make_tensor(DType::Int64, {1}, {0})},
                             {attr_int("output_height", 2), attr_int("output_width", 2)}, 16))[0];
  check_close(y, make_tensor(DType::Float32, {1, 1, 2, 2}, {2, 2, 2, 2}), Tier::Close);
  std::tie(st, msg) = error_of([&] { run_op(op("RoiAlign", {img, rois, make_tensor(DType::Int64, {1}, {1})}, {}, 16)); });
  CHECK(st == Status::InvalidArgument);

  // DeformConv with zero offsets is a plain convolution: a 1x1 kernel of weight 2 doubles X.
  const Tensor dx = make_tensor(DType::Float32, {1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor w = make_tensor(DType::Float32, {1, 1, 1, 1}, {2});
  const Tensor off = make_tensor(DType::Float32, {1, 2, 2, 2}, std::vector<double>(8, 0.0));
  check_close(run_op(op("DeformConv", {dx, w, off}, {}, 19))[0], make_tensor(DType::Float32, {1, 1, 2, 2}, {2, 4, 6, 8}),
              Tier::Close);
  // Half a pixel to the right samples between neighbours (and half of zero outside).
  const Tensor half = make_tensor(DType::Float32, {1, 2, 2, 2}, {0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5});
  check_close(run_op(op("DeformConv", {dx, w, half}, {}, 19))[0], make_tensor(DType::Float32, {1, 1, 2, 2}, {3, 2, 7, 4}),
              Tier::Close);
  std::tie(st, msg) = error_of([&] { run_op(op("DeformConv", {dx, w, make_tensor(DType::Float32, {1, 2, 1, 1}, {0, 0})}, {}, 19)); });
  CHECK(st == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test
