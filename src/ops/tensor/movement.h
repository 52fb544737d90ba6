// Helpers shared by the data-movement ops of this folder: copying elements by storage size
// (the bits of a float16 or an int16 move the same way), strided copies that express
// Transpose, Slice, Expand, Tile and DepthToSpace as one loop, and inference shortcuts for
// shape-like constant inputs.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::movement {

constexpr int kMaxOpset = 1 << 30;

// Calls f(S{}) where S is an unsigned integer of the element's size, or std::string.
// Data-movement kernels only copy bits, so one instantiation serves every dtype of a size.
template <class F>
decltype(auto) visit_storage(DType t, F&& f) {
  if (t == DType::String) return f(std::string{});
  switch (dtype_size(t)) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: break;
  }
  fail(Status::Unsupported, "element type ", dtype_name(t), " cannot be copied");
}

// Strict weak order for sorting values with NaN counted as the largest value (as numpy does),
// so sorts stay well defined on float data containing NaN.
template <class T>
bool less_nan_last(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::string> || std::is_integral_v<T>) {
    return a < b;
  } else {
    const bool na = float(a) != float(a), nb = float(b) != float(b);
    if (na || nb) return !na && nb;
    return a < b;
  }
}

// Copies n elements src[soff..] -> dst[doff..] (strings by assignment, others by memcpy).
void copy_elems(DType t, void* dst, int64_t doff, const void* src, int64_t soff, int64_t n);

// Fills contiguous `dst` (shape `shape`) from `src` where element (i0, i1, ...) is read at
// src_offset + sum(ik * src_strides[k]). Strides may be 0 (broadcast) or negative (reversal).
void copy_strided(ThreadPool* pool, DType t, void* dst, const void* src, int64_t src_offset,
                  const Dims& shape, const Dims& src_strides);

// out = transpose(in viewed with shape `view`, perm); `out` must hold numel(view) elements.
void transpose_into(ThreadPool* pool, const Tensor& in, const Dims& view,
                    const std::vector<int64_t>& perm, Tensor& out);

// out[i0, i1, ...] = in[maps[0][i0], maps[1][i1], ...], or `fill` (a one-element tensor of
// the same dtype) where any map entry is -1. Used by Pad and nearest-neighbour Resize.
void gather_mapped(const Tensor& in, const Tensor& fill, const std::vector<std::vector<int64_t>>& maps, Tensor& out);

// The values of an integer input known at inference time, or nullopt.
std::optional<std::vector<int64_t>> const_ints(const InferContext& ctx, size_t i);
// The values of an integer kernel input (int32/int64/...); throws TypeMismatch otherwise.
std::vector<int64_t> input_ints(const KernelContext& ctx, size_t i, const ir::Node* node = nullptr);

// The input's dims when all are known.
std::optional<Dims> known_dims(const TypeInfo& t);
// A tensor type of `rank` dimensions, all unknown.
TypeInfo unknown_dims(DType d, size_t rank);
// Concrete dims as known ir::Dims and back (the latter requires all known).
std::vector<ir::Dim> to_dimvec(const Dims& d);
Dims from_dimvec(const std::vector<ir::Dim>& d);
// A tensor type from dims.
TypeInfo type_from_dims(DType d, std::vector<ir::Dim> dims);

// Registers one schema entry for every version range [since, last].
void add_schema(OpRegistry& r, const char* op, int since, int last, InferFn infer, MakeKernelFn make,
                std::vector<DType> dtypes = {});
// Kernel factory for kernels constructed from the node alone.
template <class K>
std::unique_ptr<Kernel> make_kernel(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<K>(n);
}

// All element types this folder's pure data-movement kernels accept.
std::vector<DType> all_dtypes();

}  // namespace ember::ops::movement
