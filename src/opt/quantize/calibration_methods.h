// Calibration methods: from the statistics of one activation (tensor_stats.h) to the range
// [lo, hi] that its uint8 quantization covers.
//   minmax      the observed range;
//   percentile  |x| clipped at the given percentile of the |x| histogram (e.g. 99.99);
//   entropy     |x| clipped at the threshold whose quantized distribution has the smallest
//               KL divergence from the observed one (TensorRT's calibration, as described in
//               Migacz, "8-bit Inference with TensorRT", GTC 2017).
// Percentile and entropy clip symmetrically in |x|, then intersect with [min, max]: a ReLU
// output keeps lo = 0.
#pragma once

#include <string>
#include <vector>

#include "opt/quantize/tensor_stats.h"

namespace ember::opt::quantize {

enum class CalibrationMethod { MinMax, Percentile, Entropy };

// "minmax", "percentile", "entropy"; InvalidArgument listing them otherwise.
CalibrationMethod parse_calibration_method(const std::string& name);
const char* calibration_method_name(CalibrationMethod m);
// Whether the method needs the histogram pass.
inline bool needs_histogram(CalibrationMethod m) { return m != CalibrationMethod::MinMax; }

struct Range {
  double lo = 0, hi = 0;
};

// The threshold on |x| below which `percentile` percent of the histogram's mass lies (the
// upper edge of the bin reaching it). percentile in (0, 100].
double percentile_threshold(const std::vector<double>& hist, double bin_width, double percentile);
// The entropy-calibrated threshold on |x| for `levels` quantization levels over [0, threshold]
// (256 for a one-sided uint8 range, 128 for a signed one, as half of uint8 covers each side).
double entropy_threshold(const std::vector<double>& hist, double bin_width, int levels);

// The range to quantize. Throws InvalidArgument when nothing was recorded for the tensor.
Range calibrated_range(const TensorStats& s, CalibrationMethod m, double percentile, const std::string& name);

}  // namespace ember::opt::quantize
