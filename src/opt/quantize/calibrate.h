// Calibration: runs the float model on calibration feeds and records, for each activation that
// a rewrite will quantize, its range and (for percentile / entropy) a histogram of |x|.
//
// Intermediate tensors are exposed without touching Session: the model is copied (encoded
// and read back) and the tensors are added to the copy's graph outputs. Graph outputs are
// never rewritten away by the optimizer, so the session computes exactly these values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "opt/quantize/calibration_methods.h"
#include "opt/quantize/feed_set.h"

namespace ember::opt::quantize {

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  double percentile = 99.99;
  int threads = 0;
  bool progress = true;  // a progress bar on stderr
};

// Statistics of every float32 tensor named in `tensors` over all feeds (two passes when the
// method needs a histogram). InvalidArgument when `feeds` is empty or a name is not a value
// of the graph; a feed the model rejects fails with the feed's name.
std::map<std::string, TensorStats> collect_stats(const ir::Model& model, const std::vector<std::string>& tensors,
                                                 const FeedSet& feeds, const CalibrationOptions& options);

// collect_stats followed by the method: the range to quantize for each tensor.
std::map<std::string, Range> calibrate(const ir::Model& model, const std::vector<std::string>& tensors,
                                       const FeedSet& feeds, const CalibrationOptions& options);

}  // namespace ember::opt::quantize
