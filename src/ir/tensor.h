// A dense, row-major tensor: element type, shape and a pointer to its elements. The memory is
// either owned (64-byte aligned heap block), borrowed from a caller, memory-mapped from a
// model file, or carved from a session arena; `holder_` keeps whichever owner alive.
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

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <class T> T* data() { check_type(dtype_of<T>::value); return static_cast<T*>(data_); }
  template <class T> const T* data() const { check_type(dtype_of<T>::value); return static_cast<const T*>(data_); }

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

  DType dtype_ = DType::Undefined;
  Dims shape_;
  void* data_ = nullptr;
  std::shared_ptr<void> holder_;
  bool owned_ = false;  // storage allocated by the constructor
};

}  // namespace ember
