#include <doctest/doctest.h>

#include <random>

#include "runtime/memory_planner.h"
#include "test_util.h"

using ember::runtime::BufferRequest;
using ember::runtime::plan_memory;

namespace {

bool overlap_in_time(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

TEST_CASE("runtime: memory plan never lets live buffers overlap") {
  auto& rng = ember::test::rng();
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferRequest> reqs;
    const int n = 1 + int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const int first = int(rng() % 30);
      reqs.push_back(BufferRequest{size_t(1 + rng() % 5000), first, first + int(rng() % 8)});
    }
    const auto plan = plan_memory(reqs);
    REQUIRE(plan.offsets.size() == reqs.size());
    for (int i = 0; i < n; ++i) {
      CHECK(plan.offsets[i] % 64 == 0);
      CHECK(plan.offsets[i] + reqs[i].bytes <= plan.arena_bytes);
      for (int j = i + 1; j < n; ++j) {
        if (!overlap_in_time(reqs[i], reqs[j])) continue;
        const bool disjoint = plan.offsets[i] + reqs[i].bytes <= plan.offsets[j] ||
                              plan.offsets[j] + reqs[j].bytes <= plan.offsets[i];
        CHECK_MESSAGE(disjoint, "buffers ", i, " and ", j, " overlap (seed ", ember::test::seed(), ")");
      }
    }
  }
}

TEST_CASE("runtime: memory plan reuses memory of dead buffers") {
  // A chain a -> b -> c -> d: each buffer dies right after the next is written, so two slots
  // of the largest size suffice.
  std::vector<BufferRequest> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  const auto plan = plan_memory(chain);
  CHECK(plan.arena_bytes == 2 * 1024);
  CHECK(plan.total_requested == 4 * 1024);
}
