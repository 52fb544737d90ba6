// A read-only memory mapping of a whole file (RAII). Model files and external-data files are
// mapped rather than read so large initializers can be used in place, without a copy, and
// pages the model never touches are never loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace ember::onnx
