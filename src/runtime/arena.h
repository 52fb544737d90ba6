// A pool of equally sized, 64-byte aligned arenas. Each concurrent run borrows one, so runs
// never share intermediate memory and steady-state runs allocate nothing.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace ember::runtime {

class ArenaPool {
 public:
  explicit ArenaPool(size_t bytes) : bytes_(bytes) {}

  class Lease {
   public:
    Lease(ArenaPool& pool, std::unique_ptr<char, void (*)(void*)> block)
        : pool_(pool), block_(std::move(block)) {}
    ~Lease() { pool_.give_back(std::move(block_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    char* data() const { return block_.get(); }

   private:
    ArenaPool& pool_;
    std::unique_ptr<char, void (*)(void*)> block_;
  };

  std::unique_ptr<Lease> acquire();
  size_t bytes() const { return bytes_; }

 private:
  void give_back(std::unique_ptr<char, void (*)(void*)> block);

  size_t bytes_;
  std::mutex mu_;
  std::vector<std::unique_ptr<char, void (*)(void*)>> free_;
};

}  // namespace ember::runtime
