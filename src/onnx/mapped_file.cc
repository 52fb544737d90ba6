#include "onnx/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "support/error.h"
#include "support/file_reads.h"

namespace ember::onnx {

namespace {

// Closes the descriptor on every failing path out of open() (a mapped file keeps it, fd_).
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

// Live mappings by start address, so release_pages() can tell a mapped weight from heap
// memory. The mutex also keeps a mapping from being unmapped while its pages are released.
struct MappingRegistry {
  std::mutex mutex;
  std::map<uintptr_t, size_t> spans;  // start -> length
};

MappingRegistry& registry() {
  static MappingRegistry* r = new MappingRegistry();  // never destroyed: used from destructors
  return *r;
}

// The registered span holding address `a` (caller holds the mutex), or end().
std::map<uintptr_t, size_t>::const_iterator span_holding(const MappingRegistry& r, uintptr_t a) {
  auto it = r.spans.upper_bound(a);
  if (it == r.spans.begin()) return r.spans.end();
  --it;
  return a < it->first + it->second ? it : r.spans.end();
}

}  // namespace

size_t MappedFile::release_pages(const void* p, size_t n) {
  if (!p || n == 0) return 0;
  static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t lo = reinterpret_cast<uintptr_t>(p);
  const uintptr_t hi = n > UINTPTR_MAX - lo ? UINTPTR_MAX : lo + n;
  MappingRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto it = span_holding(r, lo);
  if (it == r.spans.end()) return 0;
  const uintptr_t end = it->first + it->second;
  // Widen to whole pages, clamped to the mapping (which starts on a page and covers its last
  // page whole).
  const uintptr_t a = lo / page * page;
  const uintptr_t b = (std::min(hi, end) + page - 1) / page * page;
  if (b <= a) return 0;
  if (::madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED) != 0) return 0;  // advice only
  return size_t(b - a);
}

std::pair<const void*, size_t> MappedFile::mapping_of(const void* p) {
  MappingRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto it = span_holding(r, reinterpret_cast<uintptr_t>(p));
  if (it == r.spans.end()) return {nullptr, 0};
  return {reinterpret_cast<const void*>(it->first), it->second};
}

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
  FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) fail(Status::Io, "cannot open '", path, "': ", std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail(Status::Io, "cannot stat '", path, "': ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(Status::Io, "'", path, "' is not a regular file");

  std::shared_ptr<MappedFile> f(new MappedFile());
  f->path_ = path;
  f->size_ = size_t(st.st_size);
  if (f->size_ == 0) return f;  // mmap refuses length 0; an empty model fails in the decoder
  // Read-only: initializers wrap these pages in place, and constants must never be written.
  // A stray write through one is a bug that should fault, not silently alter the weights.
  void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (p == MAP_FAILED) fail(Status::Io, "cannot map '", path, "': ", std::strerror(errno));
  f->data_ = static_cast<const uint8_t*>(p);
  f->fd_ = fd.fd;
  fd.fd = -1;  // the file owns it now
  register_file_mapping(p, f->size_, f->fd_);
  MappingRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.spans[reinterpret_cast<uintptr_t>(p)] = f->size_;
  return f;
}

MappedFile::~MappedFile() {
  if (!data_) return;
  unregister_file_mapping(data_);
  if (fd_ >= 0) ::close(fd_);
  MappingRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.spans.erase(reinterpret_cast<uintptr_t>(data_));
  ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace ember::onnx
