// State shared by the importers while one model is converted to IR.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "onnx/tensor_proto.h"

namespace ember::onnx {

struct ImportContext {
  TensorSource tensors;
  std::map<std::string, int> opsets;                    // normalised domain -> version
  std::set<std::pair<std::string, std::string>> functions;  // model-local (domain, name)
};

// "ai.onnx" and "" both name the default ONNX domain; the IR spells it "".
inline std::string normalize_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

}  // namespace ember::onnx
