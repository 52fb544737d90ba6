#include "opt/quantize/tensor_stats.h"

#include <algorithm>
#include <cmath>

namespace ember::opt::quantize {

void TensorStats::add_range(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    if (std::isnan(v)) {
      has_nan = true;
      continue;
    }
    if (!seen) {
      min = max = v;
      seen = true;
    }
    min = std::min(min, v);
    max = std::max(max, v);
  }
}

void TensorStats::add_histogram(const float* x, int64_t n) {
  if (hist.empty()) {
    hist.assign(kHistogramBins, 0.0);
    hist_max = abs_max();
  }
  if (hist_max <= 0) {  // an all-zero tensor: everything is in bin 0
    hist[0] += double(n);
    return;
  }
  const double per_bin = double(kHistogramBins) / hist_max;
  for (int64_t i = 0; i < n; ++i) {
    const double a = std::fabs(double(x[i]));
    if (std::isnan(a)) continue;
    const int64_t b = std::min<int64_t>(kHistogramBins - 1, int64_t(a * per_bin));
    hist[size_t(b)] += 1.0;
  }
}

}  // namespace ember::opt::quantize
