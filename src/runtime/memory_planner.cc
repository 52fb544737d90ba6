#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

#include "ir/tensor.h"

namespace ember::runtime {

namespace {

size_t align_up(size_t n) { return (n + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment; }

bool lifetimes_overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  for (size_t r : order) {
    const size_t bytes = align_up(requests[r].bytes);
    plan.total_requested += bytes;
    // Intervals already taken by live-overlapping buffers, sorted by offset.
    std::vector<std::pair<size_t, size_t>> taken;
    for (size_t p : placed)
      if (lifetimes_overlap(requests[p], requests[r]))
        taken.emplace_back(plan.offsets[p], plan.offsets[p] + align_up(requests[p].bytes));
    std::sort(taken.begin(), taken.end());
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& [b, e] : taken) {
      if (b > cursor && b - cursor >= bytes && b - cursor < best_gap) {
        best = cursor;
        best_gap = b - cursor;
      }
      cursor = std::max(cursor, e);
    }
    plan.offsets[r] = best != SIZE_MAX ? best : cursor;
    plan.arena_bytes = std::max(plan.arena_bytes, plan.offsets[r] + bytes);
    placed.push_back(r);
  }
  return plan;
}

}  // namespace ember::runtime
