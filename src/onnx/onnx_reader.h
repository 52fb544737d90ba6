// Reads an ONNX model (protobuf wire format, decoded by our own small decoder) into the IR.
// Initializers point into the memory-mapped file when alignment allows (zero copy).
#pragma once

#include <memory>
#include <string>

#include "ir/graph.h"

namespace ember::onnx {

// Throws Io for a missing/unreadable file, InvalidModel for malformed content.
std::shared_ptr<ir::Model> load_model_file(const std::string& path);
// `data` must stay valid as long as the model; pass `keepalive` to tie its lifetime.
std::shared_ptr<ir::Model> load_model_memory(const void* data, size_t size,
                                             std::shared_ptr<void> keepalive);

}  // namespace ember::onnx
