// TensorProto -> ember::Tensor: element data from raw_data, the typed repeated fields, or an
// external file next to the model.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ir/tensor.h"
#include "onnx/mapped_file.h"
#include "onnx/proto.h"

namespace ember::onnx {

// Where tensor bytes live while a model is imported.
struct TensorSource {
  // Keeps the model buffer alive; zero-copy tensors hold it too.
  std::shared_ptr<void> keepalive;
  // Directory of the model file, for external data. Unset for in-memory models, which then
  // cannot use external data (there is no directory to resolve it against).
  std::optional<std::string> base_dir;
  // External files mapped so far, by location, so tensors sharing a file map it once.
  std::map<std::string, std::shared_ptr<MappedFile>> external_files;
};

// Converts `tp`. `what` names it for errors ("initializer 'w'"). raw_data and external data
// are wrapped in place when their address suits the element type's alignment, else copied.
// Throws InvalidModel for inconsistent content (size vs dims, negative dims, bad location),
// Unsupported for valid features we lack, Io for a missing external file.
Tensor tensor_from_proto(const proto::Tensor& tp, TensorSource& src, const std::string& what);

}  // namespace ember::onnx
