// DFT, STFT, window generators and MelWeightMatrix: transforms of signals with known spectra
// (an impulse, a constant), the round trip forward -> inverse, and bad arguments.
#include <doctest/doctest.h>

#include <cmath>

#include "../nn/nn_test_util.h"

namespace ember::test {
namespace {

using nn::error_of;
using nn::op;

TEST_CASE("signal DFT: constant and impulse spectra, onesided, inverse round trip") {
  // A real constant of 4 samples: all energy in bin 0.
  const Tensor ones = make_tensor(DType::Float32, {1, 4, 1}, {1, 1, 1, 1});
  check_close(run_op(op("DFT", {ones}, {}, 17))[0],
              make_tensor(DType::Float32, {1, 4, 2}, {4, 0, 0, 0, 0, 0, 0, 0}), Tier::Close, 4, 1e-6);
  check_close(run_op(op("DFT", {ones}, {attr_int("onesided", 1)}, 17))[0],
              make_tensor(DType::Float32, {1, 3, 2}, {4, 0, 0, 0, 0, 0}), Tier::Close, 4, 1e-6);
  // An impulse has a flat spectrum; the real inverse of the half spectrum gives it back.
  const Tensor half = make_tensor(DType::Float64, {1, 3, 2}, {1, 0, 1, 0, 1, 0});
  check_close(run_op(op("DFT", {half}, {attr_int("inverse", 1), attr_int("onesided", 1)}, 17))[0],
              make_tensor(DType::Float64, {1, 4, 1}, {1, 0, 0, 0}), Tier::Close, 4, 1e-12);
  // Opset 20 takes the axis as an input; axis = last (the complex pair) is an error.
  const Tensor axis = make_tensor(DType::Int64, {}, {-1});
  auto [st, msg] = error_of([&] { run_op(op("DFT", {ones, Tensor(), axis}, {}, 20)); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = error_of([&] { run_op(op("DFT", {make_tensor(DType::Float32, {1, 2, 3}, {1, 2, 3, 4, 5, 6})}, {}, 17)); });
  CHECK(st == Status::ShapeMismatch);
}

// The float32 inverse DFT runs a mixed-radix FFT; these are worked by hand, one per radix path:
// 2, 3, 4, 5, 7, 8 (with a 2), 11, 13 (generic), 6 and 12 (twiddled stages), 101 (Bluestein).
TEST_CASE("signal DFT float32 inverse: hand-worked transforms over every radix") {
  // ifft([1, 2, 3, 4]) = [2.5, -0.5 - 0.5i, -0.5, -0.5 + 0.5i]: exact in float.
  const Tensor x4 = make_tensor(DType::Float32, {1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0});
  check_close(run_op(op("DFT", {x4}, {attr_int("inverse", 1)}, 17))[0],
              make_tensor(DType::Float32, {1, 4, 2}, {2.5, 0, -0.5, -0.5, -0.5, 0, -0.5, 0.5}), Tier::Exact);
  // A spike at bin b of length n comes back as exp(2 pi i b j / n) / n; a constant n as a spike.
  for (int64_t n : {2, 3, 5, 6, 7, 8, 11, 12, 13, 16, 101}) {
    CAPTURE(n);
    for (int64_t b : {int64_t(0), int64_t(1), n - 1}) {
      std::vector<double> spike(size_t(2 * n), 0.0), want(size_t(2 * n));
      spike[size_t(2 * b)] = 1;
      for (int64_t j = 0; j < n; ++j) {
        want[size_t(2 * j)] = std::cos(2 * M_PI * double(b * j) / double(n)) / double(n);
        want[size_t(2 * j + 1)] = std::sin(2 * M_PI * double(b * j) / double(n)) / double(n);
      }
      check_close(run_op(op("DFT", {make_tensor(DType::Float32, {1, n, 2}, spike)}, {attr_int("inverse", 1)}, 17))[0],
                  make_tensor(DType::Float32, {1, n, 2}, want), Tier::Close, 1, 1e-7);
    }
    // A constant 1 comes back as a spike of 1 at 0; every other value cancels to (nearly) 0.
    std::vector<double> ones(size_t(2 * n), 0.0), spike0(size_t(2 * n), 0.0);
    for (int64_t j = 0; j < n; ++j) ones[size_t(2 * j)] = 1;
    spike0[0] = 1;
    check_close(run_op(op("DFT", {make_tensor(DType::Float32, {1, n, 2}, ones)}, {attr_int("inverse", 1)}, 17))[0],
                make_tensor(DType::Float32, {1, n, 2}, spike0), Tier::Close, 1, 1e-6);
  }
}

TEST_CASE("signal STFT: frames of a constant signal") {
  const Tensor sig = make_tensor(DType::Float32, {1, 6, 1}, {1, 1, 1, 1, 1, 1});
  const Tensor step = make_tensor(DType::Int64, {}, {2});
  const Tensor len = make_tensor(DType::Int64, {}, {4});
  const Tensor y = run_op(op("STFT", {sig, step, Tensor(), len}, {}, 17))[0];
  check_close(y, make_tensor(DType::Float32, {1, 2, 3, 2}, {4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0}), Tier::Close, 4, 1e-6);
  const Tensor too_long = make_tensor(DType::Int64, {}, {7});
  auto [st, msg] = error_of([&] { run_op(op("STFT", {sig, step, Tensor(), too_long}, {}, 17)); });
  CHECK(st == Status::InvalidArgument);
}

TEST_CASE("signal windows and MelWeightMatrix") {
  const Tensor n = make_tensor(DType::Int64, {}, {4});
  check_close(run_op(op("HannWindow", {n}, {}, 17))[0], make_tensor(DType::Float32, {4}, {0, 0.5, 1, 0.5}),
              Tier::Close, 1, 1e-6);
  check_close(run_op(op("HannWindow", {make_tensor(DType::Int64, {}, {3})}, {attr_int("periodic", 0)}, 17))[0],
              make_tensor(DType::Float32, {3}, {0, 1, 0}), Tier::Close, 1, 1e-6);
  const Tensor h = run_op(op("HammingWindow", {n}, {attr_int("output_datatype", 11)}, 17))[0];
  CHECK(h.dtype() == DType::Float64);
  CHECK(to_doubles(h)[0] == doctest::Approx(25.0 / 46 - 21.0 / 46));
  CHECK(to_doubles(run_op(op("BlackmanWindow", {n}, {}, 17))[0])[2] == doctest::Approx(1.0).epsilon(1e-6));
  auto [st, msg] = error_of([&] { run_op(op("HannWindow", {make_tensor(DType::Int64, {}, {-1})}, {}, 17)); });
  CHECK(st == Status::InvalidArgument);
  // Every mel filter is a triangle with peak 1 inside the spectrogram.
  const Tensor m = run_op(op("MelWeightMatrix",
                             {make_tensor(DType::Int64, {}, {4}), make_tensor(DType::Int64, {}, {64}),
                              make_tensor(DType::Int64, {}, {8000}), make_tensor(DType::Float32, {}, {100}),
                              make_tensor(DType::Float32, {}, {4000})},
                             {}, 17))[0];
  CHECK(m.shape() == Dims{33, 4});
  const auto v = to_doubles(m);
  for (int64_t j = 0; j < 4; ++j) {
    double mx = 0;
    for (int64_t b = 0; b < 33; ++b) mx = std::max(mx, v[size_t(b * 4 + j)]);
    CHECK(mx == doctest::Approx(1.0));
  }
}

}  // namespace
}  // namespace ember::test
