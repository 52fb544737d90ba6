// A dense, row-major tensor: element type, shape and a pointer to its elements. The memory is
// either owned (64-byte aligned heap block), borrowed from a caller, memory-mapped from a
// model file, or carved from a session arena; `holder_` keeps whichever owner alive.
//
// A constant may also be deferred: its elements are described, not yet computed. Two kinds:
//  - an unaligned view: a large initializer lying misaligned in the mapped model file
//    (`onnx.save` places 75-77 % of a model's inline weight bytes so) stays there;
//  - a pending per-row scale: the Conv+BatchNormalization fold multiplies each output channel's
//    weights by a factor; it records the factors instead of rewriting the weights.
// Prepacking kernels read a deferred weight block by block through read_rows() (file bytes ->
// scaled rows in cache -> packed layout, one pass over the weights instead of three: reader's
// aligned copy, the fold's rewrite, the packer's copy). Everything else calls raw()/data(),
// which materialise the elements once into aligned storage (thread-safe, shared by all copies
// of the Tensor).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace ember {

using Dims = std::vector<int64_t>;

int64_t dims_numel(const Dims& d);           // product; 1 for a scalar
std::string dims_str(const Dims& d);         // "[2, 3, 4]"
Dims dims_strides(const Dims& d);            // row-major element strides

constexpr size_t kTensorAlignment = 64;

class Tensor {
 public:
  Tensor() = default;
  // Allocates uninitialised, 64-byte aligned storage (strings are default-constructed).
  Tensor(DType dtype, Dims shape);
  // Wraps memory owned elsewhere; `keepalive` (may be null) is held as long as this tensor.
  static Tensor wrap(DType dtype, Dims shape, void* data, std::shared_ptr<void> keepalive = {});
  static Tensor zeros(DType dtype, Dims shape);
  // Views `bytes` (nbytes() long, any alignment, never written) as elements; `keepalive` holds
  // them. `release` (may be null) is called on the bytes as they are materialised, so their
  // pages need not stay resident beside the copy.
  using ReleaseBytes = size_t (*)(const void*, size_t);
  static Tensor unaligned_view(DType dtype, Dims shape, const void* bytes, std::shared_ptr<void> keepalive,
                               ReleaseBytes release = nullptr);
  // This float32 tensor with row r (of dim(0) rows) multiplied by scale[r], in double, rounded
  // once to float (what an eager fold computes); nothing is computed now. Shares the bytes.
  Tensor with_row_scale(const std::vector<double>& scale) const;
  template <class T>
  static Tensor scalar(T v) {
    Tensor t(dtype_of<T>::value, {});
    *t.data<T>() = v;
    return t;
  }

  bool defined() const { return dtype_ != DType::Undefined; }
  DType dtype() const { return dtype_; }
  const Dims& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  int64_t numel() const { return dims_numel(shape_); }
  size_t nbytes() const { return size_t(numel()) * dtype_size(dtype_); }

  // Aligned elements (a deferred tensor is materialised on the first call; thread-safe).
  void* raw() { return deferred_ ? materialise() : data_; }
  const void* raw() const { return deferred_ ? materialise() : data_; }
  template <class T> T* data() { check_type(dtype_of<T>::value); return static_cast<T*>(raw()); }
  template <class T> const T* data() const { check_type(dtype_of<T>::value); return static_cast<const T*>(raw()); }

  // Deferred and not materialised yet: read it through read_rows() to avoid a whole copy.
  bool deferred() const;
  // The bytes the elements come from, where they lie, without materialising: for a deferred
  // tensor the (unscaled, maybe misaligned) source, else raw(). For page release and identity.
  const void* bytes() const;
  // Copies elements [row0, row0 + rows) x [col0, col0 + cols) of this tensor viewed as
  // [dim(0), numel / dim(0)] (a scalar as [1, 1]) densely into `dst` (any alignment), any
  // pending scale applied; never materialises. Not for strings.
  void read_rows(int64_t row0, int64_t rows, int64_t col0, int64_t cols, void* dst) const;

  // True when this tensor allocated its storage itself (not wrapped caller or mapped file memory)
  // and no other Tensor shares it: the one case where a constant may be rewritten in place.
  bool sole_owner() const { return owned_ && holder_.use_count() == 1; }

  // Same storage viewed with another shape of equal element count.
  Tensor reshaped(Dims shape) const;
  // Deep copy into freshly owned storage.
  Tensor clone() const;
  // Copies elements from `src` (same dtype and element count).
  void copy_from(const Tensor& src);
  // Reads element i of an integer tensor as int64 (for shape-like inputs).
  int64_t int_at(int64_t i) const;
  // Reads the whole tensor as int64 values (int32/int64/uint8... inputs such as axes, shapes).
  std::vector<int64_t> to_int64_vector() const;

 private:
  void check_type(DType want) const;
  void* materialise() const;

  struct Deferred;  // the source bytes, pending scale and, once made, the aligned copy (tensor.cc)

  DType dtype_ = DType::Undefined;
  Dims shape_;
  void* data_ = nullptr;
  std::shared_ptr<void> holder_;
  bool owned_ = false;  // storage allocated by the constructor
  std::shared_ptr<Deferred> deferred_;  // set for a deferred tensor (data_ is null then)
};

}  // namespace ember
