// Liveness-based placement of intermediate tensors in one arena. Buffers whose lifetimes do
// not overlap share memory; the result is a byte offset per buffer and the arena size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ember::runtime {

struct BufferRequest {
  size_t bytes = 0;
  int first_step = 0;  // step that writes it
  int last_step = 0;   // last step that reads it (inclusive)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per request, 64-byte aligned
  size_t arena_bytes = 0;
  size_t total_requested = 0;   // sum of request sizes (what no reuse would cost)
};

// Greedy best-fit by decreasing size: each buffer takes the lowest offset that does not
// collide with an already placed buffer whose lifetime overlaps.
MemoryPlan plan_memory(const std::vector<BufferRequest>& requests);

}  // namespace ember::runtime
