#include "onnx/model_import.h"

#include <climits>

#include "onnx/graph_import.h"
#include "onnx/import_context.h"

namespace ember::onnx {

std::shared_ptr<ir::Model> import_model(const proto::Model& pm, TensorSource src) {
  EMBER_CHECK(pm.graph, InvalidModel, "malformed ONNX model: it has no graph");
  ImportContext ctx;
  ctx.tensors = std::move(src);
  for (const auto& [domain, version] : pm.opset_import) {
    const std::string d = normalize_domain(domain);
    const char* shown = d.empty() ? "ai.onnx" : d.c_str();
    EMBER_CHECK(version > 0 && version <= INT_MAX, InvalidModel, "opset_import for domain '", shown,
                "' has invalid version ", version);
    EMBER_CHECK(ctx.opsets.emplace(d, int(version)).second, InvalidModel,
                "opset_import lists domain '", shown, "' more than once");
  }
  for (const auto& f : pm.functions) ctx.functions.emplace(f.domain, f.name);

  auto model = std::make_shared<ir::Model>();
  model->ir_version = pm.ir_version;
  model->producer_name = pm.producer_name;
  model->producer_version = pm.producer_version;
  model->opset_imports = ctx.opsets;
  // A repeated key keeps its first value (onnx.checker refuses such files; we need not).
  for (const auto& [key, value] : pm.metadata_props) model->metadata_props.emplace(key, value);
  model->graph = import_main_graph(*pm.graph, ctx);
  model->backing = ctx.tensors.keepalive;
  return model;
}

}  // namespace ember::onnx
