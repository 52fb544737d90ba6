// Entry points: map or wrap the bytes, decode the wire format, import into IR.
#include "onnx/onnx_reader.h"

#include <filesystem>

#include "onnx/mapped_file.h"
#include "onnx/model_import.h"
#include "onnx/proto_decode.h"

namespace ember::onnx {

std::shared_ptr<ir::Model> load_model_file(const std::string& path) {
  std::shared_ptr<MappedFile> file = MappedFile::open(path);
  TensorSource src;
  src.keepalive = file;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  src.base_dir = dir.empty() ? "." : dir;
  try {
    return import_model(decode_model(file->data(), file->size()), std::move(src));
  } catch (const Error& e) {
    fail(e.status(), "'", path, "': ", e.what());  // name the file: hosts load several models
  }
}

std::shared_ptr<ir::Model> load_model_memory(const void* data, size_t size,
                                             std::shared_ptr<void> keepalive) {
  EMBER_CHECK(data || size == 0, InvalidArgument, "load_model_memory: null data with size ", size);
  TensorSource src;
  src.keepalive = std::move(keepalive);
  return import_model(decode_model(static_cast<const uint8_t*>(data), size), std::move(src));
}

}  // namespace ember::onnx
