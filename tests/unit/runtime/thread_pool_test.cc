#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/thread_pool.h"

namespace {

// Counts how often each index of [0, n) was visited and checks it is exactly once.
void check_covers_once(ember::ThreadPool& pool, int64_t n, int64_t grain) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  pool.parallel_for(n, grain, [&](int64_t b, int64_t e) {
    REQUIRE(b < e);
    for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
  });
  int64_t wrong = 0;
  for (auto& h : hits) wrong += h.load() != 1;
  CHECK_MESSAGE(wrong == 0, "n=", n, " grain=", grain, ": ", wrong, " indices not visited exactly once");
}

}  // namespace

TEST_CASE("runtime: parallel_for covers every index exactly once") {
  for (int threads : {1, 2, 3, 5}) {
    ember::ThreadPool pool(threads);
    CHECK(pool.threads() == threads);
    for (int64_t n : {1, 7, 17, 63, 129, 1000, 12345})
      for (int64_t grain : {0, 1, 3, 64, 100000}) check_covers_once(pool, n, grain);
  }
}

TEST_CASE("runtime: parallel_for with n <= 0 calls nothing") {
  ember::ThreadPool pool(2);
  int calls = 0;
  pool.parallel_for(0, 1, [&](int64_t, int64_t) { ++calls; });
  pool.parallel_for(-5, 1, [&](int64_t, int64_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("runtime: parallel_for takes a std::function by reference") {
  ember::ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  const std::function<void(int64_t, int64_t)> body = [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) sum += i;
  };
  pool.parallel_for(100, 1, body);
  CHECK(sum.load() == 99 * 100 / 2);
}

TEST_CASE("runtime: parallel_for may nest and be called from several threads") {
  ember::ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&] {
      pool.parallel_for(20, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          pool.parallel_for(10, 1, [&](int64_t b2, int64_t e2) { total += e2 - b2; });
      });
    });
  for (auto& c : callers) c.join();
  CHECK(total.load() == 3 * 20 * 10);
}

TEST_CASE("runtime: thread pool stress: three levels of nesting from concurrent callers") {
  ember::ThreadPool pool(4);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  constexpr int kCallers = 4, kRounds = 20;
  for (int t = 0; t < kCallers; ++t)
    callers.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r)
        pool.parallel_for(6, 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i)
            pool.parallel_for(5, 1, [&](int64_t b2, int64_t e2) {
              for (int64_t j = b2; j < e2; ++j)
                pool.parallel_for(7, 1, [&](int64_t b3, int64_t e3) { total += e3 - b3; });
            });
        });
    });
  for (auto& c : callers) c.join();
  CHECK(total.load() == int64_t(kCallers) * kRounds * 6 * 5 * 7);
}

TEST_CASE("runtime: thread pool stress: many tiny jobs back to back from concurrent callers") {
  ember::ThreadPool pool(3);
  constexpr int kCallers = 3, kJobs = 5000;
  std::vector<int64_t> sums(kCallers, 0);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t)
    callers.emplace_back([&, t] {
      for (int j = 0; j < kJobs; ++j) {
        std::atomic<int64_t> s{0};
        pool.parallel_for(4, 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) s += i + 1;
        });
        sums[size_t(t)] += s.load();  // the job must be complete when parallel_for returns
      }
    });
  for (auto& c : callers) c.join();
  for (int64_t s : sums) CHECK(s == int64_t(kJobs) * 10);
}

TEST_CASE("runtime: thread pool: workers that went to sleep still pick up work") {
  ember::ThreadPool pool(3);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // longer than the spin
    std::atomic<int> distinct{0};
    std::vector<std::atomic<int>> seen(3);
    std::atomic<int> arrived{0};
    // Every chunk waits (bounded) until three are running at once, so a finish within the
    // bound means the sleeping workers were woken.
    pool.parallel_for(3, 1, [&](int64_t b, int64_t) {
      ++arrived;
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (arrived.load() < 3 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      if (seen[size_t(b)]++ == 0) ++distinct;
    });
    CHECK(arrived.load() == 3);
    CHECK(distinct.load() == 3);
  }
}

TEST_CASE("runtime: parallel_for propagates exceptions") {
  ember::ThreadPool pool(2);
  CHECK_THROWS_AS(pool.parallel_for(100, 1, [](int64_t b, int64_t) {
    if (b == 0) throw std::runtime_error("boom");
  }), std::runtime_error);
  // A nested failure surfaces at the outer call, and the pool still works afterwards.
  CHECK_THROWS_WITH(pool.parallel_for(8, 1, [&](int64_t, int64_t) {
    pool.parallel_for(8, 1, [](int64_t b, int64_t) {
      if (b >= 4) throw std::runtime_error("inner");
    });
  }), "inner");
  check_covers_once(pool, 1000, 1);
}

TEST_CASE("runtime: default thread count is positive") { CHECK(ember::default_thread_count() >= 1); }

TEST_CASE("runtime: cgroup cpu.max parsing") {
  using ember::thread_count_detail::parse_cpu_max;
  CHECK(parse_cpu_max("max 100000\n") == 0);
  CHECK(parse_cpu_max("150000 100000\n") == doctest::Approx(1.5));
  CHECK(parse_cpu_max("200000 100000") == doctest::Approx(2.0));
  CHECK(parse_cpu_max("50000 100000\n") == doctest::Approx(0.5));
  CHECK(parse_cpu_max("") == 0);
  CHECK(parse_cpu_max("garbage") == 0);
  CHECK(parse_cpu_max("12x 100000") == 0);
  CHECK(parse_cpu_max("100000 0") == 0);
}

TEST_CASE("runtime: cgroup v1 cfs quota parsing") {
  using ember::thread_count_detail::parse_cfs_quota;
  CHECK(parse_cfs_quota("-1\n", "100000\n") == 0);
  CHECK(parse_cfs_quota("300000\n", "100000\n") == doctest::Approx(3.0));
  CHECK(parse_cfs_quota("25000", "100000") == doctest::Approx(0.25));
  CHECK(parse_cfs_quota("", "100000") == 0);
  CHECK(parse_cfs_quota("100000", "") == 0);
}

TEST_CASE("runtime: /proc/self/cgroup parsing") {
  using ember::thread_count_detail::parse_cgroup_path;
  const std::string v1 = "9:name=systemd:/\n4:memory:/x/y\n2:cpuacct,cpu:/kube/pod1\n1:cpuset:/\n";
  CHECK(parse_cgroup_path(v1, false) == "/kube/pod1");
  CHECK(parse_cgroup_path(v1, true) == "");
  const std::string v2 = "0::/user.slice/app:odd.scope\n";
  CHECK(parse_cgroup_path(v2, true) == "/user.slice/app:odd.scope");
  CHECK(parse_cgroup_path(v2, false) == "");
  CHECK(parse_cgroup_path("1:cpuacct:/a\n", false) == "");  // "cpuacct" is not "cpu"
  CHECK(parse_cgroup_path("", true) == "");
}

TEST_CASE("runtime: thread count from affinity and quota") {
  using ember::thread_count_detail::threads_for;
  CHECK(threads_for(8, 0) == 8);      // no quota
  CHECK(threads_for(8, 2.0) == 2);
  CHECK(threads_for(8, 1.5) == 2);    // a fractional CPU still gets a thread
  CHECK(threads_for(8, 0.25) == 1);
  CHECK(threads_for(2, 16.0) == 2);   // the quota never raises the affinity count
  CHECK(threads_for(0, 0) == 1);
}
