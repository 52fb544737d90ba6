// Static type information attached to graph values: tensor element type and a shape whose
// dimensions may be unknown (-1) or symbolic ("batch"), and sequence / optional wrappers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace ember::ir {

struct Dim {
  int64_t value = -1;   // >= 0 when known
  std::string symbol;   // ONNX dim_param, when the dimension is symbolic
  bool known() const { return value >= 0; }
  static Dim of(int64_t v) { return Dim{v, {}}; }
};

enum class ValueKind { Tensor, Sequence, Optional };

struct TypeInfo {
  ValueKind kind = ValueKind::Tensor;
  DType dtype = DType::Undefined;     // element type (of the tensor, or of the contained tensor)
  bool has_shape = false;             // false: rank unknown
  std::vector<Dim> dims;
  std::shared_ptr<TypeInfo> elem;     // for Sequence / Optional: the contained type
  // For an integer tensor of rank 0 or 1 that holds dimension sizes (a Shape output and what
  // Gather / Slice / Concat / Unsqueeze / Squeeze / Cast make of it): each element's value, a
  // symbol where the dim it came from is symbolic. Lets a Reshape to [batch, seq, 12, 64]
  // built that way get those dims, so fusions still match models with dynamic axes. Set only
  // through InferContext::set_output_dims_value (set_output drops it: an op that copies its
  // input's type must not pass on a value it changed).
  std::optional<std::vector<Dim>> dims_value;

  static TypeInfo tensor(DType t, const Dims& shape);
  static TypeInfo tensor_unknown_shape(DType t);
  bool is_static() const;             // tensor with a fully known shape
  Dims static_dims() const;           // requires is_static()
  std::string str() const;            // "float32[N, 3, 224, 224]"
};

}  // namespace ember::ir
