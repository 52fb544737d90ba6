// Where each intermediate of a plan lives: an arena offset per slot (or the heap), built from
// the slots' lifetimes and sizes by plan_memory. A plan has one layout from the statically
// inferred shapes. Models exported with dynamic axes (a symbolic batch or sequence) leave many
// intermediates without a static size; those went to the heap on every run (an allocation, and
// for big tensors fresh pages to fault in, per intermediate per run: MobileNetV2 with a
// symbolic batch took ~320 more page faults per run and 10 MB more peak RSS). So the first run
// with given input shapes records the sizes it saw, and the layout built from them serves
// every later run with the same input shapes (ShapedLayouts).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "ir/tensor.h"
#include "runtime/arena.h"
#include "runtime/memory_planner.h"

namespace ember::runtime {

struct ArenaLayout {
  std::vector<size_t> offset;  // per slot: byte offset in the arena, SIZE_MAX = heap
  std::vector<size_t> bytes;   // per slot: room at that offset
  std::unique_ptr<ArenaPool> arenas;
  size_t planned_bytes_without_reuse = 0;
};

// An intermediate the arena may hold: its lifetime in steps, and its size (0 = known only at
// run time).
struct SlotRequest {
  int slot = 0;
  int first_step = 0, last_step = 0;
  size_t bytes = 0;
};

// Lays out the slots of `requests` whose size is known: sized ones as given, the others with
// `observed[slot]` when `observed` is given and that entry is non-zero; the rest stay on the heap.
std::shared_ptr<const ArenaLayout> make_arena_layout(size_t slots, const std::vector<SlotRequest>& requests,
                                                     const std::vector<size_t>* observed = nullptr);

// Layouts learned per tuple of input shapes; thread-safe. At most kMaxEntries are kept, so a
// stream of ever-new shapes cannot grow memory without bound (beyond that, the heap serves).
class ShapedLayouts {
 public:
  static constexpr size_t kMaxEntries = 8;
  std::shared_ptr<const ArenaLayout> find(const std::vector<Dims>& input_shapes) const;
  void add(const std::vector<Dims>& input_shapes, std::shared_ptr<const ArenaLayout> layout);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::vector<Dims>, std::shared_ptr<const ArenaLayout>> by_shapes_;
};

}  // namespace ember::runtime
