// What the quantize report compares between the float and the quantized model: the median
// latency of Ember sessions on the same feed (runs alternated between the two models, so load
// changes on a shared machine hit both alike) and top-1 accuracy on an evaluation set.
#pragma once

#include <cstdint>
#include <string>

#include "opt/quantize/feed_set.h"

namespace ember::opt::quantize {

struct Accuracy {
  size_t correct = 0, total = 0;
  double top1() const { return total ? double(correct) / double(total) : 0.0; }
};

struct Comparison {
  double latency_before_ms = 0, latency_after_ms = 0;  // medians; 0 when not measured
  int runs = 0;
  std::string latency_feed;  // where the timed inputs came from
  bool has_accuracy = false;
  Accuracy before, after;
};

struct MeasureOptions {
  int runs = 10;          // timed runs per model (after one warm-up run each); 0: no timing
  int threads = 0;
  const FeedSet* latency_feeds = nullptr;  // the first feed is timed; random inputs when empty
  const FeedSet* eval = nullptr;           // with labels; no accuracy when null or empty
  std::string label = "label";
  bool progress = true;
  // The float model's accuracy when already measured (quantize_file evaluates it before
  // writing anything, so a bad evaluation set fails without leaving an output file).
  const Accuracy* before_accuracy = nullptr;
};

// Loads both model files into sessions and measures them.
Comparison compare_models(const std::string& before_path, const std::string& after_path, const MeasureOptions& o);

// Top-1 of `s` on `eval`: each feed holds the model's inputs plus `label` (integer class ids,
// one per row of the first output; that output's last axis holds the class scores).
Accuracy top1_accuracy(const runtime::Session& s, const FeedSet& eval, const std::string& label, bool progress);

// Inputs for timing when no feed is given: uniform floats in [-1, 1), integers 0, dynamic
// dimensions 1 (seeded, the same for both models).
runtime::Feeds random_feeds(const runtime::Session& s, uint64_t seed);

}  // namespace ember::opt::quantize
