#include "support/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

namespace ember {

// One parallel_for call. Chunks are claimed through `next`; `done` counts finished items so
// the caller knows when helpers still running a chunk have finished.
struct ThreadPool::Job {
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0, chunk = 1;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::exception_ptr error;
  std::mutex error_mu;
  std::mutex done_mu;
  std::condition_variable done_cv;

  // Runs chunks until none are left; returns after contributing.
  void work() {
    for (;;) {
      const int64_t b = next.fetch_add(chunk);
      if (b >= n) return;
      const int64_t e = std::min(n, b + chunk);
      try {
        (*fn)(b, e);
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mu);
        if (!error) error = std::current_exception();
      }
      if (done.fetch_add(e - b) + (e - b) == n) {
        std::lock_guard<std::mutex> lk(done_mu);
        done_cv.notify_all();
      }
    }
  }
};

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::worker_loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job->work();
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_chunks = std::max<int64_t>(1, n / grain);
  const int64_t parts = std::min<int64_t>(max_chunks, int64_t(threads()) * 4);
  if (workers_.empty() || parts <= 1) {
    fn(0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  job->chunk = (n + parts - 1) / parts;
  const int helpers = int(std::min<int64_t>(int64_t(workers_.size()), parts - 1));
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (int i = 0; i < helpers; ++i) queue_.push_back(job);
  }
  if (helpers == 1) cv_.notify_one(); else cv_.notify_all();
  job->work();
  {
    std::unique_lock<std::mutex> lk(job->done_mu);
    job->done_cv.wait(lk, [&] { return job->done.load() == n; });
  }
  if (job->error) std::rethrow_exception(job->error);
}

namespace {

// CPUs granted by the cgroup quota ("max" or absent: no limit); cgroup v2 then v1.
double cgroup_cpu_limit() {
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (v2 >> quota >> period) {
    if (quota != "max" && period > 0) return std::stod(quota) / period;
    return 0;
  }
  std::ifstream q1("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), p1("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  double q = -1, p = 0;
  if (q1 >> q && p1 >> p && q > 0 && p > 0) return q / p;
  return 0;
}

}  // namespace

int default_thread_count() {
  int n = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
  else n = int(std::max(1u, std::thread::hardware_concurrency()));
  const double limit = cgroup_cpu_limit();
  if (limit > 0) n = std::min(n, std::max(1, int(std::ceil(limit))));
  return std::max(1, n);
}

}  // namespace ember
