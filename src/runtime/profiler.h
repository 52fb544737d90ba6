// Per-step timing of session runs (session option `profile=PATH`, `ember bench --profile`).
//
// The executor times every step of a run into a private buffer and hands the buffer over
// once the run ends (one lock per run, so concurrent runs do not contend per step). The
// profiler keeps the events for a Chrome trace (the "traceEvents" JSON that chrome://tracing
// and ui.perfetto.dev open) and running totals per step for summaries. The trace is written
// by flush() and when the profiler is destroyed, always to a temporary name renamed into
// place, so a reader never sees a half-written file.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace ember::ir {
struct Node;
}

namespace ember::runtime {

class Plan;

// One step of one run.
struct StepRecord {
  uint32_t step = 0;      // index into the plan's steps
  uint32_t thread = 0;    // small id of the thread that ran it
  int64_t start_ns = 0;   // since the profiler was created
  int64_t dur_ns = 0;
  std::vector<std::optional<Dims>> inputs, outputs;  // nullopt: omitted or not a tensor
  double flops = 0;                                  // 0 when the op is not modelled
};

// Totals over every recorded run, for one op type or one node.
struct ProfileTotal {
  std::string name;    // op type, or node name
  std::string op;      // op type
  std::string kernel;  // kernel name(s), "/"-separated when an op type used several
  int64_t calls = 0;
  int64_t total_ns = 0;
  double flops = 0;
  double gflops_per_s() const { return total_ns > 0 ? flops / double(total_ns) : 0; }
};

class Profiler {
 public:
  using Clock = std::chrono::steady_clock;

  // `path` empty keeps everything in memory (summaries only). Otherwise the path is checked
  // for being writable now, so a bad path fails session creation rather than its end.
  explicit Profiler(std::string path);
  // Writes the trace when there is a path and a plan was set (a session whose creation failed
  // leaves no file); an error is reported on stderr (no throwing here).
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  const std::string& path() const { return path_; }

  // Names the steps of the plan whose runs are recorded (call once, before any run).
  void set_plan(const Plan& plan);

  int64_t since_start_ns(Clock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - origin_).count();
  }
  static uint32_t thread_id();  // small, stable per thread

  // A session-creation phase that started at `start` and ends now.
  void add_phase(const std::string& name, Clock::time_point start);
  // One finished run; `steps` are its step records (flops are filled in here).
  void add_run(Clock::time_point start, Clock::time_point end, std::vector<StepRecord> steps);

  // Writes the Chrome trace of everything recorded so far to path() (temporary name, then
  // rename); throws Error(Io) when it cannot. Does nothing without a path or when nothing was
  // recorded since the last flush.
  void flush() const;
  // The trace as JSON text.
  std::string trace_json() const;

  std::vector<ProfileTotal> totals_by_op() const;    // slowest first
  std::vector<ProfileTotal> totals_by_node() const;  // slowest first
  int64_t runs() const;
  int64_t run_ns() const;  // sum of the recorded runs' wall times
  int64_t dropped_events() const;

  // Step events kept for the trace; later ones only count in the totals.
  static constexpr size_t kMaxTraceEvents = 500000;

 private:
  struct StepInfo {
    std::string name, op, kernel;
    std::vector<std::string> fused_from;
    const ir::Node* node = nullptr;  // to compute flops from shapes
  };
  struct Phase {
    std::string name;
    const char* cat;  // "session" (creation) or "run"
    uint32_t thread;
    int64_t start_ns, dur_ns;
  };
  struct StepTotal {
    int64_t calls = 0, total_ns = 0;
    double flops = 0;
  };

  std::string path_;
  Clock::time_point origin_ = Clock::now();
  mutable std::mutex mu_;        // guards everything below
  mutable std::mutex write_mu_;  // one flush at a time, so an older snapshot never wins
  std::vector<StepInfo> info_;
  std::vector<StepTotal> totals_;
  std::vector<Phase> phases_;    // session-creation phases and whole runs
  std::vector<StepRecord> events_;
  int64_t runs_ = 0, run_ns_ = 0, dropped_ = 0;
  int64_t version_ = 0;                 // bumped by every record
  mutable int64_t written_version_ = -1;  // what the file holds (guarded by write_mu_)
  bool planned_ = false;
};

}  // namespace ember::runtime
