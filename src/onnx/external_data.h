// The layout of the external data file the writer produces next to a model (`<model>.data`):
// tensors one after another, each starting at a multiple of 64 bytes (zero padding between
// them), so a reader that memory-maps the file (page-aligned) can use every tensor in place
// with any SIMD alignment up to AVX-512's. The ONNX TensorProto refers to each by
// external_data {location, offset, length} (ONNX's external data convention).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/tensor.h"

namespace ember::onnx {

constexpr uint64_t kExternalDataAlignment = 64;

class ExternalDataWriter {
 public:
  struct Ref {
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  // `location` is the file name recorded in the model (relative to the model's directory).
  // Tensors whose wire form has at least `threshold` bytes are placed in the file.
  ExternalDataWriter(std::string location, uint64_t threshold)
      : location_(std::move(location)), threshold_(threshold) {}

  // Places `wire` (the tensor's bytes as ONNX stores them) when it is large enough; nullopt
  // means "embed it in the model". `keep` holds the memory `wire` points into until the file
  // is written. When `wire` points into `*owned` (bytes made for the file, such as packed
  // int4), the string is moved in, and only if the tensor is placed. Identical byte ranges
  // (the same memory placed twice) share one copy.
  std::optional<Ref> place(std::string_view wire, const Tensor& keep, std::string* owned = nullptr);

  const std::string& location() const { return location_; }
  bool empty() const { return entries_.empty(); }
  size_t tensor_count() const { return entries_.size(); }
  uint64_t file_size() const { return end_; }

  // Writes the whole file to the open descriptor `fd`; `path` names it in errors (Io).
  void write_to(int fd, const std::string& path) const;

 private:
  struct Entry {
    uint64_t offset;
    std::string_view bytes;
    Tensor keep;
    std::shared_ptr<std::string> owned;
  };
  std::string location_;
  uint64_t threshold_;
  uint64_t end_ = 0;
  std::vector<Entry> entries_;
  std::map<std::pair<const char*, size_t>, Ref> placed_;  // (address, length) -> where it went
};

}  // namespace ember::onnx
