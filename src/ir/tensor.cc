#include "ir/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <sstream>

#include "support/file_reads.h"
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

struct Tensor::Deferred {
  const unsigned char* bytes = nullptr;  // the source elements, unscaled, any alignment
  std::shared_ptr<void> keepalive;       // holds `bytes`
  ReleaseBytes release = nullptr;
  std::vector<double> scale;  // per row of the tensor viewed [dim(0), rest]; empty: none
  std::once_flag once;
  std::atomic<bool> done{false};
  Tensor copy;  // the materialised elements
};

namespace {

// Below this a source's pages are not dropped as it is materialised: a madvise per small
// tensor cost more than the pages are worth (MobileNetV2's 184 small views: 7.6-10.5 ms vs
// 1.4-2.7 ms without, end_to_end.md "Seventh pass").
constexpr size_t kMinReleaseBytes = size_t(64) << 10;

// The tensor viewed as [rows, cols] for read_rows: dim(0) rows (a scalar is one row).
struct RowView {
  int64_t rows, cols;
};
RowView row_view(const Dims& shape, int64_t numel) {
  const int64_t r = shape.empty() ? 1 : shape[0];
  return {r, r ? numel / r : 0};
}

// dst[i] = float(double(src[i]) * sc), src read through memcpy (it may be misaligned). Pointers
// that cannot alias, so the loop vectorises (one that might alias ran scalar and doubled
// ResNet-50's fold, end_to_end.md "Seventh pass").
void scale_row(float* __restrict dst, const unsigned char* __restrict src, int64_t n, double sc) {
  for (int64_t i = 0; i < n; ++i) {
    float f;
    std::memcpy(&f, src + 4 * i, sizeof f);
    dst[i] = float(double(f) * sc);
  }
}

void scale_in_place(float* w, int64_t n, double sc) {
  for (int64_t i = 0; i < n; ++i) w[i] = float(double(w[i]) * sc);
}

// From this size on a block of whole rows is read with pread (one system call) rather than
// copied from the mapping.
constexpr size_t kMinFileReadBytes = size_t(16) << 10;

}  // namespace

Tensor Tensor::unaligned_view(DType dtype, Dims shape, const void* bytes, std::shared_ptr<void> keepalive,
                              ReleaseBytes release) {
  EMBER_CHECK(dtype != DType::String && dtype_size(dtype) != 0, Unsupported, "cannot view bytes as ",
              dtype_name(dtype));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  for (int64_t x : t.shape_) EMBER_CHECK(x >= 0, InvalidArgument, "negative dimension in shape ", dims_str(t.shape_));
  t.deferred_ = std::make_shared<Deferred>();
  t.deferred_->bytes = static_cast<const unsigned char*>(bytes);
  t.deferred_->keepalive = std::move(keepalive);
  t.deferred_->release = release;
  return t;
}

Tensor Tensor::with_row_scale(const std::vector<double>& scale) const {
  EMBER_CHECK(dtype_ == DType::Float32 && rank() >= 1 && size_t(dim(0)) == scale.size(), InvalidArgument,
              "a row scale of ", scale.size(), " factors needs a float32 tensor of as many rows, got ",
              dtype_name(dtype_), " ", dims_str(shape_));
  Tensor t;
  t.dtype_ = dtype_;
  t.shape_ = shape_;
  t.deferred_ = std::make_shared<Deferred>();
  Deferred& d = *t.deferred_;
  d.scale = scale;
  if (deferred_) {  // a view, or a scale already pending (Conv -> BN -> Mul): one product
    d.bytes = deferred_->bytes;
    d.keepalive = deferred_->keepalive;
    d.release = deferred_->release;
    if (!deferred_->scale.empty())
      for (size_t r = 0; r < scale.size(); ++r) d.scale[r] *= deferred_->scale[r];
  } else {
    d.bytes = static_cast<const unsigned char*>(data_);
    d.keepalive = holder_;
  }
  return t;
}

bool Tensor::deferred() const { return deferred_ && !deferred_->done.load(std::memory_order_acquire); }

const void* Tensor::bytes() const { return deferred_ ? deferred_->bytes : data_; }

void Tensor::read_rows(int64_t row0, int64_t rows, int64_t col0, int64_t cols, void* dst) const {
  EMBER_CHECK(dtype_ != DType::String, Unsupported, "read_rows of a string tensor");
  const RowView v = row_view(shape_, numel());
  EMBER_CHECK(row0 >= 0 && rows >= 0 && row0 + rows <= v.rows && col0 >= 0 && cols >= 0 && col0 + cols <= v.cols,
              InvalidArgument, "rows [", row0, ", ", row0 + rows, ") x columns [", col0, ", ", col0 + cols,
              ") outside a tensor viewed as [", v.rows, ", ", v.cols, "]");
  const size_t es = dtype_size(dtype_);
  auto* out = static_cast<unsigned char*>(dst);
  const bool from_source = deferred();
  const auto* src = static_cast<const unsigned char*>(from_source ? deferred_->bytes : raw());
  const bool scaled = from_source && !deferred_->scale.empty();
  // Whole rows from a model file: read through the file (support/file_reads.h), then scaled in
  // place, rather than faulting the mapping's pages in (and the session zapping them again).
  const size_t block = size_t(rows) * size_t(cols) * es;
  if (from_source && cols == v.cols && block >= kMinFileReadBytes &&
      read_mapped_bytes(src + size_t(row0) * size_t(v.cols) * es, block, dst)) {
    if (scaled)
      for (int64_t r = 0; r < rows; ++r) {
        float* o = reinterpret_cast<float*>(out + size_t(r) * size_t(cols) * es);
        scale_in_place(o, cols, deferred_->scale[size_t(row0 + r)]);
      }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const unsigned char* s = src + (size_t(row0 + r) * size_t(v.cols) + size_t(col0)) * es;
    unsigned char* o = out + size_t(r) * size_t(cols) * es;
    if (scaled) scale_row(reinterpret_cast<float*>(o), s, cols, deferred_->scale[size_t(row0 + r)]);
    else std::memcpy(o, s, size_t(cols) * es);
  }
}

void* Tensor::materialise() const {
  Deferred& d = *deferred_;
  std::call_once(d.once, [&] {
    Tensor t(dtype_, shape_);
    // A few MiB of rows at a time, their source pages dropped as the copy goes: a large view
    // materialised late (BERT-base's 94 MB word embeddings, after 340 MB of packed weights)
    // then never has both copies resident whole (peak RSS 543 -> 458 MB, "Seventh pass").
    const RowView v = row_view(shape_, numel());
    const size_t row_bytes = size_t(v.cols) * dtype_size(dtype_);
    const int64_t chunk = std::max<int64_t>(1, int64_t((size_t(2) << 20) / std::max<size_t>(row_bytes, 1)));
    const bool release = d.release && nbytes() >= kMinReleaseBytes;
    for (int64_t r0 = 0; r0 < v.rows && v.cols > 0; r0 += chunk) {
      const int64_t n = std::min(chunk, v.rows - r0);
      read_rows(r0, n, 0, v.cols, static_cast<unsigned char*>(t.data_) + size_t(r0) * row_bytes);
      if (release) d.release(d.bytes + size_t(r0) * row_bytes, size_t(n) * row_bytes);
    }
    d.copy = std::move(t);
    d.done.store(true, std::memory_order_release);
  });
  return d.copy.data_;
}

Tensor Tensor::zeros(DType dtype, Dims shape) {
  Tensor t(dtype, std::move(shape));
  if (dtype != DType::String) std::memset(t.data_, 0, t.nbytes());
  return t;
}

Tensor Tensor::reshaped(Dims shape) const {
  EMBER_CHECK(dims_numel(shape) == numel(), ShapeMismatch, "cannot view ", dims_str(shape_), " as ",
              dims_str(shape));
  const bool keeps_rows = !shape.empty() && !shape_.empty() && shape[0] == shape_[0];
  if (deferred_ && !deferred_->scale.empty() && !keeps_rows)  // the scale is per row of this shape
    return wrap(dtype_, std::move(shape), const_cast<void*>(raw()), deferred_);
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
    const auto* s = static_cast<const std::string*>(src.raw());
    auto* d = static_cast<std::string*>(raw());
    for (int64_t i = 0; i < numel(); ++i) d[i] = s[i];
  } else if (src.deferred() && nbytes()) {  // straight from the source: no materialised copy
    const RowView v = row_view(src.shape_, src.numel());
    src.read_rows(0, v.rows, 0, v.cols, raw());
  } else if (nbytes() && raw() != src.raw()) {
    std::memmove(raw(), src.raw(), nbytes());
  }
}

int64_t Tensor::int_at(int64_t i) const {
  const void* p = raw();  // a deferred tensor is materialised
  switch (dtype_) {
    case DType::Int64: return static_cast<const int64_t*>(p)[i];
    case DType::Int32: return static_cast<const int32_t*>(p)[i];
    case DType::Int16: return static_cast<const int16_t*>(p)[i];
    case DType::Int8: return static_cast<const int8_t*>(p)[i];
    case DType::UInt8: return static_cast<const uint8_t*>(p)[i];
    case DType::UInt16: return static_cast<const uint16_t*>(p)[i];
    case DType::UInt32: return static_cast<const uint32_t*>(p)[i];
    case DType::UInt64: return int64_t(static_cast<const uint64_t*>(p)[i]);
    case DType::Bool: return static_cast<const bool*>(p)[i];
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
