#include "ir/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>

#include "support/huge_page_alloc.h"

namespace ember {

int64_t dims_numel(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

std::string dims_str(const Dims& d) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < d.size(); ++i) os << (i ? ", " : "") << d[i];
  os << ']';
  return os.str();
}

Dims dims_strides(const Dims& d) {
  Dims s(d.size());
  int64_t acc = 1;
  for (size_t i = d.size(); i-- > 0;) {
    s[i] = acc;
    acc *= d[i];
  }
  return s;
}

namespace {

void* aligned_alloc_or_throw(size_t bytes) {
  if (bytes == 0) bytes = kTensorAlignment;
  const size_t rounded = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  void* p = std::aligned_alloc(kTensorAlignment, rounded);
  if (!p) fail(Status::OutOfMemory, "cannot allocate ", bytes, " bytes for a tensor");
  return p;
}

}  // namespace

Tensor::Tensor(DType dtype, Dims shape) : dtype_(dtype), shape_(std::move(shape)), owned_(true) {
  for (int64_t x : shape_) {
    EMBER_CHECK(x >= 0, InvalidArgument, "negative dimension in shape ", dims_str(shape_));
  }
  EMBER_CHECK(dtype_size(dtype) != 0, Unsupported, "cannot allocate a tensor of type ", dtype_name(dtype));
  const int64_t n = numel();
  if (dtype == DType::String) {
    auto* strings = new std::string[size_t(n) ? size_t(n) : 1];
    holder_ = std::shared_ptr<void>(strings, [](void* p) { delete[] static_cast<std::string*>(p); });
    data_ = strings;
    return;
  }
  if (nbytes() >= kHugePageBytes) {
    // Large tensors are constants (weights, folded weights, copies the reader aligned): on
    // huge pages their first write takes 1/512 of the page faults (see huge_page_alloc.h).
    const HugePageBlock block = map_huge_pages(nbytes());
    if (block.data) {
      holder_ = std::shared_ptr<void>(block.data, [block](void*) { unmap_huge_pages(block); });
      data_ = block.data;
      return;
    }
  }
  void* p = aligned_alloc_or_throw(nbytes());
  holder_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  data_ = p;
}

Tensor Tensor::wrap(DType dtype, Dims shape, void* data, std::shared_ptr<void> keepalive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.holder_ = std::move(keepalive);
  return t;
}

Tensor Tensor::zeros(DType dtype, Dims shape) {
  Tensor t(dtype, std::move(shape));
  if (dtype != DType::String) std::memset(t.data_, 0, t.nbytes());
  return t;
}

Tensor Tensor::reshaped(Dims shape) const {
  EMBER_CHECK(dims_numel(shape) == numel(), ShapeMismatch, "cannot view ", dims_str(shape_), " as ",
              dims_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_);
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  EMBER_CHECK(src.dtype_ == dtype_ && src.numel() == numel(), InvalidArgument,
              "copy between incompatible tensors");
  if (dtype_ == DType::String) {
    const auto* s = static_cast<const std::string*>(src.data_);
    auto* d = static_cast<std::string*>(data_);
    for (int64_t i = 0; i < numel(); ++i) d[i] = s[i];
  } else if (nbytes() && data_ != src.data_) {
    std::memmove(data_, src.data_, nbytes());
  }
}

int64_t Tensor::int_at(int64_t i) const {
  switch (dtype_) {
    case DType::Int64: return static_cast<const int64_t*>(data_)[i];
    case DType::Int32: return static_cast<const int32_t*>(data_)[i];
    case DType::Int16: return static_cast<const int16_t*>(data_)[i];
    case DType::Int8: return static_cast<const int8_t*>(data_)[i];
    case DType::UInt8: return static_cast<const uint8_t*>(data_)[i];
    case DType::UInt16: return static_cast<const uint16_t*>(data_)[i];
    case DType::UInt32: return static_cast<const uint32_t*>(data_)[i];
    case DType::UInt64: return int64_t(static_cast<const uint64_t*>(data_)[i]);
    case DType::Bool: return static_cast<const bool*>(data_)[i];
    default: fail(Status::TypeMismatch, "expected an integer tensor, got ", dtype_name(dtype_));
  }
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) v[size_t(i)] = int_at(i);
  return v;
}

void Tensor::check_type(DType want) const {
  EMBER_CHECK(want == dtype_, TypeMismatch, "tensor holds ", dtype_name(dtype_), ", accessed as ",
              dtype_name(want));
}

}  // namespace ember
