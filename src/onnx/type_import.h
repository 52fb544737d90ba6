// ONNX element-type codes and TypeProto -> IR types.
#pragma once

#include <string>

#include "ir/types.h"
#include "onnx/proto.h"

namespace ember::onnx {

// Maps a TensorProto.DataType code to a DType. `what` names the tensor or value for errors.
// Codes ONNX defines but Ember cannot hold (complex, float8, int4...) give Unsupported; codes
// ONNX does not define give InvalidModel. 0 (UNDEFINED) is accepted only if `allow_undefined`.
DType dtype_from_onnx(int32_t code, const std::string& what, bool allow_undefined = false);

// Converts a decoded TypeProto. An unset TypeProto gives an unknown tensor type. Map, sparse
// and opaque types give Unsupported naming `what`; negative dimensions give InvalidModel.
ir::TypeInfo type_from_proto(const proto::Type& t, const std::string& what);

}  // namespace ember::onnx
