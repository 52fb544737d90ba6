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

  static TypeInfo tensor(DType t, const Dims& shape);
  static TypeInfo tensor_unknown_shape(DType t);
  bool is_static() const;             // tensor with a fully known shape
  Dims static_dims() const;           // requires is_static()
  std::string str() const;            // "float32[N, 3, 224, 224]"
};

}  // namespace ember::ir
