// A persistent worker pool with a blocking parallel_for. Several threads may call
// parallel_for at once (one session run from many threads), and a task may itself call
// parallel_for (a Loop body): the caller always works on its own job and only ever waits for
// helpers that joined that job from an idle state, so nesting never deadlocks.
//
// One inference issues hundreds of parallel_for calls back to back, so dispatch is kept
// cheap: the job lives on the caller's stack (no allocation), the body is passed by
// reference (FunctionRef, no std::function copy), idle workers spin for a few tens of
// microseconds before sleeping (the next call usually finds them awake, no futex wake-up),
// and the caller only signals the condition variable when a worker is actually asleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>  // callers pass std::function too (and some rely on what it brings in)
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace ember {

// A non-owning reference to a callable, valid while the callable lives (parallel_for blocks,
// so a lambda temporary passed to it outlives every use).
template <class Sig>
class FunctionRef;

template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit, like std::function
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, A... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(a...); }) {}
  R operator()(A... a) const { return call_(obj_, a...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

class ThreadPool {
 public:
  // `threads` counts the calling thread: ThreadPool(1) runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }

  // Calls fn(begin, end) over [0, n) in chunks of at least `grain` items. The first
  // exception thrown by a chunk is rethrown here after every started chunk has finished.
  void parallel_for(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn);

 private:
  struct Job;
  void worker_loop();
  Job* wait_for_job();  // a job with a free helper slot, or null when stopping
  void leave_job(Job& job);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable work_cv_;  // workers sleep here when no job is queued
  std::condition_variable done_cv_;  // callers sleep here while helpers finish their chunks
  std::vector<Job*> queue_;          // jobs that still want helpers (guarded by mu_)
  std::atomic<int> queued_{0};       // queue_.size(), read without the lock while spinning
  int sleeping_ = 0;                 // workers waiting on work_cv_ (guarded by mu_)
  bool stop_ = false;
};

// Threads the process may use: its CPU affinity, capped by a cgroup CPU quota when one is set.
int default_thread_count();

namespace thread_count_detail {
// The parsing behind default_thread_count, on file contents so it can be tested with fakes.
// CPUs granted by a cgroup v2 `cpu.max` ("max 100000" or "150000 100000"); 0 for no limit or
// unreadable text.
double parse_cpu_max(const std::string& contents);
// CPUs granted by cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1: no limit).
double parse_cfs_quota(const std::string& quota_us, const std::string& period_us);
// The cgroup path of the process from `/proc/self/cgroup`: the v2 entry ("0::/a/b") when
// `v2`, else the v1 entry whose controller list contains "cpu"; empty when there is none.
std::string parse_cgroup_path(const std::string& proc_self_cgroup, bool v2);
// Affinity CPUs capped by a quota (rounded up, at least 1); quota 0 means no limit.
int threads_for(int affinity_cpus, double quota_cpus);
}  // namespace thread_count_detail

}  // namespace ember
