#include "onnx/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "support/error.h"

namespace ember::onnx {

AtomicFile::AtomicFile(std::string final_path) : final_(std::move(final_path)) {
  const std::filesystem::path p(final_);
  EMBER_CHECK(!p.filename().empty(), Io, "cannot write '", final_, "': not a file name");
  const std::filesystem::path dir = p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
  // Built by appending: `"." + name` trips a false -Wrestrict in GCC 12.
  std::string name = ".";
  name += p.filename().string();
  name += ".tmp-XXXXXX";
  std::string tmpl = (dir / name).string();
  fd_ = ::mkstemp(tmpl.data());
  if (fd_ < 0) fail(Status::Io, "cannot write '", final_, "': ", std::strerror(errno));
  temp_ = tmpl;
  // mkstemp creates 0600; a saved model should be readable by others, like one onnx.save
  // writes. (Reading the umask would mean setting it, which races with other threads.)
  ::fchmod(fd_, 0644);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n < (size_t(1) << 30) ? n : (size_t(1) << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail(Status::Io, "cannot write '", final_, "': ", w < 0 ? std::strerror(errno) : "no progress");
    p += w;
    n -= size_t(w);
  }
}

void AtomicFile::finish() {
  if (::fsync(fd_) != 0) fail(Status::Io, "cannot write '", final_, "': fsync: ", std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(Status::Io, "cannot write '", final_, "': close: ", std::strerror(errno));
}

void AtomicFile::commit() {
  if (::rename(temp_.c_str(), final_.c_str()) != 0)
    fail(Status::Io, "cannot write '", final_, "': rename: ", std::strerror(errno));
  committed_ = true;
}

}  // namespace ember::onnx
