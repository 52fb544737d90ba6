#include "support/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ember {

namespace {

// How long an idle worker (or a caller waiting for its helpers) polls before it sleeps. Long
// enough to bridge the gap between two kernels of one inference, including a single-threaded
// node in between (a sleeping worker's futex wake-up on this VM costs tens of microseconds per
// node), short enough that an idle session gives its CPUs back within a millisecond. 50 us
// measured slower: MobileNetV2 at 2 threads median 3.34/3.27/3.14 ms vs 3.16/3.02/2.94 ms with
// 1 ms (ember bench --iterations 300, alternated, load < 1; ResNet-50 29.5/24.8 vs 26.4/23.1).
constexpr auto kSpin = std::chrono::microseconds(1000);
// After this long a polling thread also yields its CPU once per poll round. When the machine
// has more runnable threads than CPUs, the thread being waited for (the caller that will post
// the next job, a helper finishing its chunk) may be queued behind the poller on the same CPU;
// pure polling then burnt the poller's whole time slice first. ResNet-50 at 2 threads under
// other processes' load (load average 6-7 on 2 CPUs, `ember bench --threads 2 --iterations 20`,
// variants alternated, 4-5 rounds): median 138-147 ms polling, 60-93 ms yielding (1 thread:
// 62-91 ms). On an idle CPU sched_yield returns at once, and the first 50 us (the usual gap
// between two nodes) still poll without it.
constexpr auto kSpinBeforeYield = std::chrono::microseconds(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Polls `ready` for at most kSpin (yielding the CPU after kSpinBeforeYield); true when it
// became true.
template <class Pred>
bool spin_until(Pred ready) {
  if (ready()) return true;
  const auto start = std::chrono::steady_clock::now();
  bool yielding = false;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      cpu_relax();
      if (ready()) return true;
    }
    if (yielding) sched_yield();
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= kSpin) return false;
    yielding = waited >= kSpinBeforeYield;
  }
}

}  // namespace

// One parallel_for call, on the caller's stack. Chunks are claimed through `next`. `slots`
// is how many more helpers may join (guarded by the pool mutex); `active` counts helpers
// inside work(). The caller returns only once the job has left the queue and `active` is 0,
// so no helper touches the job after that.
struct ThreadPool::Job {
  FunctionRef<void(int64_t, int64_t)> fn;
  int64_t n = 0, chunk = 1;
  std::atomic<int64_t> next{0};
  int slots = 0;
  std::atomic<int> active{0};
  bool caller_sleeping = false;  // guarded by the pool mutex
  std::atomic<bool> failed{false};
  std::exception_ptr error;  // written by the first chunk that throws (see `failed`)

  explicit Job(FunctionRef<void(int64_t, int64_t)> f) : fn(f) {}

  void work() {
    for (;;) {
      const int64_t b = next.fetch_add(chunk, std::memory_order_relaxed);
      if (b >= n) return;
      const int64_t e = std::min(n, b + chunk);
      try {
        fn(b, e);
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  }
};

ThreadPool::ThreadPool(int threads) {
  queue_.reserve(16);
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

ThreadPool::Job* ThreadPool::wait_for_job() {
  spin_until([&] { return queued_.load(std::memory_order_relaxed) > 0; });
  std::unique_lock<std::mutex> lk(mu_);
  while (queue_.empty() && !stop_) {
    ++sleeping_;
    work_cv_.wait(lk);
    --sleeping_;
  }
  if (queue_.empty()) return nullptr;  // stopping
  Job* job = queue_.front();
  job->active.fetch_add(1, std::memory_order_relaxed);
  if (--job->slots == 0) {
    queue_.erase(queue_.begin());
    queued_.store(int(queue_.size()), std::memory_order_relaxed);
  }
  return job;
}

void ThreadPool::leave_job(Job& job) {
  std::lock_guard<std::mutex> lk(mu_);
  // Read before the decrement: once `active` reaches 0 the caller may return and the job dies.
  const bool wake = job.caller_sleeping;
  if (job.active.fetch_sub(1, std::memory_order_acq_rel) == 1 && wake) done_cv_.notify_all();
}

void ThreadPool::worker_loop() {
  while (Job* job = wait_for_job()) {
    job->work();
    leave_job(*job);
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_chunks = std::max<int64_t>(1, n / grain);
  const int64_t parts = std::min<int64_t>(max_chunks, int64_t(threads()) * 4);
  if (workers_.empty() || parts <= 1) {
    fn(0, n);
    return;
  }
  Job job(fn);
  job.n = n;
  job.chunk = (n + parts - 1) / parts;
  const int helpers = int(std::min<int64_t>(int64_t(workers_.size()), parts - 1));
  job.slots = helpers;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(&job);
    queued_.store(int(queue_.size()), std::memory_order_relaxed);
    wake = sleeping_ > 0;
  }
  if (wake) {
    if (helpers == 1) work_cv_.notify_one();
    else work_cv_.notify_all();
  }
  job.work();
  {
    // Every chunk is claimed: stop further helpers from joining.
    std::lock_guard<std::mutex> lk(mu_);
    if (job.slots > 0) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), &job));
      queued_.store(int(queue_.size()), std::memory_order_relaxed);
      job.slots = 0;
    }
  }
  if (!spin_until([&] { return job.active.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lk(mu_);
    job.caller_sleeping = true;
    done_cv_.wait(lk, [&] { return job.active.load(std::memory_order_acquire) == 0; });
  }
  if (job.failed.load(std::memory_order_acquire)) std::rethrow_exception(job.error);
}

namespace thread_count_detail {

double parse_cpu_max(const std::string& contents) {
  std::istringstream in(contents);
  std::string quota;
  double period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return 0;
  char* end = nullptr;
  const double q = std::strtod(quota.c_str(), &end);
  if (end == quota.c_str() || *end != '\0' || q <= 0) return 0;
  return q / period;
}

double parse_cfs_quota(const std::string& quota_us, const std::string& period_us) {
  std::istringstream q_in(quota_us), p_in(period_us);
  double q = -1, p = 0;
  if (!(q_in >> q) || !(p_in >> p) || q <= 0 || p <= 0) return 0;
  return q / p;
}

std::string parse_cgroup_path(const std::string& proc_self_cgroup, bool v2) {
  std::istringstream in(proc_self_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    // hierarchy-ID:controller-list:path (the path may itself contain ':')
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (v2) {
      if (id == "0" && controllers.empty()) return path;
      continue;
    }
    std::istringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ','))
      if (c == "cpu") return path;
  }
  return "";
}

int threads_for(int affinity_cpus, double quota_cpus) {
  int n = std::max(1, affinity_cpus);
  if (quota_cpus > 0) n = std::min(n, std::max(1, int(std::ceil(quota_cpus - 1e-9))));
  return n;
}

}  // namespace thread_count_detail

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The smallest quota from the process's cgroup up to the root of `mount` (a limit set on any
// ancestor applies); 0 when none is set.
template <class ReadQuota>
double smallest_quota(const std::string& mount, std::string path, ReadQuota read_quota) {
  double best = 0;
  for (;;) {
    const double q = read_quota(mount + (path == "/" ? "" : path));
    if (q > 0 && (best == 0 || q < best)) best = q;
    if (path.empty() || path == "/") break;
    const size_t slash = path.find_last_of('/');
    path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }
  return best;
}

// CPUs granted by the cgroup quota; cgroup v2 then v1; 0 when unlimited.
double cgroup_cpu_limit() {
  using namespace thread_count_detail;
  const std::string self = read_file("/proc/self/cgroup");
  std::string path = parse_cgroup_path(self, true);
  if (!path.empty() || self.empty()) {
    const double q = smallest_quota("/sys/fs/cgroup", path.empty() ? "/" : path,
                                    [](const std::string& dir) { return parse_cpu_max(read_file(dir + "/cpu.max")); });
    if (q > 0) return q;
  }
  path = parse_cgroup_path(self, false);
  for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    const double q = smallest_quota(mount, path.empty() ? "/" : path, [](const std::string& dir) {
      return parse_cfs_quota(read_file(dir + "/cpu.cfs_quota_us"), read_file(dir + "/cpu.cfs_period_us"));
    });
    if (q > 0) return q;
  }
  return 0;
}

}  // namespace

int default_thread_count() {
  int n = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
  else n = int(std::max(1u, std::thread::hardware_concurrency()));
  return thread_count_detail::threads_for(n, cgroup_cpu_limit());
}

}  // namespace ember
