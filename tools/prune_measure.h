// What `ember prune` measures on the model before and after pruning: parameters (and how many
// are nonzero), estimated FLOPs, file size, latency (the two models run alternately, medians)
// and, with an evaluation set, top-1 accuracy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace ember::cli {

struct StaticCounts {
  int64_t params = 0, nonzero = 0;  // float32 initializer elements
  double flops = 0;                 // runtime::estimate_node_flops, plus 2 * nnz * positions for SparseMatMul
  uint64_t file_bytes = 0;          // the model file plus its external data file
};
StaticCounts static_counts(const std::string& path);

// Median milliseconds per run of `a` and `b` on the same random inputs, run alternately (at
// least `min_runs` each and `min_seconds` in total), so load from other processes hits both.
std::pair<double, double> paired_latency(const runtime::Session& a, const runtime::Session& b, int min_runs,
                                         double min_seconds);

// An evaluation set: feed batches and their integer labels. `path` is an .npz file or a folder
// of them; each holds the model's inputs by name (or, for a one-input model, the one array
// that is not the labels) and the labels as `label` or `labels`.
struct EvalSet {
  std::vector<runtime::Feeds> batches;
  std::vector<std::vector<int64_t>> labels;  // per batch, one per row of the output
  int64_t count() const;
};
EvalSet load_eval_set(const std::string& path, const runtime::Session& s);

// Top-1 accuracy in [0, 1]: argmax over the last axis of the first output vs the labels.
double top1_accuracy(const runtime::Session& s, const EvalSet& set);

}  // namespace ember::cli
