#include "support/file_reads.h"

#include <unistd.h>

#include <cstdint>
#include <map>
#include <mutex>

namespace ember {
namespace {

struct Span {
  size_t length;
  int fd;
};

struct Registry {
  std::mutex mutex;
  std::map<uintptr_t, Span> spans;  // start -> span
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: used from destructors
  return *r;
}

}  // namespace

void register_file_mapping(const void* start, size_t length, int fd) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.spans[reinterpret_cast<uintptr_t>(start)] = Span{length, fd};
}

void unregister_file_mapping(const void* start) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.spans.erase(reinterpret_cast<uintptr_t>(start));
}

bool read_mapped_bytes(const void* p, size_t n, void* dst) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  int fd = -1;
  off_t offset = 0;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.spans.upper_bound(a);
    if (it == r.spans.begin()) return false;
    --it;
    if (a < it->first || n > it->second.length || a - it->first > it->second.length - n) return false;
    fd = it->second.fd;
    offset = off_t(a - it->first);
  }
  auto* out = static_cast<unsigned char*>(dst);
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, offset);
    if (got <= 0) return false;  // the caller copies the rest (all of it) from the mapping
    out += got;
    offset += got;
    n -= size_t(got);
  }
  return true;
}

}  // namespace ember
