// A file written under a temporary name in its destination directory and renamed to its
// final name on commit (rename within one directory is atomic on POSIX file systems). Until
// then the final path is untouched; destroying an uncommitted AtomicFile removes the
// temporary, so failures never leave partial output.
#pragma once

#include <string>

namespace ember::onnx {

class AtomicFile {
 public:
  // Creates "<dir>/.<name>.tmp-XXXXXX" next to `final_path`; throws Io naming the path.
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_; }
  const std::string& temp_path() const { return temp_; }
  const std::string& final_path() const { return final_; }
  void write(const void* data, size_t n);
  // Flushes to disk and closes (a crash after rename must not expose an empty file).
  void finish();
  // Renames the temporary over the final path; after this the destructor removes nothing.
  void commit();

 private:
  std::string final_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace ember::onnx
