#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/thread_pool.h"

TEST_CASE("runtime: parallel_for covers every index exactly once") {
  ember::ThreadPool pool(3);
  for (int64_t n : {1, 7, 17, 1000, 12345}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.parallel_for(n, 3, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[size_t(i)]++;
    });
    for (auto& h : hits) CHECK(h.load() == 1);
  }
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

TEST_CASE("runtime: parallel_for propagates exceptions") {
  ember::ThreadPool pool(2);
  CHECK_THROWS(pool.parallel_for(100, 1, [](int64_t b, int64_t) {
    if (b == 0) throw std::runtime_error("boom");
  }));
}

TEST_CASE("runtime: default thread count is positive") { CHECK(ember::default_thread_count() >= 1); }
