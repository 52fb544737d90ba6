#include "runtime/arena.h"

#include <cstdlib>

#include "ir/tensor.h"
#include "support/error.h"

namespace ember::runtime {

std::unique_ptr<ArenaPool::Lease> ArenaPool::acquire() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!free_.empty()) {
      auto block = std::move(free_.back());
      free_.pop_back();
      return std::make_unique<Lease>(*this, std::move(block));
    }
  }
  const size_t rounded = (bytes_ + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  char* p = static_cast<char*>(std::aligned_alloc(kTensorAlignment, rounded ? rounded : kTensorAlignment));
  EMBER_CHECK(p, OutOfMemory, "cannot allocate a ", bytes_, "-byte arena");
  return std::make_unique<Lease>(*this, std::unique_ptr<char, void (*)(void*)>(p, std::free));
}

void ArenaPool::give_back(std::unique_ptr<char, void (*)(void*)> block) {
  std::lock_guard<std::mutex> lk(mu_);
  free_.push_back(std::move(block));
}

}  // namespace ember::runtime
