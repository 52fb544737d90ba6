// Small helpers shared by op families: axis normalisation, broadcasting, strided index
// iteration and inference shortcuts. Anything two op files need goes here, not in both.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops {

// Maps a possibly negative axis into [0, rank); throws InvalidModel naming the node otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const ir::Node& node);
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t rank, const ir::Node& node);

// Numpy-style multidirectional broadcasting of concrete shapes; throws ShapeMismatch.
Dims broadcast_shapes(const Dims& a, const Dims& b);
// The same on inferred types (unknown dims stay unknown, symbols are kept when equal).
// Returns false when a rank is unknown (the result shape is then unknown too).
bool broadcast_types(const TypeInfo& a, const TypeInfo& b, TypeInfo& out);

// Element strides of `shape` broadcast to `out_shape` (0 on broadcast dimensions).
Dims broadcast_strides(const Dims& shape, const Dims& out_shape);

// Iterates a multi-index over `shape`, keeping several linear offsets in step; the usual
// tool for broadcasting loops. Offsets advance by the given per-dimension strides.
class StridedCounter {
 public:
  StridedCounter(const Dims& shape, std::vector<Dims> strides);
  int64_t offset(size_t k) const { return offsets_[k]; }
  void next();  // advance one element in row-major order
 private:
  Dims shape_, index_;
  std::vector<Dims> strides_;
  std::vector<int64_t> offsets_;
};

// Any numeric tensor's elements as doubles (reference kernels that compute in double), and
// doubles stored into a tensor of any numeric type (16-bit floats via float, as numpy rounds).
std::vector<double> read_doubles(const Tensor& t);
void store_doubles(const double* src, Tensor& dst);
inline void store_doubles(const std::vector<double>& src, Tensor& dst) { store_doubles(src.data(), dst); }

// Inference shortcuts.
void infer_same_as_input(InferContext& ctx);           // output 0 = input 0 type
// Output 0: input 0's element type and rank, every dim unknown (the sizes depend on values).
void infer_same_rank_unknown_dims(InferContext& ctx);
TypeInfo with_dtype(TypeInfo t, DType d);

// A copy of the identifying fields of a node (name, op, domain, opset) without attributes or
// edges, kept by kernels so run-time errors can still say which node failed.
ir::Node node_label(const ir::Node& node);

// Checks the element type of input i is one of `allowed`; throws TypeMismatch naming the node.
void require_dtype(const ir::Node& node, const char* what, DType got, std::initializer_list<DType> allowed);

}  // namespace ember::ops
