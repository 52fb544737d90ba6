// Saves an ir::Model as an ONNX file, large initializers in one external data file next to
// it (`<model file name>.data`, each tensor at a 64-byte aligned offset; see external_data.h),
// which load_model_file maps and uses in place.
//
// Writes are atomic: the model and its data file are written to temporary names in the
// destination directory and renamed over the final names only when both are complete; any
// failure removes the temporaries, so no partial output is ever left behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ir/graph.h"

namespace ember::onnx {

struct SaveOptions {
  // Initializers of at least this many bytes go to the external data file; the rest, and
  // everything when `external_data` is false, are embedded in the model.
  bool external_data = true;
  uint64_t external_threshold = 1024;
  // Test hook: called after both temporaries are complete, just before they are renamed.
  // Throwing from it must leave the destination untouched.
  std::function<void()> before_commit;
};

struct SaveResult {
  std::string model_path;
  std::string data_path;       // empty when no tensor went external (no data file written)
  uint64_t model_bytes = 0;
  uint64_t data_bytes = 0;
  size_t external_tensors = 0;
};

// Throws Io naming the path when the destination cannot be written, InvalidModel when the
// model cannot be expressed in ONNX (see encode_model).
SaveResult save_model_file(const ir::Model& model, const std::string& path, const SaveOptions& options = {});

// The external data file name used for a model file name: "<name>.data".
std::string external_data_name(const std::string& model_file_name);

}  // namespace ember::onnx
