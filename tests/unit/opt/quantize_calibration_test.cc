// Calibration methods (src/opt/quantize/calibration_methods.cc) on synthetic distributions with
// known answers: the exact range (minmax), normal quantiles (percentile), and clipping that
// ignores rare outliers but keeps a dense distribution whole (entropy).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "opt/quantize/calibration_methods.h"
#include "opt/quantize/quant_params.h"

namespace ember::test {

namespace {

using opt::quantize::CalibrationMethod;
using opt::quantize::TensorStats;

TensorStats stats_of(const std::vector<float>& x) {
  TensorStats s;
  // Split in two "feeds" so accumulation across runs is exercised.
  const int64_t half = int64_t(x.size() / 2);
  s.add_range(x.data(), half);
  s.add_range(x.data() + half, int64_t(x.size()) - half);
  s.add_histogram(x.data(), half);
  s.add_histogram(x.data() + half, int64_t(x.size()) - half);
  return s;
}

std::vector<float> normal(size_t n, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(0.0, sigma);
  std::vector<float> x(n);
  for (float& v : x) v = float(d(rng));
  return x;
}

}  // namespace

TEST_CASE("calibration minmax: the observed range, accumulated over feeds") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> u(-2.0f, 3.0f);
  std::vector<float> x(10007);
  for (float& v : x) v = u(rng);
  x[17] = -2.5f;
  x[9000] = 3.25f;
  x[5] = NAN;  // skipped, remembered
  const TensorStats s = stats_of(x);
  CHECK(s.has_nan);
  const auto r = opt::quantize::calibrated_range(s, CalibrationMethod::MinMax, 99.99, "x");
  CHECK(r.lo == -2.5);
  CHECK(r.hi == 3.25);
}

TEST_CASE("calibration percentile: normal quantiles of |x|") {
  const std::vector<float> x = normal(400000, 1.0, 11);
  const TensorStats s = stats_of(x);
  // |x| of N(0, 1): the 99th percentile is 2.576, the 99.9th 3.291 (one histogram bin of
  // resolution, max|x| / 2048 ~ 0.0025, plus sampling error).
  for (const auto& [p, q] : {std::pair{99.0, 2.5758}, std::pair{99.9, 3.2905}}) {
    CAPTURE(p);
    const auto r = opt::quantize::calibrated_range(s, CalibrationMethod::Percentile, p, "x");
    CHECK(r.hi == doctest::Approx(q).epsilon(0.03));
    CHECK(r.lo == doctest::Approx(-q).epsilon(0.03));
  }
  // 100 keeps the whole range.
  const auto all = opt::quantize::calibrated_range(s, CalibrationMethod::Percentile, 100.0, "x");
  CHECK(all.hi == doctest::Approx(s.max));
  CHECK_THROWS_WITH_AS(opt::quantize::percentile_threshold(s.hist, s.bin_width(), 0.0),
                       doctest::Contains("percentile must be in (0, 100]"), Error);
}

TEST_CASE("calibration entropy: rare outliers are clipped, a dense range is kept") {
  SUBCASE("normal with a few huge outliers") {
    std::vector<float> x = normal(200000, 1.0, 3);
    for (size_t i = 0; i < 10; ++i) x[i * 997] = 60.0f + float(i);  // 0.005% of the values
    const TensorStats s = stats_of(x);
    const auto r = opt::quantize::calibrated_range(s, CalibrationMethod::Entropy, 99.99, "x");
    MESSAGE("entropy threshold " << r.hi << " of max " << s.max);
    CHECK(r.hi < 12.0);  // far below the outliers (max ~69)
    CHECK(r.hi > 2.5);   // but keeps the bulk of the normal
    CHECK(r.lo == doctest::Approx(-r.hi));
  }
  SUBCASE("one-sided uniform (a ReLU output): nearly the whole range") {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<float> x(100000);
    for (float& v : x) v = u(rng);
    const TensorStats s = stats_of(x);
    const auto r = opt::quantize::calibrated_range(s, CalibrationMethod::Entropy, 99.99, "x");
    CHECK(r.lo == s.min);  // the lower end is not clipped (min >= 0: a one-sided range)
    CHECK(opt::quantize::uint8_params(r).zero_point == 0);
    CHECK(r.hi > 0.9 * s.max);
    CHECK(r.hi <= s.max);
  }
  SUBCASE("all zeros: range [0, 0], quantized with scale 1") {
    const std::vector<float> x(1000, 0.0f);
    const TensorStats s = stats_of(x);
    const auto r = opt::quantize::calibrated_range(s, CalibrationMethod::Entropy, 99.99, "x");
    CHECK(r.lo == 0.0);
    CHECK(r.hi == 0.0);
    const auto p = opt::quantize::uint8_params(r);
    CHECK(p.scale == 1.0f);
    CHECK(p.zero_point == 0);
  }
}

TEST_CASE("calibration: nothing recorded is an error naming the tensor") {
  TensorStats s;
  const float nan = NAN;
  s.add_range(&nan, 1);
  CHECK_THROWS_WITH_AS(opt::quantize::calibrated_range(s, CalibrationMethod::MinMax, 99.99, "conv1_out"),
                       doctest::Contains("'conv1_out'"), Error);
  CHECK_THROWS_WITH_AS(opt::quantize::parse_calibration_method("kl"), doctest::Contains("minmax, percentile or entropy"),
                       Error);
}

}  // namespace ember::test
