// Decodes ONNX protobuf bytes into the plain structs of proto.h. Only wire-format validity is
// checked here (bounds, wire types, nesting depth); ONNX semantics are the importer's job.
#pragma once

#include <cstddef>
#include <cstdint>

#include "onnx/proto.h"

namespace ember::onnx {

// Deepest message nesting accepted. Real models nest a few graphs (Loop in If in Loop...);
// each graph level costs three message levels (graph, node, attribute). The limit keeps a
// hostile file from exhausting the stack through recursion.
constexpr int kMaxMessageDepth = 96;

// Throws InvalidModel for malformed bytes. The returned structs point into [data, data+size).
proto::Model decode_model(const uint8_t* data, size_t size);

}  // namespace ember::onnx
