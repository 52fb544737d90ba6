// A read-only memory mapping of a whole file (RAII). Model files and external-data files are
// mapped rather than read so large initializers can be used in place, without a copy, and
// pages the model never touches are never loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace ember::onnx {

class MappedFile {
 public:
  // Throws Io (naming the path and the OS error) when the file cannot be opened, is not a
  // regular file, or cannot be mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }  // null for an empty file
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Drops this process's copies of the pages of live MappedFile mappings that [p, p + n)
  // overlaps (whole pages, so a neighbouring tensor's edge page may go too), and returns the
  // bytes dropped; memory that is not such a mapping is left alone (returns 0). Always safe:
  // the mappings are private, read-only and never written, so a later read faults the same
  // bytes back in from the page cache. Sessions call it on weights that only their prepacking
  // read, so the prepacked copy does not coexist with a resident original (peak RSS).
  static size_t release_pages(const void* p, size_t n);
  // The start and length of the live mapping holding `p`, or {nullptr, 0}.
  static std::pair<const void*, size_t> mapping_of(const void* p);

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;  // kept open for support/file_reads.h (pread of weights instead of faulting pages in)
  std::string path_;
};

}  // namespace ember::onnx
