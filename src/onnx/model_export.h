// ir::Model -> ONNX ModelProto bytes: the inverse of model_import. Nodes keep their domain
// (Ember's fused ops stay in "ai.ember"), every attribute type and subgraph is written, values
// keep their declared or inferred types (symbolic dims as dim_param), and metadata_props are
// written. Large initializers can be placed in an external data file instead of the model.
#pragma once

#include <string>

#include "ir/graph.h"
#include "onnx/external_data.h"

namespace ember::onnx {

// IR version written when the model does not carry one (built in memory): ONNX IR 10
// (onnx 1.16+), which every opset Ember reads can be stored under.
constexpr int64_t kDefaultIrVersion = 10;

// Encodes `model`. With `external` set, initializers large enough for it are placed there
// (their TensorProto then refers to external->location()); without, everything is embedded.
// Throws InvalidModel naming the node or value the IR cannot express in ONNX (an undefined
// tensor, a node whose domain has no opset).
std::string encode_model(const ir::Model& model, ExternalDataWriter* external);

}  // namespace ember::onnx
