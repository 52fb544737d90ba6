// A loaded, planned model ready to run. Creating a session reads the model, infers types and
// shapes, chooses a kernel for every node and plans memory; `run` only executes. `run` is
// const and thread-safe: per-run state (value slots, arena) is private to each call.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ops/op_registry.h"
#include "runtime/session_options.h"
#include "support/thread_pool.h"

namespace ember::runtime {

class Plan;
class Profiler;
struct PlanStats;

struct IoInfo {
  std::string name;
  ir::TypeInfo type;  // dims with value -1 are dynamic
};

// One phase of session creation and its wall time (Session::creation_phases).
struct CreationPhase {
  std::string name;  // "load", "optimize" (with type inference), "kernels", "memory plan"
  double ms = 0;
};

using Feeds = std::vector<std::pair<std::string, Tensor>>;
// Feeds that may be sequences (RtValue::sequence) or empty optionals (RtValue::is_none).
using ValueFeeds = std::vector<std::pair<std::string, ops::RtValue>>;

class Session {
 public:
  static std::unique_ptr<Session> from_file(const std::string& path, const SessionOptions& opts);
  // The bytes are copied; the caller may free them after this returns.
  static std::unique_ptr<Session> from_memory(const void* data, size_t size, const SessionOptions& opts);
  // Plans an already built model (tests, optimizer round trips).
  static std::unique_ptr<Session> from_model(std::shared_ptr<ir::Model> model, const SessionOptions& opts);
  ~Session();

  const std::vector<IoInfo>& inputs() const { return inputs_; }
  const std::vector<IoInfo>& outputs() const { return outputs_; }
  const ir::Model& model() const { return *model_; }
  const SessionOptions& options() const { return opts_; }
  double creation_ms() const { return creation_ms_; }
  // Where creation_ms went, in order ("load" only for from_file / from_memory). With
  // EMBER_LOG_CREATION=1 in the environment, from_file and from_memory print them to stderr
  // with the five op types whose kernels took longest to build (prepacking, timing trials).
  const std::vector<CreationPhase>& creation_phases() const { return phases_; }
  const PlanStats& plan_stats() const;
  // Arena layouts learned so far for input shapes that make dynamic intermediates static
  // (runtime/arena_layout.h); 0 for a model whose intermediates all have static shapes.
  size_t learned_layouts() const;
  // The profiler recording runs (option `profile`), or null when profiling is off.
  Profiler* profiler() const { return profiler_.get(); }
  // Starts recording runs when the option did not (`path` empty: in memory only); returns
  // the existing profiler when there is one. Not while other threads run the session.
  Profiler& enable_profiling(const std::string& path = "");

  // Runs the model. Every graph input without a default must be fed; dtypes and static dims
  // are checked (TypeMismatch / ShapeMismatch). Empty `output_names` means all outputs, in
  // model order. Returned tensors own their memory.
  std::vector<Tensor> run(const Feeds& feeds, const std::vector<std::string>& output_names = {}) const;
  // The same for models with sequence or optional inputs/outputs: each fed value is checked
  // against the input's declared kind; outputs come back as tensors, sequences or empty
  // optionals (tensors, and sequence elements, that alias feeds or weights are copied).
  std::vector<ops::RtValue> run_values(const ValueFeeds& feeds,
                                       const std::vector<std::string>& output_names = {}) const;

 private:
  Session(std::shared_ptr<ir::Model> model, const SessionOptions& opts);

  SessionOptions opts_;
  std::shared_ptr<ir::Model> model_;
  std::vector<IoInfo> inputs_, outputs_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<Profiler> profiler_;  // writes its trace when destroyed
  std::unordered_set<const void*> constant_data_;  // outputs pointing here are copied
  std::vector<CreationPhase> phases_;
  double creation_ms_ = 0;
};

}  // namespace ember::runtime
