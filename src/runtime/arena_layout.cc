#include "runtime/arena_layout.h"

namespace ember::runtime {

std::shared_ptr<const ArenaLayout> make_arena_layout(size_t slots, const std::vector<SlotRequest>& requests,
                                                     const std::vector<size_t>* observed) {
  std::vector<BufferRequest> buffers;
  std::vector<int> buffer_slot;
  for (const SlotRequest& r : requests) {
    const size_t bytes = r.bytes ? r.bytes : observed ? (*observed)[size_t(r.slot)] : 0;
    if (!bytes) continue;
    buffers.push_back(BufferRequest{bytes, r.first_step, r.last_step});
    buffer_slot.push_back(r.slot);
  }
  const MemoryPlan mem = plan_memory(buffers);
  auto layout = std::make_shared<ArenaLayout>();
  layout->offset.assign(slots, SIZE_MAX);
  layout->bytes.assign(slots, 0);
  for (size_t b = 0; b < buffers.size(); ++b) {
    layout->offset[size_t(buffer_slot[b])] = mem.offsets[b];
    layout->bytes[size_t(buffer_slot[b])] = buffers[b].bytes;
  }
  layout->arenas = std::make_unique<ArenaPool>(mem.arena_bytes);
  layout->planned_bytes_without_reuse = mem.total_requested;
  return layout;
}

std::shared_ptr<const ArenaLayout> ShapedLayouts::find(const std::vector<Dims>& input_shapes) const {
  std::lock_guard<std::mutex> lk(mu_);
  const auto it = by_shapes_.find(input_shapes);
  return it == by_shapes_.end() ? nullptr : it->second;
}

void ShapedLayouts::add(const std::vector<Dims>& input_shapes, std::shared_ptr<const ArenaLayout> layout) {
  std::lock_guard<std::mutex> lk(mu_);
  if (by_shapes_.size() < kMaxEntries) by_shapes_.emplace(input_shapes, std::move(layout));
}

size_t ShapedLayouts::size() const {
  std::lock_guard<std::mutex> lk(mu_);
  return by_shapes_.size();
}

}  // namespace ember::runtime
