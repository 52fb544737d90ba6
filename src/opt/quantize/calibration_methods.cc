#include "opt/quantize/calibration_methods.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/error.h"

namespace ember::opt::quantize {

namespace {

// Makes a distribution usable as the second argument of KL(P || Q): bins that are zero get a
// small mass taken proportionally from the others, so log(P/Q) stays finite where P > 0 and
// Q = 0 (the outlier mass folded into P's last bin, which Q spreads thinly). `q` sums to 1 and
// still does after: each zero bin gets kEps, the others shrink by the factor that pays for it
// (at most 2048 * 1e-4 = 0.2 of their mass, so they stay positive).
void smooth(std::vector<double>& q) {
  constexpr double kEps = 1e-4;
  size_t zeros = 0;
  for (double v : q) zeros += v == 0;
  if (zeros == 0 || zeros == q.size()) return;
  const double keep = 1.0 - kEps * double(zeros);
  for (double& v : q) v = v == 0 ? kEps : v * keep;
}

void normalize(std::vector<double>& p) {
  double s = 0;
  for (double v : p) s += v;
  if (s > 0)
    for (double& v : p) v /= s;
}

}  // namespace

CalibrationMethod parse_calibration_method(const std::string& name) {
  if (name == "minmax") return CalibrationMethod::MinMax;
  if (name == "percentile") return CalibrationMethod::Percentile;
  if (name == "entropy") return CalibrationMethod::Entropy;
  fail(Status::InvalidArgument, "unknown calibration method '", name, "' (expected minmax, percentile or entropy)");
}

const char* calibration_method_name(CalibrationMethod m) {
  switch (m) {
    case CalibrationMethod::MinMax: return "minmax";
    case CalibrationMethod::Percentile: return "percentile";
    case CalibrationMethod::Entropy: return "entropy";
  }
  return "?";
}

double percentile_threshold(const std::vector<double>& hist, double bin_width, double percentile) {
  EMBER_CHECK(percentile > 0 && percentile <= 100, InvalidArgument, "percentile must be in (0, 100], got ",
              percentile);
  double total = 0;
  for (double v : hist) total += v;
  if (total == 0) return 0;
  const double want = total * percentile / 100.0;
  double cum = 0;
  for (size_t b = 0; b < hist.size(); ++b) {
    cum += hist[b];
    if (cum >= want) return double(b + 1) * bin_width;
  }
  return double(hist.size()) * bin_width;
}

double entropy_threshold(const std::vector<double>& hist, double bin_width, int levels) {
  const size_t bins = hist.size();
  const size_t L = size_t(levels);
  if (bins <= L) return double(bins) * bin_width;
  // Outlier mass beyond each candidate threshold, from the top down.
  std::vector<double> tail(bins + 1, 0.0);
  for (size_t b = bins; b-- > 0;) tail[b] = tail[b + 1] + hist[b];
  if (tail[0] == 0) return double(bins) * bin_width;

  double best = std::numeric_limits<double>::infinity();
  size_t best_i = bins;
  std::vector<double> p, q;
  for (size_t i = L; i <= bins; ++i) {
    // P: the first i bins, with everything beyond folded into the last (it clips there).
    p.assign(hist.begin(), hist.begin() + long(i));
    p[i - 1] += tail[i];
    // Q: the same i bins merged into L levels, each level's count spread evenly over the
    // bins that were non-empty (an empty bin stays empty: quantization cannot fill it).
    q.assign(i, 0.0);
    for (size_t j = 0; j < L; ++j) {
      const size_t start = j * i / L, end = (j + 1) * i / L;
      double sum = 0;
      size_t nonzero = 0;
      for (size_t k = start; k < end; ++k) {
        sum += hist[k];
        nonzero += hist[k] != 0;
      }
      if (nonzero == 0) continue;
      for (size_t k = start; k < end; ++k)
        if (hist[k] != 0) q[k] = sum / double(nonzero);
    }
    normalize(p);
    normalize(q);
    smooth(q);
    double kl = 0;
    for (size_t k = 0; k < i; ++k)
      if (p[k] > 0) kl += p[k] * std::log(p[k] / q[k]);
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return double(best_i) * bin_width;
}

Range calibrated_range(const TensorStats& s, CalibrationMethod m, double percentile, const std::string& name) {
  EMBER_CHECK(s.seen, InvalidArgument, "calibration recorded no values for tensor '", name,
              "' (empty tensors or all NaN in every calibration feed)");
  Range r{s.min, s.max};
  if (m == CalibrationMethod::MinMax || s.abs_max() == 0) return r;
  EMBER_CHECK(!s.hist.empty(), Runtime, "calibration of '", name, "': histogram pass missing");
  const double t = m == CalibrationMethod::Percentile
                       ? percentile_threshold(s.hist, s.bin_width(), percentile)
                       : entropy_threshold(s.hist, s.bin_width(), s.min >= 0 ? 256 : 128);
  r.lo = std::max(r.lo, -t);
  r.hi = std::min(r.hi, t);
  return r;
}

}  // namespace ember::opt::quantize
