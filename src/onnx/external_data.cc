#include "onnx/external_data.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/error.h"

namespace ember::onnx {

namespace {

void write_all(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    // Large writes are split: some kernels cap one write() at about 2 GiB.
    const ssize_t w = ::write(fd, p, n < (size_t(1) << 30) ? n : (size_t(1) << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail(Status::Io, "cannot write '", path, "': ", w < 0 ? std::strerror(errno) : "no progress");
    p += w;
    n -= size_t(w);
  }
}

}  // namespace

std::optional<ExternalDataWriter::Ref> ExternalDataWriter::place(std::string_view wire, const Tensor& keep,
                                                                 std::string* owned) {
  if (wire.size() < threshold_ || wire.empty()) return std::nullopt;
  if (!owned) {
    auto it = placed_.find({wire.data(), wire.size()});
    if (it != placed_.end()) return it->second;
  }
  const uint64_t offset = (end_ + kExternalDataAlignment - 1) / kExternalDataAlignment * kExternalDataAlignment;
  Entry e{offset, wire, keep, nullptr};
  if (owned) {
    e.owned = std::make_shared<std::string>(std::move(*owned));
    e.bytes = *e.owned;
  } else {
    placed_[{wire.data(), wire.size()}] = Ref{offset, wire.size()};
  }
  entries_.push_back(std::move(e));
  end_ = offset + wire.size();
  return Ref{offset, wire.size()};
}

void ExternalDataWriter::write_to(int fd, const std::string& path) const {
  static const char zeros[kExternalDataAlignment] = {};
  uint64_t pos = 0;
  for (const Entry& e : entries_) {
    write_all(fd, zeros, size_t(e.offset - pos), path);
    write_all(fd, e.bytes.data(), e.bytes.size(), path);
    pos = e.offset + e.bytes.size();
  }
}

}  // namespace ember::onnx
