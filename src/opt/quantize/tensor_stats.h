// What calibration records for one activation tensor: its range over every calibration run and
// a histogram of |x|, from which the calibration methods (calibration_methods.h) pick the range
// that is quantized. Two passes: the first finds min/max (and so the histogram's extent), the
// second fills the histogram; minmax needs only the first.
#pragma once

#include <cstdint>
#include <vector>

namespace ember::opt::quantize {

// Histogram resolution: TensorRT's entropy calibration uses 2048 bins of |x|.
inline constexpr int kHistogramBins = 2048;

struct TensorStats {
  double min = 0, max = 0;      // over every element seen
  bool seen = false;            // at least one element was recorded
  bool has_nan = false;         // NaN elements are skipped (and reported)
  double hist_max = 0;          // the histogram covers |x| in [0, hist_max]
  std::vector<double> hist;     // kHistogramBins counts once the second pass started

  double abs_max() const { return max > -min ? max : -min; }
  // First pass: extends min/max.
  void add_range(const float* x, int64_t n);
  // Second pass: adds |x| to the histogram over [0, abs_max()] (values above it, which a
  // second pass on the same data cannot have, land in the last bin).
  void add_histogram(const float* x, int64_t n);
  double bin_width() const { return hist_max / double(kHistogramBins); }
};

}  // namespace ember::opt::quantize
