// AttributeProto -> ir::Attribute, except graph-valued attributes: their bodies need the
// enclosing scopes to resolve captures, so graph_import.cc fills `g` / `graphs` itself.
#pragma once

#include <string>

#include "ir/graph.h"
#include "onnx/import_context.h"
#include "onnx/proto.h"

namespace ember::onnx {

// `node` names the owning node for errors. The returned attribute has its type set; for
// Graph / Graphs its graph fields are left empty for the caller to fill.
ir::Attribute import_attribute(const proto::Attribute& pa, ImportContext& ctx, const std::string& node);

}  // namespace ember::onnx
