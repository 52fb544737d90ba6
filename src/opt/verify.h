// Verify mode: runs a model unoptimized (level 0) and optimized on the same inputs, compares
// every output, and when they differ bisects on the optimizer's rewrite budget (stop_after) to
// name the first rewrite whose inclusion makes the outputs differ.
//
// Unlike the passes, this runs sessions (src/runtime): it is the optimizer's test harness,
// shared by `ember verify` and ember.verify, and lives next to the optimizer it checks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "opt/optimizer.h"
#include "runtime/session.h"

namespace ember::opt {

// Named tolerance tiers, chosen by the output's dtype unless rtol/atol are given: an element
// passes when |optimized - reference| <= atol + rtol * |reference|.
struct Tolerance {
  const char* tier;  // "float32", "float16", "float64", "exact"
  double rtol;
  double atol;
};
Tolerance tolerance_for(DType dtype);

struct VerifyOptions {
  int level = 3;
  double rtol = -1;  // < 0: the dtype's tier
  double atol = -1;
  int threads = 0;
  uint64_t seed = 0;  // of the random values for inputs not given
  std::vector<std::shared_ptr<const Pass>> extra_passes;  // tests: a deliberately broken pass
};

struct OutputComparison {
  std::string name;
  std::string tier;        // the tolerance used: "float32" or "given"
  double rtol = 0, atol = 0;
  double max_abs = 0;      // over all elements
  double max_rel = 0;      // |a-b| / |b| over elements with b != 0
  int64_t mismatches = 0;  // elements outside the tolerance
  std::string problem;     // shape/dtype differences or a run error; "" when comparable
  bool ok() const { return problem.empty() && mismatches == 0; }
};

struct VerifyResult {
  std::vector<std::string> applied;            // the full optimization's rewrites, in order
  std::vector<OutputComparison> outputs;       // fully optimized vs level 0
  bool ok = true;
  // When !ok: the first rewrite (index into `applied`) whose inclusion makes outputs differ,
  // and the comparison with rewrites 0..first_bad applied. -1 when bisecting found none (the
  // prefix runs all matched: the difference needs several rewrites together).
  int64_t first_bad = -1;
  std::string first_bad_label;
  std::vector<OutputComparison> first_bad_outputs;
  int bisect_runs = 0;
};

// Fresh copies of the model: every run optimizes one in place.
using ModelLoader = std::function<std::shared_ptr<ir::Model>()>;

// Inputs missing from `feeds` get random values from random_feed (opt/random_feed.h), as
// `ember run --random-inputs` does.
VerifyResult verify(const ModelLoader& load, const runtime::Feeds& feeds, const VerifyOptions& options);
VerifyResult verify_file(const std::string& path, const runtime::Feeds& feeds, const VerifyOptions& options);

// A human-readable report (what `ember verify` prints) and a JSON one (--json).
std::string format_report(const VerifyResult& r);
std::string format_json(const VerifyResult& r);

}  // namespace ember::opt
