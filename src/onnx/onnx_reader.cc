// Placeholder until the wire-format reader lands.
#include "onnx/onnx_reader.h"

namespace ember::onnx {

std::shared_ptr<ir::Model> load_model_file(const std::string& path) {
  fail(Status::Unsupported, "ONNX reader not implemented yet: ", path);
}
std::shared_ptr<ir::Model> load_model_memory(const void*, size_t, std::shared_ptr<void>) {
  fail(Status::Unsupported, "ONNX reader not implemented yet");
}

}  // namespace ember::onnx
