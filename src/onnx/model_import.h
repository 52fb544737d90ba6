// ModelProto -> ir::Model: opset imports, model-local functions, then the main graph.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "onnx/proto.h"
#include "onnx/tensor_proto.h"

namespace ember::onnx {

// `src` says where tensor bytes live (keepalive, base directory for external data).
std::shared_ptr<ir::Model> import_model(const proto::Model& pm, TensorSource src);

}  // namespace ember::onnx
